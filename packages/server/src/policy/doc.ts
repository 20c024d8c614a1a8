import type { ChannelDoc } from '../db/schema.js';
import { isHuman, isOrgAdmin } from './actor.js';
import { canManage, canPost, canReadMessages, type ChannelAccess } from './channel.js';
import { all, allow, deny, type Decision } from './decision.js';

/**
 * Channel docs follow their channel's readers exactly: whoever may read the
 * channel's messages reads its docs (an agent within its token's boundary and
 * with `messages:read`), and anyone else is told the doc does not exist. Writing
 * follows posting (`canPost`: not archived, not an observer, `who_may_post`;
 * an agent's token needs `messages:write`).
 */

export function canReadDocs(a: ChannelAccess): Decision {
  return canReadMessages(a);
}

function notArchivedDoc(doc: ChannelDoc): Decision {
  return doc.archived_at ? deny(409, 'doc_archived', 'This doc is archived; unarchive it first.') : allow;
}

export function canCreateDoc(a: ChannelAccess): Decision {
  return canPost(a);
}

/** Editing and restoring: whoever may post here, on a doc that is not archived. */
export function canEditDoc(a: ChannelAccess, doc: ChannelDoc): Decision {
  return all(() => canPost(a), () => notArchivedDoc(doc));
}

/** Archiving and unarchiving: the doc's creator (while they may post here), channel moderators and org admins. */
export function canArchiveDoc(a: ChannelAccess, doc: ChannelDoc): Decision {
  const moderator = a.membership?.role === 'owner' || a.membership?.role === 'moderator' || (isHuman(a.actor) && isOrgAdmin(a.actor));
  return all(
    () => canPost(a),
    () => (doc.created_by === a.actor.member.id || moderator ? allow : deny(403, 'moderator_required', "Only the doc's creator and channel moderators can archive it.")),
  );
}

/** Marking the channel's guide for agents: people who manage the channel (moderators, org admins); never an agent. */
export function canSetGuide(a: ChannelAccess, doc: ChannelDoc | null): Decision {
  return all(
    () => canManage(a),
    () => (doc ? notArchivedDoc(doc) : allow),
  );
}
