import { isAgent, isHuman, isOrgAdmin } from './actor.js';
import { canReact, type ChannelAccess } from './channel.js';
import { all, allow, deny, type Decision } from './decision.js';

/**
 * Pinning (and unpinning) a message the actor may read — the caller loads the
 * message through the channel's read path first, so a message hidden from the
 * actor is a 404 before this is asked. `who_may_pin`: `members` (any member
 * who may write here but observers) or `moderators` (channel owners and
 * moderators, and org admins). Agents pin only where members may.
 */
export function canPin(a: ChannelAccess, message: { deleted_at: Date | null }): Decision {
  const moderator = a.membership?.role === 'owner' || a.membership?.role === 'moderator';
  return all(
    () => canReact(a),
    () => (a.membership?.role === 'observer' ? deny(403, 'read_only_member', 'Observers cannot pin in this channel.') : allow),
    () => {
      if (a.channel.who_may_pin === 'members') return allow;
      if (isAgent(a.actor)) return deny(403, 'pinning_restricted', 'Only moderators may pin in this channel, and agents only pin where members may.');
      return moderator || (isHuman(a.actor) && isOrgAdmin(a.actor)) ? allow : deny(403, 'pinning_restricted', 'Only moderators may pin in this channel.');
    },
    () => (message.deleted_at ? deny(409, 'message_deleted', 'This message was deleted.') : allow),
  );
}
