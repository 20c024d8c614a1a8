import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import type { Audience, Channel, ChannelRole, Database, Member, MemberKind, MessageKind, Task } from '../db/schema.js';
import { hasScope, isAgent } from './actor.js';
import { canSee, type ChannelAccess } from './channel.js';
import { all, allow, deny, hidden, type Decision } from './decision.js';

/**
 * The read rules people set on a channel (DESIGN §2.1), applied to every
 * message a member reads, at read time: REST history and threads, one message
 * by id, the agents' context bundle and the realtime stream. They come in two
 * forms that must agree — a pure predicate ({@link mayRead}) for messages
 * already in hand (socket events) and a SQL filter ({@link readableWhere}) for
 * queries — kept side by side here, clause by clause, and checked against each
 * other over every combination in `agent-reads.test.ts`.
 *
 * For agents: a message marked `audience: humans` is never served; with
 * `agent_history_days` nothing older is; with `agent_access = mentions_only`
 * only what mentions the agent (by handle or `@agents`), its own messages and
 * its tasks' threads are; other agents' `agent_reasoning` / `agent_tool`
 * messages only when `agents_see_reasoning` is on and `reasoning_visibility`
 * would show them to the agent as a reader. For people, reasoning follows
 * `reasoning_visibility`: `members` — everyone who reads the channel;
 * `moderators` — channel owners and moderators, org admins and the agent's
 * sponsor; `sponsor_only` — the sponsor and org admins. Authors always see
 * their own reasoning. `since_join` is the history floor (`historyFloor`), which
 * applies to agents as to people.
 */

/** The channel settings these rules read. Changing them changes what is served from the next read on. */
export type ReadRules = Pick<Channel, 'agent_access' | 'agent_history_days' | 'reasoning_visibility' | 'agents_see_reasoning'>;

/** Who reads, as far as these rules care. */
export interface Reader {
  memberId: string;
  kind: MemberKind;
  /** An org owner or admin who is a person (an agent's org role grants it nothing here). */
  orgAdmin: boolean;
  /** Its role in the channel; null when it reads a public channel without belonging to it. */
  channelRole: ChannelRole | null;
}

export interface ReadAccess {
  reader: Reader;
  rules: ReadRules;
}

/** What the rules look at in a message. */
export interface MessageFacts {
  id: string;
  /** Its seq, where known (the socket judges history floors by it). */
  seq?: number;
  author_id: string;
  kind: MessageKind;
  audience: Audience;
  created_at: Date;
  thread_root_id: string | null;
  /** Members it mentions by handle. */
  mentioned: readonly string[];
  /** It says `@agents`. */
  mentions_agents: boolean;
}

/** What the predicate needs from outside the message; the SQL form reads the same from the tables. */
export interface ReadContext {
  now: Date;
  /** The thread roots and request messages of the reader's tasks in this channel (agents, `mentions_only`). */
  taskMessageIds: ReadonlySet<string>;
  /** The sponsor of an agent author, null for people (people reading reasoning under a narrower visibility). */
  sponsorOf(authorId: string): string | null;
}

export const reasoningKinds: readonly MessageKind[] = ['agent_reasoning', 'agent_tool'];
const dayMs = 86_400_000;

/** A member as a reader of a channel where its role is `channelRole` (null: not a member). */
export function readerOf(member: Pick<Member, 'id' | 'kind' | 'role'>, channelRole: ChannelRole | null): Reader {
  return { memberId: member.id, kind: member.kind, orgAdmin: member.kind === 'human' && (member.role === 'owner' || member.role === 'admin'), channelRole };
}

export function readAccessOf(a: ChannelAccess): ReadAccess {
  return { reader: readerOf(a.actor.member, a.membership?.role ?? null), rules: a.channel };
}

const isModerator = (role: ChannelRole | null) => role === 'owner' || role === 'moderator';

/** The oldest message an agent may read, or null when the channel sets no bound. */
export function agentCutoff(rules: ReadRules, now: Date): Date | null {
  return rules.agent_history_days === null ? null : new Date(now.getTime() - rules.agent_history_days * dayMs);
}

/**
 * Whether the reader sees others' reasoning whoever wrote it (true), only the
 * reasoning of agents it sponsors ('sponsor'), or none of it (false).
 */
function reasoningAccess({ reader, rules }: ReadAccess): boolean | 'sponsor' {
  if (reader.kind === 'agent') {
    if (!rules.agents_see_reasoning) return false;
    return rules.reasoning_visibility === 'members' || (rules.reasoning_visibility === 'moderators' && isModerator(reader.channelRole));
  }
  if (rules.reasoning_visibility === 'members' || reader.orgAdmin) return true;
  if (rules.reasoning_visibility === 'moderators' && isModerator(reader.channelRole)) return true;
  return 'sponsor';
}

/** The agent-only rules: audience, history bound, mentions_only. */
export function mayAgentSee(access: ReadAccess, m: MessageFacts, c: ReadContext): boolean {
  const me = access.reader.memberId;
  if (m.audience !== 'all') return false;
  const cutoff = agentCutoff(access.rules, c.now);
  if (cutoff && m.created_at < cutoff) return false;
  if (access.rules.agent_access === 'mentions_only') {
    const concernsMe =
      m.author_id === me ||
      m.mentions_agents ||
      m.mentioned.includes(me) ||
      c.taskMessageIds.has(m.id) ||
      (m.thread_root_id !== null && c.taskMessageIds.has(m.thread_root_id));
    if (!concernsMe) return false;
  }
  return true;
}

/** Whether the reader (person or agent) may read the message under the channel's rules. */
export function mayRead(access: ReadAccess, m: MessageFacts, c: ReadContext): boolean {
  if (access.reader.kind === 'agent' && !mayAgentSee(access, m, c)) return false;
  if (!reasoningKinds.includes(m.kind) || m.author_id === access.reader.memberId) return true;
  const reasoning = reasoningAccess(access);
  return reasoning === 'sponsor' ? c.sponsorOf(m.author_id) === access.reader.memberId : reasoning;
}

/**
 * {@link mayRead} with the thread and the history floor, for messages in hand
 * (the socket): the message above the reader's floor, and a reply only with a
 * root the reader may read too — the predicate form of {@link readableRootWhere}.
 * A root not in hand (`undefined`) fails closed.
 */
export function mayReadInThread(access: ReadAccess, m: MessageFacts, root: MessageFacts | undefined, floor: number, c: ReadContext): boolean {
  const aboveFloor = (f: MessageFacts) => f.seq === undefined || f.seq > floor;
  if (!aboveFloor(m) || !mayRead(access, m, c)) return false;
  if (m.thread_root_id === null) return true;
  return root !== undefined && root.id === m.thread_root_id && aboveFloor(root) && mayRead(access, root, c);
}

type Messages = ExpressionBuilder<Database, 'messages'>;
type MessageColumn = Extract<keyof Database['messages'], string>;

/**
 * The same rules as {@link mayRead}, as a WHERE filter on `messages`: what the
 * reader may not read never leaves the database. `table` names the alias of
 * `messages` to judge (`root`: the root of the outer query's reply).
 *
 * @example
 *   db.selectFrom('messages').selectAll().where('channel_id', '=', a.channel.id).where(readableWhere(readAccessOf(a), new Date()))
 */
export function readableWhere(access: ReadAccess, now: Date, table: 'messages' | 'root' = 'messages'): (eb: Messages) => Expression<SqlBool> {
  const me = access.reader.memberId;
  // The columns of `table`: `messages`, or `root` when judging the root of a reply (readableRootWhere).
  const c = <C extends MessageColumn>(column: C) => `${table}.${column}` as `messages.${C}`;
  return (eb) => {
    const clauses: Expression<SqlBool>[] = [];
    if (access.reader.kind === 'agent') {
      clauses.push(eb(c('audience'), '=', 'all'));
      const cutoff = agentCutoff(access.rules, now);
      if (cutoff) clauses.push(eb(c('created_at'), '>=', cutoff));
      if (access.rules.agent_access === 'mentions_only') {
        clauses.push(
          eb.or([
            eb(c('author_id'), '=', me),
            eb(c('mentions_agents'), '=', true),
            eb.exists(eb.selectFrom('message_mentions as mm').select('mm.member_id').whereRef('mm.message_id', '=', c('id')).where('mm.member_id', '=', me)),
            eb.exists(
              eb
                .selectFrom('tasks as t')
                .select('t.id')
                .where('t.agent_id', '=', me)
                .whereRef('t.channel_id', '=', c('channel_id'))
                .where((w) =>
                  w.or([
                    w('t.thread_root_id', '=', w.ref(c('id'))),
                    w('t.request_message_id', '=', w.ref(c('id'))),
                    w('t.thread_root_id', '=', w.ref(c('thread_root_id'))),
                    w('t.request_message_id', '=', w.ref(c('thread_root_id'))),
                  ]),
                ),
            ),
          ]),
        );
      }
    }
    const reasoning = reasoningAccess(access);
    if (reasoning !== true) {
      clauses.push(
        eb.or([
          eb(c('kind'), 'not in', [...reasoningKinds]),
          eb(c('author_id'), '=', me),
          ...(reasoning === 'sponsor'
            ? [eb.exists(eb.selectFrom('agents as ag').select('ag.member_id').whereRef('ag.member_id', '=', c('author_id')).where('ag.sponsor_id', '=', me))]
            : []),
        ]),
      );
    }
    return clauses.length === 0 ? sql<SqlBool>`true` : eb.and(clauses);
  };
}

/**
 * A reply is read with its thread: under a root the reader may not read (hidden
 * by `audience: humans`, `mentions_only`, `agent_history_days`, reasoning
 * visibility, or below the reader's history floor) it is hidden too — else a
 * reply would reveal what it answers, and an agent could be drawn into a
 * conversation kept from it. A WHERE filter on `messages`, beside {@link readableWhere}.
 *
 * @example
 *   visible.where(readableRootWhere(readAccessOf(a), historyFloor(a), now))
 */
export function readableRootWhere(access: ReadAccess, floor: number, now: Date): (eb: Messages) => Expression<SqlBool> {
  return (eb) =>
    eb.or([
      eb('messages.thread_root_id', 'is', null),
      // The root by its key (a lookup per reply), judged by readableWhere under the alias `root`; an `in` over
      // the readable messages made the planner read them all (docs/PERFORMANCE.md, bench:context).
      eb.exists(
        eb
          .selectFrom('messages as root')
          .select('root.id')
          .whereRef('root.id', '=', 'messages.thread_root_id')
          .where('root.seq', '>', floor)
          .where((r) => readableWhere(access, now, 'root')(r as unknown as Messages)),
      ),
    ]);
}

/**
 * The context API serves agents only (people read the channel itself), with
 * the `context:read` scope, in a channel the agent may see — with a task token,
 * only the task's channel.
 */
export function canReadContext(a: ChannelAccess): Decision {
  return all(
    () => canSee(a),
    () => (isAgent(a.actor) ? allow : deny(403, 'agents_only', 'The context API serves agents; people read the channel itself.')),
    () => (hasScope(a.actor, 'context:read') ? allow : deny(403, 'insufficient_scope', 'This token lacks the context:read scope.')),
  );
}

/**
 * The task a context bundle is for: one of the agent's own tasks in the
 * channel; with a task token, that token's task only. Any other task does not exist from here.
 */
export function canUseTaskContext(a: ChannelAccess, task: Pick<Task, 'id' | 'agent_id' | 'channel_id'>): Decision {
  const boundary = a.actor.boundary;
  if (task.channel_id !== a.channel.id || task.agent_id !== a.actor.member.id) return hidden('task');
  return boundary && boundary.taskId !== task.id ? hidden('task') : allow;
}
