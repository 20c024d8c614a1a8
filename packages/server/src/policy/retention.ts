import { isHuman, isOrgAdmin, type Actor } from './actor.js';
import { canManage, type ChannelAccess } from './channel.js';
import { all, allow, deny, type Decision } from './decision.js';

/**
 * Retention, legal holds and compliance exports (docs/BACKUP.md). People only:
 * an agent's token never changes how long anything is kept nor reads in bulk.
 */

function humansOnly(actor: Actor, what: string): Decision {
  return isHuman(actor) ? allow : deny(403, 'agents_not_allowed', `Agents cannot ${what}.`);
}

/** The org's policy and its channels' overrides: org owners and admins. */
export function canManageRetention(actor: Actor): Decision {
  return all(
    () => humansOnly(actor, 'manage retention'),
    () => (isOrgAdmin(actor) ? allow : deny(403, 'admin_required', 'Only org owners and admins can manage retention.')),
  );
}

/** A channel's own policy: whoever manages the channel (its owners and moderators, org admins). */
export function canSetChannelRetention(a: ChannelAccess): Decision {
  return canManage(a);
}

/** Placing, lifting and listing legal holds: org owners and admins. */
export function canManageLegalHolds(actor: Actor): Decision {
  return all(
    () => humansOnly(actor, 'manage legal holds'),
    () => (isOrgAdmin(actor) ? allow : deny(403, 'admin_required', 'Only org owners and admins can manage legal holds.')),
  );
}

/** A compliance export reads every message of the org: its owners only. */
export function canExportCompliance(actor: Actor): Decision {
  return all(
    () => humansOnly(actor, 'export for compliance'),
    () => (actor.member.role === 'owner' ? allow : deny(403, 'owner_required', 'Only org owners can run a compliance export.')),
  );
}
