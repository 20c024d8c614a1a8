import type { ChannelEvent } from '@chorus/protocol/events';
import type { MessageView } from '@chorus/protocol/views';

/**
 * A channel's unread and mention counts as the viewer's client keeps them:
 * the server's counts from the channel list (`unread_count`, `mention_count`,
 * `membership.last_read_seq`), kept current by the socket's events with the
 * server's rules — unread = top-level messages by others after the read
 * cursor, not deleted; mentions = messages (replies included) by others after
 * the cursor that name the viewer, `@channel`, `@here`, or `@agents` for an
 * agent.
 *
 * @example
 * let counts = countsFromList(entry);                       // from GET /orgs/:id/channels
 * socket.on('event', (e) => { if (e.channel_id === id) counts = countEvent(counts, e, viewer); });
 * socket.on('read', (f) => { if (f.channel_id === id) counts = readUpTo(counts, f.seq); });
 */
export interface UnreadCounts {
  readonly unread: number;
  readonly mentions: number;
  /** The seq the viewer has read up to (the unread divider sits after it). */
  readonly lastReadSeq: number;
  /**
   * The messages counted from events since the snapshot, so that a read
   * cursor short of them (another device read an older head) or their
   * deletion takes back exactly what they added. Absent: none.
   */
  readonly live?: readonly CountedMessage[];
}

/** One message counted from an event. */
export interface CountedMessage {
  readonly id: string;
  readonly seq: number;
  /** Counted as unread (a top-level message). */
  readonly unread: boolean;
  /** Counted as a mention. */
  readonly mention: boolean;
}

/** Who the counts are for: its member id, and whether it is an agent (`@agents` mentions it). */
export interface UnreadViewer {
  readonly memberId: string;
  readonly agent?: boolean;
}

/** No unread messages, read up to `seq`. */
export function zeroCounts(seq: number): UnreadCounts {
  return { unread: 0, mentions: 0, lastReadSeq: seq };
}

/** The counts of an entry of the channel list (`GET /orgs/:orgId/channels`). */
export function countsFromList(entry: { unread_count: number; mention_count: number; membership: { last_read_seq: number } }): UnreadCounts {
  return { unread: entry.unread_count, mentions: entry.mention_count, lastReadSeq: entry.membership.last_read_seq };
}

/** Whether `message` addresses the viewer: by name, `@channel`, `@here`, or `@agents` when it is an agent. */
export function mentionsViewer(message: Pick<MessageView, 'mentions'>, viewer: UnreadViewer): boolean {
  const m = message.mentions;
  return m.member_ids.includes(viewer.memberId) || m.channel || m.here || (viewer.agent === true && m.agents);
}

/**
 * The counts after one channel event: a new message by someone else after the
 * read cursor adds one unread (top-level) and one mention (when it addresses
 * the viewer); deleting a message counted takes it back. Other events change
 * nothing and return the same object, and so do the viewer's own messages.
 */
export function countEvent(counts: UnreadCounts, event: ChannelEvent, viewer: UnreadViewer): UnreadCounts {
  if (event.type === 'message.created') {
    const message = event.payload.message;
    if (message.author.id === viewer.memberId || message.seq <= counts.lastReadSeq || message.deleted_at !== null) return counts;
    const live = counts.live ?? [];
    if (live.some((c) => c.id === message.id)) return counts;
    const counted: CountedMessage = { id: message.id, seq: message.seq, unread: message.thread_root_id === null, mention: mentionsViewer(message, viewer) };
    if (!counted.unread && !counted.mention) return counts;
    return { ...counts, unread: counts.unread + (counted.unread ? 1 : 0), mentions: counts.mentions + (counted.mention ? 1 : 0), live: [...live, counted] };
  }
  if (event.type === 'message.deleted') {
    const message = event.payload.message;
    const live = counts.live ?? [];
    const counted = live.find((c) => c.id === message.id);
    if (counted) {
      return { ...counts, unread: counts.unread - (counted.unread ? 1 : 0), mentions: counts.mentions - (counted.mention ? 1 : 0), live: live.filter((c) => c !== counted) };
    }
    // One the server counted before the snapshot: its unread goes (whether it mentioned the viewer, the tombstone no longer says).
    if (message.author.id !== viewer.memberId && message.seq > counts.lastReadSeq && message.thread_root_id === null && counts.unread > 0) {
      return { ...counts, unread: counts.unread - 1 };
    }
  }
  return counts;
}

/**
 * The counts once the viewer has read up to `seq` (here, or on another
 * device: the socket's `read` frame). What the server counted before the
 * snapshot is cleared; messages counted since stay when they come after `seq`.
 */
export function readUpTo(counts: UnreadCounts, seq: number): UnreadCounts {
  if (seq <= counts.lastReadSeq) return counts;
  const after = (counts.live ?? []).filter((c) => c.seq > seq);
  if (after.length === 0) return zeroCounts(seq);
  return { unread: after.filter((c) => c.unread).length, mentions: after.filter((c) => c.mention).length, lastReadSeq: seq, live: after };
}
