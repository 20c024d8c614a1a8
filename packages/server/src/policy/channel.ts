import type { Channel, ChannelMember, ChannelRole, Member } from '../db/schema.js';
import { hasScope, isAgent, isHuman, isOrgAdmin, type Actor, type Scope } from './actor.js';
import { all, allow, deny, hidden, type Decision } from './decision.js';

/**
 * Channel rules. Every decision takes the channel and the actor's membership
 * of it (null when not a member), loaded before any channel content is read.
 */
export interface ChannelAccess {
  actor: Actor;
  channel: Channel;
  membership: ChannelMember | null;
}

const isModerator = (role: ChannelRole | undefined) => role === 'owner' || role === 'moderator';

function scope(actor: Actor, needed: Scope): Decision {
  return hasScope(actor, needed) ? allow : deny(403, 'insufficient_scope', `This token lacks the ${needed} scope.`);
}

/**
 * May the actor see the channel at all? Members may. Any human org member
 * other than a guest may read a public channel. Agents read only channels
 * they were added to. Everything else is indistinguishable from a missing channel.
 */
export function canSee(a: ChannelAccess): Decision {
  if (a.actor.boundary && a.actor.boundary.channelId !== a.channel.id) return hidden('channel');
  if (a.membership) return allow;
  if (a.channel.kind === 'public' && isHuman(a.actor) && a.actor.member.role !== 'guest') return allow;
  return hidden('channel');
}

export function canViewChannel(a: ChannelAccess): Decision {
  return all(() => canSee(a), () => scope(a.actor, 'channels:read'));
}

export function canReadMessages(a: ChannelAccess): Decision {
  return all(() => canSee(a), () => scope(a.actor, 'messages:read'));
}

function notArchived(channel: Channel): Decision {
  return channel.archived_at ? deny(403, 'channel_archived', 'This channel is archived.') : allow;
}

/** Posting: not archived, not an observer, allowed by `who_may_post`. A human posting in a public channel joins it. */
export function canPost(a: ChannelAccess): Decision {
  return all(
    () => canSee(a),
    () => scope(a.actor, 'messages:write'),
    () => notArchived(a.channel),
    () => (a.membership?.role === 'observer' ? deny(403, 'read_only_member', 'Observers cannot post in this channel.') : allow),
    () =>
      a.channel.who_may_post === 'moderators' && !isModerator(a.membership?.role)
        ? deny(403, 'posting_restricted', 'Only moderators may post in this channel.')
        : allow,
  );
}

/** Reacting and moving one's read cursor are writes too, but observers may do them. */
export function canReact(a: ChannelAccess): Decision {
  return all(() => canSee(a), () => scope(a.actor, 'messages:write'), () => notArchived(a.channel));
}

export function canMarkRead(a: ChannelAccess): Decision {
  return all(
    () => (a.membership ? allow : canSee(a).allowed ? deny(409, 'not_a_member', 'Join the channel first.') : hidden('channel')),
    () => scope(a.actor, 'messages:read'),
  );
}

/**
 * Moderating another member's message: channel owners and moderators, and org admins who can see the channel.
 * It is a write, so an agent moderator's token needs messages:write, as for its own posts.
 */
export function canModerate(a: ChannelAccess): Decision {
  return all(
    () => canSee(a),
    () => scope(a.actor, 'messages:write'),
    () => (isModerator(a.membership?.role) || (isHuman(a.actor) && isOrgAdmin(a.actor)) ? allow : deny(403, 'moderator_required', 'Only channel moderators can do that.')),
  );
}

function isDirect(channel: Channel): boolean {
  return channel.kind === 'dm' || channel.kind === 'group_dm';
}

/** Renaming, the topic, settings, archiving. */
export function canManage(a: ChannelAccess): Decision {
  return all(
    () => canSee(a),
    () => (isAgent(a.actor) ? deny(403, 'agents_not_allowed', 'Agents cannot manage channels.') : allow),
    () => (isDirect(a.channel) ? deny(409, 'direct_channel', 'Direct messages have no name or settings.') : allow),
    () => canModerate(a),
  );
}

export function canJoin(a: ChannelAccess): Decision {
  return all(
    () => canSee(a),
    () => (isAgent(a.actor) ? deny(403, 'agents_not_allowed', 'An agent is added to a channel by someone the channel allows; it cannot join.') : allow),
    () => (a.channel.kind !== 'public' ? deny(403, 'invite_only', 'This channel is invite only.') : allow),
    () => notArchived(a.channel),
    () => (a.membership ? deny(409, 'already_member', 'You are already a member of this channel.') : allow),
  );
}

export function canLeave(a: ChannelAccess): Decision {
  return all(
    () => canSee(a),
    () => (a.membership ? allow : deny(409, 'not_a_member', 'You are not a member of this channel.')),
    // The member set is a direct message's identity: leaving a group DM would strand it (reopening finds it without you).
    () => (isDirect(a.channel) ? deny(409, 'direct_channel', 'You cannot leave a direct message.') : allow),
  );
}

/** Adding `target` to the channel: members may add people; agents follow `who_may_add_agents`. */
export function canAddMember(a: ChannelAccess, target: Member): Decision {
  return all(
    () => canSee(a),
    () => (isAgent(a.actor) ? deny(403, 'agents_not_allowed', 'Agents cannot add members.') : allow),
    () => (isDirect(a.channel) ? deny(409, 'direct_channel', 'The members of a direct message are fixed.') : allow),
    () => notArchived(a.channel),
    () => (a.membership || isOrgAdmin(a.actor) ? allow : deny(403, 'not_a_member', 'Only members can add others to this channel.')),
    () => (a.membership?.role === 'observer' ? deny(403, 'read_only_member', 'Observers cannot add members.') : allow),
    () =>
      target.kind === 'agent' && a.channel.who_may_add_agents === 'moderators' && !isModerator(a.membership?.role) && !isOrgAdmin(a.actor)
        ? deny(403, 'adding_agents_restricted', 'Only moderators may add agents to this channel.')
        : allow,
    () => (target.status !== 'active' ? deny(409, 'member_inactive', 'That member is not active.') : allow),
  );
}

/** Removing another member (`targetRole`: theirs in the channel): moderators may, but only owners and org admins remove an owner. */
export function canRemoveMember(a: ChannelAccess, targetRole: ChannelRole | null): Decision {
  return all(
    () => (isAgent(a.actor) ? deny(403, 'agents_not_allowed', 'Agents cannot remove members.') : allow),
    () => (isDirect(a.channel) ? deny(409, 'direct_channel', 'The members of a direct message are fixed.') : allow),
    () => canModerate(a),
    () =>
      targetRole === 'owner' && a.membership?.role !== 'owner' && !isOrgAdmin(a.actor)
        ? deny(403, 'channel_owner_required', 'Only channel owners and org admins can remove an owner.')
        : allow,
  );
}

export function canChangeRole(a: ChannelAccess): Decision {
  return all(
    () => canSee(a),
    () => (isAgent(a.actor) ? deny(403, 'agents_not_allowed', 'Agents cannot change roles.') : allow),
    () => (isDirect(a.channel) ? deny(409, 'direct_channel', 'Direct messages have no roles.') : allow),
    () => (a.membership?.role === 'owner' || isOrgAdmin(a.actor) ? allow : deny(403, 'channel_owner_required', 'Only channel owners and org admins can change roles.')),
  );
}

/**
 * The seq at and below which a reader sees nothing: with `history_for_new_members = since_join`,
 * members see only what came after they joined, and a non-member reading a public
 * channel sees what joining now would show (else reading without joining, or leaving, would reveal it all).
 */
export function historyFloor(a: ChannelAccess): number {
  if (a.channel.history_for_new_members !== 'since_join') return 0;
  return a.membership ? a.membership.joined_seq : a.channel.last_seq;
}
