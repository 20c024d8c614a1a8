import { isHuman, isOrgAdmin, type Actor } from './actor.js';
import { all, allow, deny, type Decision } from './decision.js';

/** What part of the audit log a person may read beyond their role: the channels they own. */
export interface AuditScope {
  ownedChannelIds: string[];
}

/**
 * Org owners and admins read the whole audit log; a channel's owners read the
 * events of their channel. Agents read none of it.
 */
export function canReadAudit(actor: Actor, scope: AuditScope, channelId?: string): Decision {
  return all(
    () => (isHuman(actor) ? allow : deny(403, 'agents_not_allowed', 'Agents cannot read the audit log.')),
    () =>
      isOrgAdmin(actor) || (channelId ? scope.ownedChannelIds.includes(channelId) : scope.ownedChannelIds.length > 0)
        ? allow
        : deny(403, 'audit_not_allowed', 'Only org admins, and channel owners for their channels, can read the audit log.'),
  );
}
