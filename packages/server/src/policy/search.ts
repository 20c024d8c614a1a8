import { hasScope, type Actor } from './actor.js';
import { flowAllowed, type Readers } from './audience.js';
import { canReadMessages, type ChannelAccess } from './channel.js';
import { all, allow, deny, type Decision } from './decision.js';
import { canEnterOrgForChannel } from './org.js';

/**
 * Search (DESIGN §2.1, §2.2): what a member may find is what it may read,
 * channel by channel, and an agent working with a task token finds only what
 * its task's channel may be shown.
 *
 * - People: every channel `canSee` lets them read — the channels they are in,
 *   and, unless they are guests, the org's public channels — above their
 *   history floor (`since_join`), under each channel's read rules.
 * - Agents: the channels they were added to, under the same rules (audience,
 *   `mentions_only`, `agent_history_days`, reasoning).
 * - With a task token: of those, only channels whose readers include every
 *   reader of the task's channel (the audience rule), so nothing found could not
 *   be shown in the task's channel; the task's channel itself always passes.
 */

/**
 * Searching an org: an active member; an agent token needs `messages:read`. A
 * task token enters too — unlike other org routes — because what it finds is
 * bounded channel by channel by {@link isSearchable}.
 */
export function canSearch(actor: Actor | null): Decision {
  return all(
    () => canEnterOrgForChannel(actor),
    () => (actor && hasScope(actor, 'messages:read') ? allow : deny(403, 'insufficient_scope', 'This token lacks the messages:read scope.')),
  );
}

/**
 * The actor as it reads with its own memberships: a task token's boundary is
 * applied by the audience rule here, not by `canSee`'s channel match.
 */
export function unbounded(actor: Actor): Actor {
  return { member: actor.member, scopes: actor.scopes };
}

/**
 * Whether search may return the channel's content: its messages (above the
 * history floor, under the read rules), its docs (policy/doc.ts: the
 * channel's readers) and its channel-scope experience (policy/experience.ts:
 * the origin channel's readers). `a` is the channel access of the
 * {@link unbounded} actor; `readers` is null without a task token, or the
 * reader sets of this channel and of the task's channel.
 */
export function isSearchable(a: ChannelAccess, readers: { channel: Readers | undefined; task: Readers } | null): boolean {
  if (!canReadMessages(a).allowed) return false;
  if (!readers) return true;
  return readers.channel !== undefined && flowAllowed(readers.channel, readers.task);
}
