import type { ChannelRole } from '../db/schema.js';
import type { ChannelView } from '../channels/presenters.js';
import type { MessageView, ThreadSummary } from '../messages/presenters.js';

/**
 * The one catalogue of channel events: every change to a channel appends one
 * of these to the channel's event log, with the channel's next `seq`, in the
 * transaction that makes the change. Adding an event means adding it here.
 */
export interface ChannelEventPayloads {
  'channel.created': { channel: ChannelView };
  'channel.updated': { channel: ChannelView; changed: string[] };
  'channel.archived': { channel: ChannelView };
  'channel.unarchived': { channel: ChannelView };
  'member.joined': { member_id: string; role: ChannelRole; added_by: string | null };
  'member.left': { member_id: string; removed_by: string | null };
  'member.role_changed': { member_id: string; role: ChannelRole };
  'message.created': { message: MessageView };
  'message.edited': { message: MessageView };
  'message.deleted': { message: MessageView };
  'thread.updated': { thread: ThreadSummary };
  'reaction.added': { message_id: string; emoji: string; member_id: string };
  'reaction.removed': { message_id: string; emoji: string; member_id: string };
}

export type ChannelEventType = keyof ChannelEventPayloads;

export const channelEventTypes = [
  'channel.created',
  'channel.updated',
  'channel.archived',
  'channel.unarchived',
  'member.joined',
  'member.left',
  'member.role_changed',
  'message.created',
  'message.edited',
  'message.deleted',
  'thread.updated',
  'reaction.added',
  'reaction.removed',
] as const satisfies readonly ChannelEventType[];

/** A channel event as stored in the log, published on the bus and sent to clients. */
export type ChannelEvent = {
  [T in ChannelEventType]: {
    org_id: string;
    channel_id: string;
    seq: number;
    type: T;
    actor_id: string | null;
    payload: ChannelEventPayloads[T];
    created_at: string;
  };
}[ChannelEventType];
