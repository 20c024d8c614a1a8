import { sql } from 'kysely';
import type { Trx } from '../db/database.js';
import type { Signal } from './signals.js';
import type { ChannelEvent, ChannelEventPayloads, ChannelEventType } from '@chorus/protocol/events';
import type { MessageView } from '@chorus/protocol/views';

/** What a mutation runs with: its transaction, and the events that will be published if it commits. */
export interface Mutation {
  trx: Trx;
  readonly events: ChannelEvent[];
  /** Ephemeral notices (a member lost access…), also published only after commit. */
  readonly signals: Signal[];
}

/**
 * Reserves the channel's next `count` sequence numbers and returns the first.
 * The row lock this takes orders concurrent writers to one channel.
 */
export async function allocateSeq(trx: Trx, channelId: string, count = 1): Promise<number> {
  const row = await trx
    .updateTable('channels')
    .set({ last_seq: sql`last_seq + ${count}` })
    .where('id', '=', channelId)
    .returning('last_seq')
    .executeTakeFirstOrThrow();
  return row.last_seq - count + 1;
}

/**
 * The events the `channel_events` table stores: every type but
 * `message.created`, whose record is the message's own row (same seq). The
 * log reader (realtime/event-log.ts) derives it from `messages`, so a send
 * writes one row, not two copies of the message, and a replay shows a
 * message as it is now: edited, or deleted with nothing of it left.
 */
export type StoredEventType = Exclude<ChannelEventType, 'message.created'>;

export interface NewEvent<T extends StoredEventType> {
  orgId: string;
  channelId: string;
  type: T;
  actorId: string | null;
  payload: ChannelEventPayloads[T];
  /** A seq already allocated for this change (a message takes its event's seq); allocated here if absent. */
  seq?: number;
}

/** Appends an event to the channel's log inside the mutation; it is published only after commit. */
export async function appendEvent<T extends StoredEventType>(m: Mutation, e: NewEvent<T>): Promise<ChannelEvent> {
  const seq = e.seq ?? (await allocateSeq(m.trx, e.channelId));
  const row = await m.trx
    .insertInto('channel_events')
    .values({
      channel_id: e.channelId,
      seq,
      type: e.type,
      actor_id: e.actorId,
      payload: JSON.stringify(e.payload),
    })
    .returning('created_at')
    .executeTakeFirstOrThrow();
  const event = {
    org_id: e.orgId,
    channel_id: e.channelId,
    seq,
    type: e.type,
    actor_id: e.actorId,
    payload: e.payload,
    created_at: row.created_at.toISOString(),
  } as ChannelEvent;
  m.events.push(event);
  return event;
}

/**
 * A message's `message.created` event, built from the message itself: the
 * same whether published when the message is written or derived from its row
 * when the log is replayed. A system message has no actor (the server speaks).
 */
export function createdEvent(orgId: string, message: MessageView): ChannelEvent {
  return {
    org_id: orgId,
    channel_id: message.channel_id,
    seq: message.seq,
    type: 'message.created',
    actor_id: message.kind === 'system' ? null : message.author.id,
    payload: { message },
    created_at: message.created_at,
  };
}

/**
 * Announces a message written in this mutation: its `message.created` event is
 * published after commit and stored nowhere else, the message's row being its
 * record in the log.
 */
export function announceMessage(m: Mutation, orgId: string, message: MessageView): void {
  m.events.push(createdEvent(orgId, message));
}
