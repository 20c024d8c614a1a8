import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { ChannelEvent } from '@chorus/protocol/events';
import { messageColumns, type Channel, type ChannelMember, type Message, type NewMessage } from '../db/schema.js';
import { createdEvent, type Mutation } from '../events/log.js';
import { AppError, badRequest, conflict, notFound } from '../http/errors.js';
import type { Actor } from '../policy/actor.js';
import { canPost, historyFloor, type ChannelAccess } from '../policy/channel.js';
import { all, refusal } from '../policy/decision.js';
import { canPostKind } from '../policy/message.js';
import { canEnterOrgForChannel } from '../policy/org.js';
import { presentChannel } from '../channels/presenters.js';
import { createTasksFromMessages } from '../tasks/mentions.js';
import { parseMentions } from './mentions.js';
import { presentMessage, threadSummary, type MessageView } from './presenters.js';
import { auditAgentWrites } from './sources.js';
import type { NewMessageInput } from './service.js';
import { attachFiles, lockAttachments } from '../files/attach.js';
import { unnestRows, type ElementType } from '../db/bulk.js';

/**
 * One send: who sends (as the caller knows them: a connection's actor may be
 * minutes old), where, and what. The batch judges it again with the member,
 * channel and membership as they are under the channel's lock, so a send costs
 * no reads of its own and nothing changes between the decision and the write.
 */
export interface SendRequest {
  actor: Actor;
  channelId: string;
  input: NewMessageInput;
}

export type SendOutcome =
  | { kind: 'stored'; message: MessageView }
  | { kind: 'duplicate'; messageId: string }
  | { kind: 'refused'; error: AppError };

/** The columns a send writes, as {@link unnestRows} passes them. */
const messageTypes = {
  id: 'uuid', org_id: 'uuid', channel_id: 'uuid', seq: 'bigint', author_id: 'uuid', kind: 'text', audience: 'text', sources: 'jsonb', body: 'text',
  thread_root_id: 'uuid', mentions_all: 'boolean', mentions_here: 'boolean', mentions_agents: 'boolean', stream_state: 'text',
} as const satisfies Partial<Record<keyof NewMessage, ElementType>>;
const claimTypes = { author_id: 'uuid', client_msg_id: 'text', message_id: 'uuid' } as const satisfies Record<string, ElementType>;
const eventTypes = { channel_id: 'uuid', seq: 'bigint', type: 'text', actor_id: 'uuid', payload: 'jsonb' } as const satisfies Record<string, ElementType>;

const key = (r: SendRequest) => `${r.actor.member.id}\u0000${r.input.client_msg_id ?? ''}`;
const unique = <T>(items: T[]) => [...new Set(items)];
/** `= any($1)`: a batch's ids as one array parameter, so the statement's text does not grow with the batch. */
const anyOf = (ids: string[]) => sql<string>`any(${ids})`;

/**
 * Writes a batch of sends in the caller's transaction, with a handful of
 * statements whatever the batch size: channels locked in id order, thread
 * roots checked, client_msg_ids claimed, first posters joined, seqs assigned
 * in arrival order per channel, then messages, mentions, thread summaries and
 * channel events inserted in bulk. A send that fails its own checks is
 * refused alone and writes nothing; the others go ahead.
 */
interface Entry {
  r: SendRequest;
  /** The sender, channel and membership as of this transaction; set once the send is allowed. */
  a?: ChannelAccess;
  id: string;
  outcome?: SendOutcome;
  /** An earlier send of this batch with the same author and client_msg_id. */
  sameAs?: Entry;
  threadSeq?: number;
}

export async function writeSends(m: Mutation, requests: SendRequest[]): Promise<SendOutcome[]> {
  const trx = m.trx;
  const entries: Entry[] = requests.map((r) => ({ r, id: randomUUID() }));

  // Channels, locked in a fixed order so concurrent batches queue instead of deadlocking.
  const channelIds = unique(requests.map((r) => r.channelId)).sort();
  const channels = await trx.selectFrom('channels').selectAll().where('id', '=', anyOf(channelIds)).orderBy('id').forUpdate().execute();
  const channelById = new Map(channels.map((c) => [c.id, c]));

  // Every send judged by the policy with its member and membership as they are now, two reads for the batch.
  const authorIds = unique(requests.map((r) => r.actor.member.id));
  const members = await trx.selectFrom('members').selectAll().where('id', '=', anyOf(authorIds)).execute();
  const memberships = channels.length
    ? await trx.selectFrom('channel_members').selectAll().where('channel_id', '=', anyOf(channels.map((c) => c.id))).where('member_id', '=', anyOf(authorIds)).execute()
    : [];
  const memberById = new Map(members.map((row) => [row.id, row]));
  const membershipOf = new Map(memberships.map((row) => [`${row.channel_id}:${row.member_id}`, row]));
  for (const e of entries) {
    const judged = judge(e.r, channelById.get(e.r.channelId), memberById, membershipOf);
    if (judged instanceof AppError) e.outcome = { kind: 'refused', error: judged };
    else e.a = judged;
  }

  // Thread roots: no key update, so reactions and reads of the root are not blocked.
  const rootIds = unique(requests.flatMap((r) => (r.input.thread_root_id ? [r.input.thread_root_id] : []))).sort();
  const roots = rootIds.length ? await trx.selectFrom('messages').selectAll().where('id', 'in', rootIds).orderBy('id').forNoKeyUpdate().execute() : [];
  const rootById = new Map(roots.map((r) => [r.id, r]));
  for (const e of entries) {
    if (!e.a || !e.r.input.thread_root_id) continue;
    const root = rootById.get(e.r.input.thread_root_id);
    const error =
      !root || root.channel_id !== e.a.channel.id || root.seq <= historyFloor(e.a) ? notFound('thread_root')
      : root.thread_root_id ? badRequest('nested_thread', 'Reply to the thread root, not to a reply.')
      : root.deleted_at ? conflict('message_deleted', 'The thread root was deleted.')
      : null;
    if (error) e.outcome = { kind: 'refused', error };
  }

  // Attachments: the author's own pending uploads in the channel, locked, each claimed by one send.
  const attaching = entries.flatMap((e) => (e.a && !e.outcome && e.r.input.file_ids?.length ? [{ key: e.id, a: e.a, fileIds: e.r.input.file_ids }] : []));
  const attachments = await lockAttachments(trx, attaching);
  for (const e of entries) {
    const error = attachments.refused.get(e.id);
    if (error) e.outcome = { kind: 'refused', error };
  }

  // client_msg_id: the first of a pair in this batch claims it; a claim held within 24 h makes a duplicate.
  const firstOfKey = new Map<string, Entry>();
  const claimants: Entry[] = [];
  for (const e of entries) {
    if (e.outcome || !e.r.input.client_msg_id) continue;
    const first = firstOfKey.get(key(e.r));
    if (first) e.sameAs = first;
    else {
      firstOfKey.set(key(e.r), e);
      claimants.push(e);
    }
  }
  if (claimants.length > 0) {
    const claims = unnestRows(claimTypes, claimants.map((e) => ({ author_id: e.r.actor.member.id, client_msg_id: e.r.input.client_msg_id ?? '', message_id: e.id })));
    const claimed = await trx
      .insertInto('message_idempotency')
      .columns(claims.columns)
      .expression(claims.rows)
      .onConflict((oc) =>
        oc
          .columns(['author_id', 'client_msg_id'])
          .doUpdateSet({ message_id: sql`excluded.message_id`, created_at: sql`now()` })
          .where('message_idempotency.created_at', '<', sql<Date>`now() - interval '24 hours'`),
      )
      .returning(['author_id', 'client_msg_id'])
      .execute();
    const won = new Set(claimed.map((c) => `${c.author_id}\u0000${c.client_msg_id}`));
    const lost = claimants.filter((e) => !won.has(key(e.r)));
    if (lost.length > 0) {
      const held = await trx
        .selectFrom('message_idempotency')
        .select(['author_id', 'client_msg_id', 'message_id'])
        .where((eb) => eb.or(lost.map((e) => eb.and([eb('author_id', '=', e.r.actor.member.id), eb('client_msg_id', '=', e.r.input.client_msg_id ?? '')]))))
        .execute();
      const holder = new Map(held.map((h) => [`${h.author_id}\u0000${h.client_msg_id}`, h.message_id]));
      for (const e of lost) e.outcome = { kind: 'duplicate', messageId: holder.get(key(e.r)) ?? e.id };
    }
  }
  const writers = entries.filter((e): e is Entry & { a: ChannelAccess } => !e.outcome && !e.sameAs && e.a !== undefined);

  // People posting in a public channel they have not joined join it, once, right before their first message.
  // (Memberships were read under the channels' locks above, so the judged ones are current.)
  const present = new Set<string>();

  // Seqs, in arrival order per channel.
  const last = new Map(channels.map((c) => [c.id, c.last_seq]));
  const take = (channelId: string) => {
    const seq = (last.get(channelId) ?? 0) + 1;
    last.set(channelId, seq);
    return seq;
  };
  const events: ChannelEvent[] = [];
  const memberRows: { channel_id: string; member_id: string; role: 'member'; joined_seq: number; last_read_seq: number }[] = [];
  const messageRows: Record<keyof typeof messageTypes, unknown>[] = [];
  for (const e of writers) {
    const channel = e.a.channel;
    const memberId = e.a.actor.member.id;
    if (!e.a.membership && !present.has(`${channel.id}:${memberId}`)) {
      present.add(`${channel.id}:${memberId}`);
      const seq = take(channel.id);
      memberRows.push({ channel_id: channel.id, member_id: memberId, role: 'member', joined_seq: seq - 1, last_read_seq: seq });
      events.push(event(channel, seq, 'member.joined', memberId, { member_id: memberId, role: 'member', added_by: null, channel: presentChannel({ ...channel, last_seq: seq }) }));
    }
    const parsed = parseMentions(e.r.input.body);
    messageRows.push({
      id: e.id,
      org_id: channel.org_id,
      channel_id: channel.id,
      seq: take(channel.id),
      author_id: memberId,
      kind: e.r.input.kind ?? 'chat',
      audience: e.r.input.audience ?? 'all',
      sources: JSON.stringify(e.r.input.sources ?? []),
      body: e.r.input.body,
      thread_root_id: e.r.input.thread_root_id ?? null,
      mentions_all: parsed.channel,
      mentions_here: parsed.here,
      mentions_agents: parsed.agents,
      stream_state: e.r.input.stream ? 'open' : null,
    });
    if (e.r.input.thread_root_id) e.threadSeq = take(channel.id);
  }
  if (memberRows.length > 0) await trx.insertInto('channel_members').values(memberRows).execute();
  const newMessages = unnestRows(messageTypes, messageRows);
  const inserted = messageRows.length > 0 ? await trx.insertInto('messages').columns(newMessages.columns).expression(newMessages.rows).returning(messageColumns).execute() : [];
  const messageById = new Map(inserted.map((row) => [row.id, row]));
  // Streamed replies keep their text so far beside the message until the stream ends (messages/streams.ts).
  const streams = inserted.filter((row) => row.stream_state === 'open');
  if (streams.length > 0) {
    await trx
      .insertInto('message_streams')
      .values(streams.map((row) => ({ message_id: row.id, org_id: row.org_id, channel_id: row.channel_id, author_id: row.author_id, text: row.body })))
      .execute();
  }
  const mentionIds = await writeMentionRows(m, inserted);
  const attached = await attachFiles(trx, writers.flatMap((e) => (e.r.input.file_ids?.length ? [{ messageId: e.id, fileIds: e.r.input.file_ids }] : [])), attachments.files);

  // Messages, then thread summaries as each reply makes them.
  const rootState = new Map<string, ThreadState>();
  for (const e of writers) {
    const row = messageById.get(e.id) as Message;
    const author = e.a.actor.member;
    const view = presentMessage(row, author, mentionIds.get(row.id) ?? [], [], false, attached.get(row.id) ?? []);
    e.outcome = { kind: 'stored', message: view };
    const channel = channelById.get(row.channel_id) as Channel;
    events.push(createdEvent(channel.org_id, view));
    if (row.thread_root_id) {
      const before = rootState.get(row.thread_root_id) ?? rootById.get(row.thread_root_id);
      if (!before) continue; // every reply's root was locked and checked above
      const after: ThreadState = {
        id: before.id,
        reply_count: before.reply_count + 1,
        last_reply_at: row.created_at,
        reply_participants: before.reply_participants.includes(author.id) ? before.reply_participants : [...before.reply_participants, author.id],
      };
      rootState.set(after.id, after);
      events.push(event(channel, e.threadSeq ?? 0, 'thread.updated', author.id, { thread: threadSummary(after) }));
    }
  }
  for (const root of rootState.values()) {
    await trx
      .updateTable('messages')
      .set({ reply_count: root.reply_count, last_reply_at: root.last_reply_at, reply_participants: root.reply_participants })
      .where('id', '=', root.id)
      .execute();
  }

  if (events.length > 0) {
    events.sort((x, y) => (x.channel_id === y.channel_id ? x.seq - y.seq : x.channel_id < y.channel_id ? -1 : 1));
    // The events and the channels' new heads together, in one statement. A message.created is not stored:
    // the message's row is its record in the log (events/log.ts).
    const changed = channels.filter((c) => last.get(c.id) !== c.last_seq);
    const stored = events.filter((e) => e.type !== 'message.created');
    const logged = unnestRows(eventTypes, stored.map((e) => ({ channel_id: e.channel_id, seq: e.seq, type: e.type, actor_id: e.actor_id, payload: JSON.stringify(e.payload) })));
    await trx
      .with('logged', (db) => db.insertInto('channel_events').columns(logged.columns).expression(logged.rows))
      .updateTable('channels')
      .from(sql<{ id: string; last_seq: number }>`(select * from unnest(${changed.map((c) => c.id)}::uuid[], ${changed.map((c) => last.get(c.id) ?? c.last_seq)}::bigint[]) as u(id, last_seq))`.as('v'))
      .set({ last_seq: sql`v.last_seq` })
      .whereRef('channels.id', '=', sql.ref('v.id'))
      .execute();
    m.events.push(...events);
  }
  // Mentions of agents (and assignments) become tasks in the same transaction, after the messages' events.
  await createTasksFromMessages(m, inserted, mentionIds);
  // Every message an agent writes is on the audit record with what it drew on, committed with it.
  await auditAgentWrites(m, writers.map((e) => ({ message: messageById.get(e.id) as Message, author: e.a.actor })));

  return entries.map((e) => {
    if (e.outcome) return e.outcome;
    // A second send of a client_msg_id within the batch is the first one's duplicate.
    const first = e.sameAs?.outcome;
    if (first?.kind === 'stored') return { kind: 'duplicate', messageId: first.message.id };
    return first ?? { kind: 'refused', error: new AppError(500, 'internal_error', 'Something went wrong on the server.') };
  });
}

/**
 * The send's policy decision as of this transaction: the member still active
 * in the channel's org, the channel visible to it, posting allowed, the kind
 * allowed. The refusal is the error a REST or socket caller sees.
 */
function judge(
  r: SendRequest,
  channel: Channel | undefined,
  memberById: ReadonlyMap<string, Actor['member']>,
  membershipOf: ReadonlyMap<string, ChannelMember>,
): ChannelAccess | AppError {
  const member = memberById.get(r.actor.member.id);
  if (!channel || !member || member.org_id !== channel.org_id) return notFound('channel');
  const a: ChannelAccess = { actor: { ...r.actor, member }, channel, membership: membershipOf.get(`${channel.id}:${member.id}`) ?? null };
  const decision = all(
    () => canEnterOrgForChannel(a.actor),
    () => canPost(a),
    () => canPostKind(a.actor, r.input.kind ?? 'chat'),
  );
  return decision.allowed ? a : refusal(decision);
}

type ThreadState = Pick<Message, 'id' | 'reply_count' | 'last_reply_at' | 'reply_participants'>;

/** Resolves every @handle of the batch in one query and records the mentions; returns member ids per message. */
async function writeMentionRows(m: Mutation, inserted: Message[]): Promise<Map<string, string[]>> {
  const handlesByMessage = new Map(inserted.map((row) => [row.id, new Set(parseMentions(row.body).handles)]));
  const allHandles = unique([...handlesByMessage.values()].flatMap((h) => [...h]));
  const result = new Map<string, string[]>();
  if (allHandles.length === 0) return result;
  const found = await m.trx
    .selectFrom('members')
    .select(['id', 'org_id', sql<string>`lower(handle)`.as('handle')])
    .where('org_id', 'in', unique(inserted.map((row) => row.org_id)))
    .where('status', '=', 'active')
    .where((eb) => eb(eb.fn('lower', [eb.ref('handle')]), 'in', allHandles))
    .execute();
  const rows = inserted.flatMap((row) => {
    const wanted = handlesByMessage.get(row.id) ?? new Set<string>();
    const ids = found.filter((f) => f.org_id === row.org_id && wanted.has(f.handle)).map((f) => f.id);
    result.set(row.id, ids);
    return ids.map((member_id) => ({ message_id: row.id, member_id, channel_id: row.channel_id, seq: row.seq }));
  });
  if (rows.length > 0) await m.trx.insertInto('message_mentions').values(rows).execute();
  return result;
}

function event<T extends ChannelEvent['type']>(channel: Channel, seq: number, type: T, actorId: string, payload: Extract<ChannelEvent, { type: T }>['payload']): ChannelEvent {
  return { org_id: channel.org_id, channel_id: channel.id, seq, type, actor_id: actorId, payload, created_at: new Date().toISOString() } as ChannelEvent;
}
