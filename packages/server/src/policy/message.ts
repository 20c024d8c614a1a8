import type { Message, MessageKind } from '../db/schema.js';
import { isAgent, type Actor } from './actor.js';
import { canModerate, canPost, type ChannelAccess } from './channel.js';
import { all, allow, deny, type Decision } from './decision.js';

/** Message rules, on top of the channel rules of the message's channel. */

function notDeleted(message: Message): Decision {
  return message.deleted_at ? deny(409, 'message_deleted', 'This message was deleted.') : allow;
}

/** Only the author edits, and only where they may still post. */
export function canEdit(a: ChannelAccess, message: Message): Decision {
  return all(
    () => canPost(a),
    () => notDeleted(message),
    () => (message.author_id === a.actor.member.id ? allow : deny(403, 'not_author', 'Only the author can edit a message.')),
  );
}

/** The author deletes their own message; moderators and org admins delete anyone's. */
export function canDelete(a: ChannelAccess, message: Message): Decision {
  return all(
    () => notDeleted(message),
    () => (message.author_id === a.actor.member.id ? canPost(a) : canModerate(a)),
  );
}

/**
 * An agent's intermediate steps (`agent_reasoning`, `agent_tool`) are posted by
 * agents only; a person's post is `chat`. (`system` notices never come through a
 * send: the request schemas refuse them.)
 */
export function canPostKind(actor: Actor, kind: MessageKind): Decision {
  if ((kind === 'agent_reasoning' || kind === 'agent_tool') && !isAgent(actor)) {
    return deny(403, 'agents_only_kind', `Only agents post ${kind} messages.`);
  }
  return allow;
}
