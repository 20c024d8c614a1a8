import type { Db, Trx } from '../db/database.js';
import type { Message } from '../db/schema.js';
import { presentFile } from '../files/presenters.js';
import type { FileView } from '@chorus/protocol/views';
import { presentMessage, type Author, type MessageView, type ReactionGroup } from './presenters.js';

/**
 * Shapes a page of messages with their authors, mentions, grouped reactions
 * pins and attachments: five queries for the whole page, whatever its size.
 * Without `reactions` (the event log's replay, whose reaction events follow
 * each message), every message shows none and they are not read.
 */
export async function viewsOf(db: Db | Trx, messages: Message[], options: { reactions?: boolean } = {}): Promise<MessageView[]> {
  if (messages.length === 0) return [];
  const ids = messages.map((m) => m.id);
  const authorIds = [...new Set(messages.map((m) => m.author_id))];
  const [authors, mentions, reactions, pins, files] = await Promise.all([
    db.selectFrom('members').select(['id', 'handle', 'display_name', 'kind']).where('id', 'in', authorIds).execute(),
    db.selectFrom('message_mentions').select(['message_id', 'member_id']).where('message_id', 'in', ids).execute(),
    options.reactions === false
      ? []
      : db.selectFrom('reactions').select(['message_id', 'emoji', 'member_id']).where('message_id', 'in', ids).orderBy('created_at').execute(),
    db.selectFrom('pins').select('message_id').where('message_id', 'in', ids).execute(),
    attachmentsOf(db, ids),
  ]);
  const filesBy = files;
  const pinned = new Set(pins.map((p) => p.message_id));
  const authorById = new Map<string, Author>(authors.map((a) => [a.id, a]));
  const mentionsBy = new Map<string, string[]>();
  for (const m of mentions) mentionsBy.set(m.message_id, [...(mentionsBy.get(m.message_id) ?? []), m.member_id]);
  const reactionsBy = new Map<string, Map<string, ReactionGroup>>();
  for (const r of reactions) {
    const groups = reactionsBy.get(r.message_id) ?? new Map<string, ReactionGroup>();
    const group = groups.get(r.emoji) ?? { emoji: r.emoji, count: 0, member_ids: [] };
    group.count += 1;
    group.member_ids.push(r.member_id);
    groups.set(r.emoji, group);
    reactionsBy.set(r.message_id, groups);
  }
  return messages.map((m) => {
    const author = authorById.get(m.author_id) ?? { id: m.author_id, handle: 'unknown', display_name: 'Unknown', kind: 'human' as const };
    return presentMessage(m, author, mentionsBy.get(m.id) ?? [], [...(reactionsBy.get(m.id)?.values() ?? [])], pinned.has(m.id), filesBy.get(m.id) ?? []);
  });
}

/** The files attached to these messages (deleted ones left out), oldest first: message id → files. */
export async function attachmentsOf(db: Db | Trx, messageIds: string[]): Promise<Map<string, FileView[]>> {
  const filesBy = new Map<string, FileView[]>();
  if (messageIds.length === 0) return filesBy;
  const files = await db
    .selectFrom('files')
    .select(['id', 'channel_id', 'message_id', 'uploader_id', 'name', 'size', 'mime', 'width', 'height', 'preview_key', 'created_at'])
    .where('message_id', 'in', messageIds)
    .where('deleted_at', 'is', null)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  for (const f of files) if (f.message_id) filesBy.set(f.message_id, [...(filesBy.get(f.message_id) ?? []), presentFile(f)]);
  return filesBy;
}

export async function viewOf(db: Db | Trx, message: Message): Promise<MessageView> {
  const [view] = await viewsOf(db, [message]);
  if (!view) throw new Error('unreachable: a view for every message');
  return view;
}
