import type { MessageView } from '@chorus/sdk';

/** What the sidebar shows of a channel besides its name. */
export interface ChannelEntry {
  unread: number;
  mentions: number;
  /** The seq the member has read up to (the unread divider sits after it). */
  lastReadSeq: number;
}

/** Whether `message` mentions the member `me` (by name, or @channel / @here). */
export function mentionsMe(message: MessageView, me: string): boolean {
  return message.mentions.member_ids.includes(me) || message.mentions.channel || message.mentions.here;
}

/**
 * The entry after a new message arrived in a channel the member is not
 * looking at: one more unread unless it is their own, one more mention when
 * it names them (in a DM, every message is addressed to them).
 */
export function countNewMessage(entry: ChannelEntry, message: MessageView, me: string, direct: boolean): ChannelEntry {
  if (message.author.id === me || message.kind !== 'chat' || message.seq <= entry.lastReadSeq) return entry;
  return { ...entry, unread: entry.unread + 1, mentions: entry.mentions + (direct || mentionsMe(message, me) ? 1 : 0) };
}

/** The entry once the member has read up to `seq`. */
export function readUpTo(entry: ChannelEntry, seq: number): ChannelEntry {
  if (seq <= entry.lastReadSeq && entry.unread === 0) return entry;
  return { unread: 0, mentions: 0, lastReadSeq: Math.max(entry.lastReadSeq, seq) };
}
