import { sql } from 'kysely';
import type { FileView } from '@chorus/protocol/views';
import type { Trx } from '../db/database.js';
import type { FileRow } from '../db/schema.js';
import { AppError, conflict } from '../http/errors.js';
import type { ChannelAccess } from '../policy/channel.js';
import { refusal } from '../policy/decision.js';
import { canAttach } from '../policy/file.js';
import { presentFile } from './presenters.js';

/** Files one message may carry. */
export const maxAttachments = 10;

/** A send of the batch that names files to attach. */
export interface AttachRequest {
  key: string;
  a: ChannelAccess;
  fileIds: string[];
}

/**
 * Locks every file the batch's sends name (in id order, as the channels are)
 * and judges each send: its files must be the author's own pending uploads in
 * the message's channel, each claimed by one send only. Returns the refusal
 * of each send that fails, and the rows of the others' files.
 */
export async function lockAttachments(trx: Trx, requests: AttachRequest[]): Promise<{ refused: Map<string, AppError>; files: Map<string, FileRow> }> {
  const refused = new Map<string, AppError>();
  const ids = [...new Set(requests.flatMap((r) => r.fileIds))].sort();
  if (ids.length === 0) return { refused, files: new Map() };
  const rows = await trx.selectFrom('files').selectAll().where('id', '=', sql<string>`any(${ids})`).orderBy('id').forUpdate().execute();
  const byId = new Map(rows.map((f) => [f.id, f]));
  const claimed = new Set<string>();
  for (const r of requests) {
    for (const id of r.fileIds) {
      const decision = canAttach(r.a, byId.get(id));
      if (!decision.allowed) {
        refused.set(r.key, refusal(decision));
        break;
      }
      if (claimed.has(id)) {
        refused.set(r.key, conflict('file_attached', 'This file is already attached to a message.'));
        break;
      }
    }
    if (!refused.has(r.key)) for (const id of r.fileIds) claimed.add(id);
  }
  return { refused, files: byId };
}

/** Attaches each message's files (already judged by {@link lockAttachments}); returns their views by message id, in the order named. */
export async function attachFiles(trx: Trx, pairs: { messageId: string; fileIds: string[] }[], files: ReadonlyMap<string, FileRow>): Promise<Map<string, FileView[]>> {
  const views = new Map<string, FileView[]>();
  const fileIds = pairs.flatMap((p) => p.fileIds);
  if (fileIds.length === 0) return views;
  const messageIds = pairs.flatMap((p) => p.fileIds.map(() => p.messageId));
  await sql`update files set message_id = v.message_id, attached_at = now()
    from unnest(${fileIds}::uuid[], ${messageIds}::uuid[]) as v(id, message_id)
    where files.id = v.id`.execute(trx);
  for (const p of pairs) {
    views.set(
      p.messageId,
      p.fileIds.flatMap((id) => {
        const f = files.get(id);
        return f ? [presentFile({ ...f, message_id: p.messageId })] : [];
      }).sort((x, y) => (x.created_at === y.created_at ? (x.id < y.id ? -1 : 1) : x.created_at < y.created_at ? -1 : 1)),
    ); // the order of GET /messages/:id (messages/views.ts): upload order
  }
  return views;
}
