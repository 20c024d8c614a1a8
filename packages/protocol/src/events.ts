import type { DocSummary, PinView } from './knowledge.js';
import type { ExperienceRef } from './experience.js';
import type { ChannelRole, ChannelView, MessageView, TaskView, ThreadSummary } from './views.js';

/**
 * The one catalogue of channel events. Every change to a channel appends one
 * of these to the channel's event log with the channel's next `seq`, in the
 * transaction that makes the change; clients apply them in `seq` order.
 */
export interface ChannelEventPayloads {
  'channel.created': { channel: ChannelView };
  'channel.updated': { channel: ChannelView; changed: string[] };
  'channel.archived': { channel: ChannelView };
  'channel.unarchived': { channel: ChannelView };
  /** `channel` is the channel as of the join, so a new member's client needs nothing else to show it. */
  'member.joined': { member_id: string; role: ChannelRole; added_by: string | null; channel: ChannelView };
  'member.left': { member_id: string; removed_by: string | null };
  'member.role_changed': { member_id: string; role: ChannelRole };
  'message.created': { message: MessageView };
  'message.edited': { message: MessageView };
  'message.deleted': { message: MessageView };
  /**
   * The retention job deleted these messages for good (whole threads: roots and their replies).
   * Ids only; clients drop them from what they hold, with no tombstone.
   */
  'messages.expired': { message_ids: string[] };
  'thread.updated': { thread: ThreadSummary };
  'reaction.added': { message_id: string; emoji: string; member_id: string };
  'reaction.removed': { message_id: string; emoji: string; member_id: string };
  /** A task for an agent in this channel: its agent, a member, receives it and may claim it. */
  'task.created': { task: TaskView };
  /** Claimed, finished, failed, requeued, or judged by a person. */
  'task.updated': { task: TaskView };
  /** A person rated the result, changed or withdrew their rating: the task with its new average (scores stay private). */
  'task.rated': { task: TaskView; rated_by: string };
  /** A message was pinned. Sent only to those who may read the message, like its reactions. */
  'pin.added': { pin: PinView };
  /** Unpinned (or its message was deleted); `removed_by` is null when the deletion removed it. */
  'pin.removed': { message_id: string; removed_by: string | null };
  /** Doc events never carry the body (up to 100,000 characters): fetch `GET /docs/:id` for it. */
  'doc.created': { doc: DocSummary };
  /** A new revision: an edit, or a restore of `restored_from`. */
  'doc.updated': { doc: DocSummary; restored_from: number | null };
  'doc.archived': { doc: DocSummary };
  'doc.unarchived': { doc: DocSummary };
  /** The channel's guide for agents is now `doc_id` (null: none). */
  'doc.guide_changed': { doc_id: string | null; previous_doc_id: string | null };
  /** An experience entry distilled in this channel (its origin). Ids only: its content is read through the API. */
  'experience.created': { experience: ExperienceRef };
  /** Edited, voted on, reported on or confirmed: `changed` names what. */
  'experience.updated': { experience: ExperienceRef; changed: string[] };
  /** Deprecated, superseded or promoted to org scope. */
  'experience.status_changed': { experience: ExperienceRef; previous: { status: string; scope: string } };
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
  'messages.expired',
  'thread.updated',
  'reaction.added',
  'reaction.removed',
  'task.created',
  'task.updated',
  'task.rated',
  'pin.added',
  'pin.removed',
  'doc.created',
  'doc.updated',
  'doc.archived',
  'doc.unarchived',
  'doc.guide_changed',
  'experience.created',
  'experience.updated',
  'experience.status_changed',
] as const satisfies readonly ChannelEventType[];

/** A channel event as stored in the log, carried by the bus and sent to clients. */
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

export type ChannelEventOf<T extends ChannelEventType> = Extract<ChannelEvent, { type: T }>;
