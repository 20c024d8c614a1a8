import type { Member, OrgRole } from '../db/schema.js';
import { hasScope, isHuman, isOrgAdmin, type Actor } from './actor.js';
import { all, allow, deny, hidden, type Decision } from './decision.js';

/** Org-level rules: who may see an org and manage its members, invites and agents. */

/** Being an active member is the entry ticket to everything in an org; non-members are told it does not exist. */
export function canEnterOrg(actor: Actor | null): Decision {
  if (!actor) return hidden('org');
  if (actor.boundary) return deny(403, 'task_token_out_of_scope', "A task token is good only for its task's channel.");
  switch (actor.member.status) {
    case 'active':
      return allow;
    case 'deactivated':
      return deny(403, 'member_deactivated', 'Your membership of this org has been deactivated.');
    case 'suspended':
    case 'retired':
      return deny(403, 'agent_inactive', `This agent is ${actor.member.status}.`);
  }
}

function humansOnly(actor: Actor, what: string): Decision {
  return isHuman(actor) ? allow : deny(403, 'agents_not_allowed', `Agents cannot ${what}.`);
}

function adminsOnly(actor: Actor, what: string): Decision {
  return isOrgAdmin(actor) ? allow : deny(403, 'admin_required', `Only org owners and admins can ${what}.`);
}

export function canManageMember(actor: Actor, target: Member, newRole?: OrgRole): Decision {
  return all(
    () => humansOnly(actor, 'change members'),
    () => adminsOnly(actor, 'change members'),
    () => (target.kind === 'agent' ? deny(409, 'member_is_agent', 'Agents are managed through their agent settings.') : allow),
    () =>
      actor.member.role !== 'owner' && (target.role === 'owner' || newRole === 'owner')
        ? deny(403, 'owner_required', 'Only an owner can change an owner or grant ownership.')
        : allow,
  );
}

/** Renaming the org and its other settings. */
export function canManageOrg(actor: Actor): Decision {
  return all(() => humansOnly(actor, 'change the org'), () => adminsOnly(actor, 'change the org'));
}

export function canInvite(actor: Actor, role: OrgRole): Decision {
  return all(
    () => humansOnly(actor, 'invite'),
    () => (actor.member.role === 'guest' ? deny(403, 'guests_cannot_invite', 'Guests cannot invite.') : allow),
    () => (role === 'admin' ? adminsOnly(actor, 'invite admins') : allow),
  );
}

export function canManageInvites(actor: Actor): Decision {
  return all(() => humansOnly(actor, 'manage invites'), () => adminsOnly(actor, 'manage invites'));
}

export function canCreateAgent(actor: Actor): Decision {
  return all(
    () => humansOnly(actor, 'create agents'),
    () => (actor.member.role === 'guest' ? deny(403, 'guests_cannot_create_agents', 'Guests cannot create agents.') : allow),
  );
}

/** Only the agent's sponsor or an org admin manages it. */
export function canManageAgent(actor: Actor, sponsorId: string): Decision {
  return all(
    () => humansOnly(actor, 'manage agents'),
    () =>
      actor.member.id === sponsorId || isOrgAdmin(actor)
        ? allow
        : deny(403, 'not_sponsor', "Only the agent's sponsor or an org admin can manage it."),
  );
}

export function canCreateChannel(actor: Actor): Decision {
  return all(
    () => humansOnly(actor, 'create channels'),
    () => (actor.member.role === 'guest' ? deny(403, 'guests_cannot_create_channels', 'Guests cannot create channels.') : allow),
  );
}

/** Being an active member, for the channel routes: a task token passes here and is confined by `canSee`. */
export function canEnterOrgForChannel(actor: Actor | null): Decision {
  return actor?.boundary ? canEnterOrg({ member: actor.member, scopes: actor.scopes }) : canEnterOrg(actor);
}

/**
 * Reading the org's directory and one's channel list (members, agents, presence, channels): every
 * member may; an agent token needs `channels:read`.
 */
export function canReadDirectory(actor: Actor): Decision {
  return hasScope(actor, 'channels:read') ? allow : deny(403, 'insufficient_scope', 'This token lacks the channels:read scope.');
}

/** Guests, as in Slack and Mattermost, write privately only to people they already share a channel with. */
export function canOpenDm(actor: Actor, others: { allShareAChannel: boolean }): Decision {
  return all(
    () => humansOnly(actor, 'open direct messages'),
    () =>
      actor.member.role === 'guest' && !others.allShareAChannel
        ? deny(403, 'guest_dm_restricted', 'Guests can message only people they share a channel with.')
        : allow,
  );
}

/** An agent is in a direct message only with its sponsor: it never reads where its sponsor cannot (DESIGN §2.2). */
export function canIncludeAgentsInDm(agentsWithoutSponsor: readonly string[]): Decision {
  return agentsWithoutSponsor.length > 0
    ? deny(409, 'sponsor_lacks_access', 'An agent joins a direct message only together with its sponsor.', { member_ids: [...agentsWithoutSponsor] })
    : allow;
}
