import type { MessageView } from '@chorus/sdk';

/** A row of the message list: a message, or the unread divider before the first unread one. */
export type Row =
  | { kind: 'message'; key: string; message: MessageView; compact: boolean }
  | { kind: 'divider'; key: string }
  | { kind: 'start'; key: string };

const groupMs = 5 * 60_000;

/**
 * The list's rows: messages oldest first, a run of one author's messages within
 * five minutes drawn compact (one header), and the "new messages" divider before
 * the first message after `lastReadSeq` that someone else wrote.
 */
export function buildRows(messages: readonly MessageView[], lastReadSeq: number | null, me: string | null, atStart = false): Row[] {
  const rows: Row[] = atStart && messages.length > 0 ? [{ kind: 'start', key: 'start' }] : [];
  let divided = lastReadSeq === null;
  let previous: MessageView | null = null;
  for (const message of messages) {
    let compact = previous !== null && previous.author.id === message.author.id && previous.deleted_at === null
      && Date.parse(message.created_at) - Date.parse(previous.created_at) < groupMs;
    if (!divided && lastReadSeq !== null && message.seq > lastReadSeq && message.author.id !== me) {
      rows.push({ kind: 'divider', key: 'divider' });
      divided = true;
      compact = false;
    }
    rows.push({ kind: 'message', key: message.id, message, compact });
    previous = message;
  }
  return rows;
}
