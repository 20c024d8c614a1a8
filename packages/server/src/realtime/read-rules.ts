import type { ChannelEvent } from '@chorus/protocol/events';
import type { ChannelSettings, MessageView } from '@chorus/protocol/views';
import type { Db } from '../db/database.js';
import type { ChannelRole } from '../db/schema.js';
import { mayReadInThread, readerOf, reasoningKinds, type MessageFacts, type ReadRules } from '../policy/agent-reads.js';
import type { ChannelStream } from './channel-stream.js';
import type { Subscription } from './connection.js';

/**
 * The channel's read rules (policy/agent-reads.ts) on the socket: each
 * subscription receives only the message events its member may read now —
 * the same `mayRead` that REST applies in SQL. Events that carry a message
 * (created, edited, deleted) are judged by the message they carry; reaction,
 * thread and pin events by the message they are about.
 *
 * Per channel stream it keeps what the predicate needs: the channel's current
 * rules (from `channel.updated` as they are dispatched), the facts of recent
 * messages, subscribers' channel roles, reasoning authors' sponsors, and the
 * agents' task threads. `prepare` loads what a batch of events needs in a few
 * queries before the batch is delivered; with no agent subscribed, no member
 * whose since_join floor hides older messages, and reasoning visible to all
 * members, it loads nothing.
 */
interface StreamState {
  rules: ReadRules | null;
  facts: Map<string, MessageFacts>;
  sponsors: Map<string, string | null>;
  roles: Map<string, ChannelRole | null>;
  /** Per agent: its tasks' thread roots and request messages here. Tasks are never removed, so this only grows. */
  tasks: Map<string, Set<string>>;
  /** The event being dispatched and whether every reader, person or agent, may read it. */
  judged?: { event: ChannelEvent; open: boolean };
}

type Stream = ChannelStream<Subscription>;

const maxFacts = 10_000;
const noTasks: ReadonlySet<string> = new Set();

export function rulesOf(settings: ChannelSettings): ReadRules {
  return {
    agent_access: settings.agent_access,
    agent_history_days: settings.agent_history_days,
    reasoning_visibility: settings.reasoning_visibility,
    agents_see_reasoning: settings.agents_see_reasoning,
  };
}

export function factsOf(m: MessageView): MessageFacts {
  return {
    id: m.id,
    seq: m.seq,
    author_id: m.author.id,
    kind: m.kind,
    audience: m.audience,
    created_at: new Date(m.created_at),
    thread_root_id: m.thread_root_id,
    mentioned: m.mentions.member_ids,
    mentions_agents: m.mentions.agents,
  };
}

/** Whether the stream delivers to any agent. */
function hasAgent(stream: Stream): boolean {
  for (const sub of stream.subscribers) if (sub.connection.actor?.member.kind === 'agent') return true;
  return false;
}

/** Whether any subscriber joined with history hidden (since_join): events about older messages are judged for it. */
function hasFloor(stream: Stream): boolean {
  for (const sub of stream.subscribers) if (sub.floor > 0) return true;
  return false;
}

/**
 * Whether the message, and its thread's root, come after the floor: what
 * since_join hides, nothing is said about — its reactions, pins and thread,
 * replies in that thread included (as REST hides them). A task is judged by its
 * request for the read rules only: people see older tasks without their messages.
 */
function aboveFloor(event: ChannelEvent, facts: MessageFacts | undefined, root: MessageFacts | undefined, floor: number): boolean {
  if (floor === 0 || event.type === 'task.created' || event.type === 'task.updated' || event.type === 'task.rated') return true;
  const above = (f: MessageFacts | undefined) => f !== undefined && (f.seq === undefined || f.seq > floor);
  return above(facts) && (facts?.thread_root_id === null || above(root));
}

/**
 * Whether no reader's kind, role, mentions or tasks could matter: an ordinary
 * message for all, in a channel with no agent rule that narrows (the same
 * rules as `mayRead`, where each of these clauses lets every reader through).
 */
function openToEveryReader(rules: ReadRules, facts: MessageFacts): boolean {
  return facts.audience === 'all' && !reasoningKinds.includes(facts.kind) && rules.agent_access !== 'mentions_only' && rules.agent_history_days === null;
}

/** The message an event is about: carried in it, or named by id; null for events about no message. */
function messageOf(event: ChannelEvent): MessageView | { id: string } | null {
  switch (event.type) {
    case 'message.created':
    case 'message.edited':
    case 'message.deleted':
      return event.payload.message;
    case 'reaction.added':
    case 'reaction.removed':
      return { id: event.payload.message_id };
    case 'thread.updated':
      return { id: event.payload.thread.root_id };
    case 'pin.added':
      return { id: event.payload.pin.message_id };
    case 'pin.removed':
      return { id: event.payload.message_id };
    // A task is about its request: whoever may not read that message does not hear of the task (its own agent always does).
    case 'task.created':
    case 'task.updated':
    case 'task.rated':
      return event.payload.task.request_message_id ? { id: event.payload.task.request_message_id } : null;
    default:
      return null;
  }
}

/** Settings an event states, current as of its seq. */
function settingsIn(event: ChannelEvent): ChannelSettings | null {
  switch (event.type) {
    case 'channel.created':
    case 'channel.updated':
    case 'channel.archived':
    case 'channel.unarchived':
    case 'member.joined':
      return event.payload.channel.settings;
    default:
      return null;
  }
}

export class StreamReadRules {
  readonly #states = new WeakMap<Stream, StreamState>();
  /** The facts of the message an event carries, read once per event rather than once per subscriber. */
  readonly #carried = new WeakMap<ChannelEvent, MessageFacts>();

  constructor(private readonly db: Db) {}

  #state(stream: Stream): StreamState {
    let state = this.#states.get(stream);
    if (!state) {
      state = { rules: null, facts: new Map(), sponsors: new Map(), roles: new Map(), tasks: new Map() };
      this.#states.set(stream, state);
    }
    return state;
  }

  /** Follows the changes the rules depend on, in seq order, as each event is dispatched live. */
  observe(stream: Stream, event: ChannelEvent): void {
    const state = this.#states.get(stream);
    if (!state) return;
    const settings = settingsIn(event);
    if (settings) state.rules = rulesOf(settings);
    if (event.type === 'member.joined' || event.type === 'member.role_changed') state.roles.set(event.payload.member_id, event.payload.role);
    if (event.type === 'member.left') state.roles.delete(event.payload.member_id);
  }

  /** Loads what judging `events` for the stream's subscribers needs. */
  async prepare(stream: Stream, events: readonly ChannelEvent[]): Promise<void> {
    const state = this.#state(stream);
    state.rules ??= await this.#loadRules(stream.channelId);
    // The rules now, and any this batch changes to as it is dispatched.
    const inPlay = [state.rules, ...events.flatMap((e) => settingsIn(e) ?? []).map(rulesOf)];
    const narrowReasoning = inPlay.some((r) => r.reasoning_visibility !== 'members');
    // A member joining a since_join channel in this batch is subscribed as its event is dispatched: judge for them too.
    const floorJoins = events.some((e) => e.type === 'member.joined' && e.payload.channel.settings.history_for_new_members === 'since_join');
    if (!narrowReasoning && !hasAgent(stream) && !hasFloor(stream) && !floorJoins) return;

    const ids = new Set<string>();
    for (const event of events) {
      const message = messageOf(event);
      if (!message) continue;
      if ('author' in message) this.#remember(state, factsOf(message));
      ids.add(message.id);
    }
    if (ids.size === 0) return;
    await this.#loadFacts(state, [...ids].filter((id) => !state.facts.has(id)));
    const facts = [...ids].flatMap((id) => state.facts.get(id) ?? []);
    await this.#loadFacts(state, [...new Set(facts.flatMap((f) => (f.thread_root_id && !state.facts.has(f.thread_root_id) ? [f.thread_root_id] : [])))]);

    const readers = [...stream.subscribers].flatMap((s) => (s.connection.actor ? [s.connection.actor.member] : []));
    const unknownRoles = [...new Set(readers.map((r) => r.id))].filter((id) => !state.roles.has(id));
    if (narrowReasoning && unknownRoles.length > 0) await this.#loadRoles(stream.channelId, state, unknownRoles);
    const authors = [...new Set(facts.filter((f) => reasoningKinds.includes(f.kind)).map((f) => f.author_id))].filter((id) => !state.sponsors.has(id));
    if (narrowReasoning && authors.length > 0) await this.#loadSponsors(state, authors);
    const agents = [...new Set(readers.filter((r) => r.kind === 'agent').map((r) => r.id))];
    if (agents.length > 0 && inPlay.some((r) => r.agent_access === 'mentions_only')) {
      const candidates = [...new Set(facts.flatMap((f) => (f.thread_root_id ? [f.id, f.thread_root_id] : [f.id])))];
      await this.#loadTasks(stream.channelId, state, agents, candidates);
    }
  }

  /** Whether the subscription's member may read what the event is about, under the channel's rules now. */
  mayRead(stream: Stream, sub: Subscription, event: ChannelEvent): boolean {
    const member = sub.connection.actor?.member;
    if (!member) return false;
    if ((event.type === 'task.created' || event.type === 'task.updated' || event.type === 'task.rated') && event.payload.task.agent_id === member.id) return true;
    const message = messageOf(event);
    if (!message) return true;
    const state = this.#states.get(stream);
    const rules = state?.rules;
    // Fail closed: what could not be judged is not delivered.
    const facts = 'author' in message ? this.#factsCarried(event, message) : state?.facts.get(message.id);
    const root = facts?.thread_root_id ? state?.facts.get(facts.thread_root_id) : undefined;
    if (!aboveFloor(event, facts, root, sub.floor)) return false;
    if (member.kind === 'human' && rules?.reasoning_visibility === 'members') return true;
    if (!state || !rules || !facts) return false;
    // Judged once per event for every reader alike when no rule could tell readers apart (the thread's root included).
    if (state.judged?.event !== event) state.judged = { event, open: openToEveryReader(rules, facts) && (facts.thread_root_id === null || (root !== undefined && openToEveryReader(rules, root))) };
    if (state.judged.open) return true;
    return mayReadInThread({ reader: readerOf(member, state.roles.get(member.id) ?? null), rules }, facts, root, sub.floor, {
      now: new Date(),
      taskMessageIds: state.tasks.get(member.id) ?? noTasks,
      sponsorOf: (authorId) => state.sponsors.get(authorId) ?? null,
    });
  }

  /**
   * Whether the subscription's member may read a message this stream has seen
   * created (a streamed reply's chunks): the same judgement as for its events.
   * A message whose facts are not at hand is not judged readable.
   */
  mayReadMessage(stream: Stream, sub: Subscription, messageId: string): boolean {
    const member = sub.connection.actor?.member;
    if (!member) return false;
    const state = this.#states.get(stream);
    const rules = state?.rules;
    if (member.kind === 'human' && rules?.reasoning_visibility === 'members') return true;
    const facts = state?.facts.get(messageId);
    if (!state || !rules || !facts) return false;
    const root = facts.thread_root_id ? state.facts.get(facts.thread_root_id) : undefined;
    return mayReadInThread({ reader: readerOf(member, state.roles.get(member.id) ?? null), rules }, facts, root, sub.floor, {
      now: new Date(),
      taskMessageIds: state.tasks.get(member.id) ?? noTasks,
      sponsorOf: (authorId) => state.sponsors.get(authorId) ?? null,
    });
  }

  #factsCarried(event: ChannelEvent, message: MessageView): MessageFacts {
    let facts = this.#carried.get(event);
    if (!facts) {
      facts = factsOf(message);
      this.#carried.set(event, facts);
    }
    return facts;
  }

  #remember(state: StreamState, facts: MessageFacts): void {
    state.facts.delete(facts.id);
    state.facts.set(facts.id, facts);
    if (state.facts.size > maxFacts) {
      const oldest = state.facts.keys().next();
      if (!oldest.done) state.facts.delete(oldest.value);
    }
  }

  async #loadRules(channelId: string): Promise<ReadRules> {
    return this.db
      .selectFrom('channels')
      .select(['agent_access', 'agent_history_days', 'reasoning_visibility', 'agents_see_reasoning'])
      .where('id', '=', channelId)
      .executeTakeFirstOrThrow();
  }

  async #loadFacts(state: StreamState, ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    const [rows, mentions] = await Promise.all([
      this.db.selectFrom('messages').select(['id', 'seq', 'author_id', 'kind', 'audience', 'created_at', 'thread_root_id', 'mentions_agents']).where('id', 'in', ids).execute(),
      this.db.selectFrom('message_mentions').select(['message_id', 'member_id']).where('message_id', 'in', ids).execute(),
    ]);
    for (const row of rows) {
      this.#remember(state, { ...row, mentioned: mentions.filter((m) => m.message_id === row.id).map((m) => m.member_id) });
    }
  }

  async #loadRoles(channelId: string, state: StreamState, memberIds: string[]): Promise<void> {
    const rows = await this.db.selectFrom('channel_members').select(['member_id', 'role']).where('channel_id', '=', channelId).where('member_id', 'in', memberIds).execute();
    for (const id of memberIds) state.roles.set(id, rows.find((r) => r.member_id === id)?.role ?? null);
  }

  async #loadSponsors(state: StreamState, authorIds: string[]): Promise<void> {
    const rows = await this.db.selectFrom('agents').select(['member_id', 'sponsor_id']).where('member_id', 'in', authorIds).execute();
    for (const id of authorIds) state.sponsors.set(id, rows.find((r) => r.member_id === id)?.sponsor_id ?? null);
  }

  async #loadTasks(channelId: string, state: StreamState, agentIds: string[], messageIds: string[]): Promise<void> {
    if (messageIds.length === 0) return;
    const rows = await this.db
      .selectFrom('tasks')
      .select(['agent_id', 'thread_root_id', 'request_message_id'])
      .where('channel_id', '=', channelId)
      .where('agent_id', 'in', agentIds)
      .where((eb) => eb.or([eb('thread_root_id', 'in', messageIds), eb('request_message_id', 'in', messageIds)]))
      .execute();
    for (const row of rows) {
      const known = state.tasks.get(row.agent_id) ?? new Set<string>();
      for (const id of [row.thread_root_id, row.request_message_id]) if (id) known.add(id);
      state.tasks.set(row.agent_id, known);
    }
  }
}
