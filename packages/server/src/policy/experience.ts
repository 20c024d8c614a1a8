import type { ExperienceEntry, Task } from '../db/schema.js';
import { hasScope, isAgent, isHuman, isOrgAdmin, type Actor } from './actor.js';
import { canReact, canSee, type ChannelAccess } from './channel.js';
import { all, allow, deny, hidden, type Decision } from './decision.js';

/**
 * Experience rules (DESIGN §2.3). An entry is read by:
 * - channel scope: its origin channel's readers (`canSee`, so a task token only in its task's channel);
 * - org scope: every active member of the org who is not a guest; an agent working with a task token
 *   only when everyone who reads its task's channel reads org entries too (the audience rule);
 * and never by an agent when a source was kept from agents (`audience: humans`).
 * Whoever may not read an entry is told it does not exist. The author, the origin channel's
 * moderators and org admins own it: they edit it and change its status.
 */
export interface EntryAccess {
  actor: Actor;
  entry: Pick<ExperienceEntry, 'author_id' | 'scope' | 'audience'>;
  /** The actor and the origin channel. */
  origin: ChannelAccess;
  /** For a task token: whether readers(task channel) ⊆ readers(org-scope entries). */
  boundaryCovered: boolean;
}

const isModerator = (a: ChannelAccess) => a.membership?.role === 'owner' || a.membership?.role === 'moderator';

function scope(actor: Actor, needed: 'messages:read' | 'messages:write'): Decision {
  return hasScope(actor, needed) ? allow : deny(403, 'insufficient_scope', `This token lacks the ${needed} scope.`);
}

/** Whether the actor is among the readers of the entry; no scope check. */
export function readsEntry(e: EntryAccess): boolean {
  if (e.entry.scope === 'org') return readsOrgEntry(e.actor, e.entry, e.boundaryCovered);
  return !(isAgent(e.actor) && e.entry.audience === 'humans') && canSee(e.origin).allowed;
}

/** An org-scope entry: active members who are not guests; a task token only where the task's channel is covered. */
export function readsOrgEntry(actor: Actor, entry: Pick<ExperienceEntry, 'audience'>, boundaryCovered: boolean): boolean {
  if (isAgent(actor) && entry.audience === 'humans') return false;
  if (actor.member.role === 'guest' || actor.member.status !== 'active') return false;
  return actor.boundary ? boundaryCovered : true;
}

export function canReadEntry(e: EntryAccess): Decision {
  return all(() => (readsEntry(e) ? allow : hidden('experience')), () => scope(e.actor, 'messages:read'));
}

/** Distilling an entry in a channel: whoever may react there (not archived, messages:write), observers excepted. */
export function canCreateEntry(a: ChannelAccess): Decision {
  return all(
    () => canReact(a),
    () => (a.membership?.role === 'observer' ? deny(403, 'read_only_member', 'Observers cannot add experience in this channel.') : allow),
  );
}

/** Editing, deprecating, superseding: the author, the origin channel's moderators, org admins (people). */
export function canEditEntry(e: EntryAccess): Decision {
  return all(
    () => canReadEntry(e),
    () => scope(e.actor, 'messages:write'),
    () =>
      e.entry.author_id === e.actor.member.id || isModerator(e.origin) || (isHuman(e.actor) && isOrgAdmin(e.actor))
        ? allow
        : deny(403, 'not_entry_owner', "Only the entry's author, the origin channel's moderators and org admins can change it."),
  );
}

/** Confirming an entry under review is a person's judgement, by one of its owners. */
export function canConfirmEntry(e: EntryAccess): Decision {
  return all(
    () => (readsEntry(e) ? allow : hidden('experience')),
    () => (isHuman(e.actor) ? allow : deny(403, 'agents_not_allowed', 'Only people confirm experience.')),
    () => canEditEntry(e),
  );
}

/**
 * Promotion to org scope: a person who owns the entry, when the audience rule holds for the whole
 * org; otherwise only an org admin's explicit override.
 */
export function canPromoteEntry(e: EntryAccess, ruleHolds: boolean, override: boolean): Decision {
  return all(
    () => canEditEntry(e),
    () => (isHuman(e.actor) ? allow : deny(403, 'agents_not_allowed', 'Only people promote experience.')),
    () => (e.entry.scope === 'org' ? deny(409, 'already_org_scope', 'This entry is already org-wide.') : allow),
    () => (override && !isOrgAdmin(e.actor) ? deny(403, 'admin_required', 'Only org owners and admins can override the audience rule.') : allow),
    () =>
      ruleHolds || override
        ? allow
        : deny(409, 'audience_rule_not_met', 'Not every member of the org may read the sources of this entry; an org admin may override explicitly.'),
  );
}

/** Endorsing or flagging: people who read the entry, not on their own entries. */
export function canVoteEntry(e: EntryAccess): Decision {
  return all(
    () => canReadEntry(e),
    () => (isHuman(e.actor) ? allow : deny(403, 'agents_not_allowed', 'Agents report outcomes on the tasks they used an entry in; people endorse or flag.')),
    () => (e.entry.author_id === e.actor.member.id ? deny(403, 'own_entry', 'You cannot rate your own entry.') : allow),
  );
}

/**
 * Reporting whether an entry helped: the agent the task is assigned to, with its own token or
 * that task's token; the entry must be readable where the task is (checked by the caller with
 * the task's channel as the origin of the access).
 */
export function canReportOutcome(e: EntryAccess, task: Pick<Task, 'id' | 'agent_id'> | null): Decision {
  return all(
    () => canReadEntry(e),
    () => scope(e.actor, 'messages:write'),
    () => (isAgent(e.actor) ? allow : deny(403, 'agents_only', 'Agents report outcomes; people endorse or flag.')),
    () => (!task || task.agent_id !== e.actor.member.id || (e.actor.boundary && e.actor.boundary.taskId !== task.id) ? hidden('task') : allow),
  );
}

/** A channel's experience and review queue: whoever sees the channel (agents with messages:read). */
export function canListChannelEntries(a: ChannelAccess): Decision {
  return all(() => canSee(a), () => scope(a.actor, 'messages:read'));
}

/** A channel's insights: people who see the channel. */
export function canReadChannelInsights(a: ChannelAccess): Decision {
  return all(() => canSee(a), () => (isHuman(a.actor) ? allow : deny(403, 'agents_not_allowed', 'Agents cannot read insights.')));
}
