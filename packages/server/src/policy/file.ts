import type { FileRow } from '../db/schema.js';
import { canModerate, canPost, canReadMessages, canSee, type ChannelAccess } from './channel.js';
import { all, allow, deny, hidden, type Decision } from './decision.js';

/**
 * File rules, on top of the channel rules of the file's channel. A file is
 * read like the message it is attached to: `fileReadable` (files/access.ts)
 * checks that message through the channel's read path; these rules decide
 * what may be attempted at all.
 */

/** Uploading to a channel is posting there (an upload is meant to be attached to a post). */
export const canUpload = canPost;

/** Reading a channel's files needs what reading its messages needs. */
export const canReadFiles = canReadMessages;

/**
 * A pending file (not attached yet) is its uploader's alone: nobody else learns
 * it exists. An attached one is read through its message (files/access.ts).
 */
export function canReadPending(a: ChannelAccess, file: FileRow): Decision {
  return all(
    () => canReadMessages(a),
    () => (file.uploader_id === a.actor.member.id ? allow : hidden('file')),
  );
}

/** Attaching: the uploader, to a message of its own in the file's channel, once. */
export function canAttach(a: ChannelAccess, file: FileRow | undefined): Decision {
  if (!file || file.channel_id !== a.channel.id || file.uploader_id !== a.actor.member.id || file.deleted_at) return hidden('file');
  return file.message_id ? deny(409, 'file_attached', 'This file is already attached to a message.') : allow;
}

/** The uploader deletes its own file wherever it still sees the channel; channel moderators and org admins delete any. */
export function canDeleteFile(a: ChannelAccess, file: FileRow): Decision {
  return all(
    () => (file.deleted_at ? deny(409, 'file_deleted', 'This file was deleted.') : allow),
    () => (file.uploader_id === a.actor.member.id ? canSee(a) : canModerate(a)),
  );
}
