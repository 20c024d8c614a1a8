import type { ContextBundle, ContextMessage } from '@chorus/protocol/context';
import { recordAgentRead } from '../audit/agent-reads.js';
import { presentChannel } from '../channels/presenters.js';
import type { AppContext } from '../context.js';
import type { Message, Task } from '../db/schema.js';
import { notFound } from '../http/errors.js';
import { visibleMessages } from '../messages/history.js';
import type { Author } from '../messages/presenters.js';
import { canReadContext, canUseTaskContext } from '../policy/agent-reads.js';
import type { ChannelAccess } from '../policy/channel.js';
import { enforce } from '../policy/decision.js';
import { experienceForContext } from '../experience/context.js';
import { presentContextMessage, presentContextTask } from './presenters.js';

export interface ContextRequest {
  /** At most this many messages in the whole bundle. */
  maxMessages: number;
  /** At most this many characters of message bodies in the whole bundle. */
  maxChars: number;
  /** With an agent token: one of the agent's own tasks in this channel. A task token brings its own. */
  taskId?: string | undefined;
}

/** Fills the bundle's shared budget in priority order; each section stops at the first message that does not fit. */
class Budget {
  messages = 0;
  chars = 0;
  constructor(readonly request: ContextRequest) {}

  fits(m: Message): boolean {
    if (this.messages + 1 > this.request.maxMessages || this.chars + m.body.length > this.request.maxChars) return false;
    this.messages += 1;
    this.chars += m.body.length;
    return true;
  }

  /** The longest prefix of `rows` (newest first) that fits. */
  takeWhile(rows: Message[]): Message[] {
    const taken: Message[] = [];
    for (const row of rows) {
      if (!this.fits(row)) break;
      taken.push(row);
    }
    return taken;
  }
}

async function taskFor(ctx: AppContext, a: ChannelAccess, taskId: string | undefined): Promise<Task | null> {
  const id = taskId ?? a.actor.boundary?.taskId;
  if (!id) return null;
  const task = await ctx.db.selectFrom('tasks').selectAll().where('id', '=', id).where('channel_id', '=', a.channel.id).executeTakeFirst();
  if (!task) throw notFound('task');
  enforce(canUseTaskContext(a, task));
  return task;
}

/**
 * What this agent may see for the work at hand in this channel, in one bundle:
 * the task and its thread (root and latest replies) first, then ranked
 * experience for the task text (experience/context.ts), then the channel's
 * recent top-level history, within a message count and a character budget.
 * Every message passes the channel's read rules (policy/agent-reads.ts) at
 * this moment; deleted messages have no content and are left out. Every id
 * served is recorded in the audit log before the bundle leaves.
 */
export async function assembleContext(ctx: AppContext, a: ChannelAccess, request: ContextRequest): Promise<ContextBundle> {
  enforce(canReadContext(a));
  const task = await taskFor(ctx, a, request.taskId);
  const now = new Date();
  const live = () => visibleMessages(ctx, a, now).where('deleted_at', 'is', null);
  const budget = new Budget(request);
  const rootId = task ? (task.thread_root_id ?? task.request_message_id) : null;

  const [root, replies, recent] = await Promise.all([
    rootId ? live().where('id', '=', rootId).executeTakeFirst() : undefined,
    rootId ? live().where('thread_root_id', '=', rootId).orderBy('seq', 'desc').limit(request.maxMessages + 1).execute() : [],
    live()
      .where('thread_root_id', 'is', null)
      .$if(rootId !== null, (q) => q.where('id', '!=', rootId ?? ''))
      .orderBy('seq', 'desc')
      .limit(request.maxMessages + 1)
      .execute(),
  ]);
  const rootServed = root && budget.fits(root) ? root : null;
  const threadServed = budget.takeWhile(replies).reverse();
  // Experience comes before history, within a quarter of the character budget.
  const taskText = [root, ...replies].filter((m) => m && (m.id === rootId || m.id === task?.request_message_id)).map((m) => m?.body ?? '').join('\n');
  const experience = await experienceForContext(ctx, a, taskText, Math.min(request.maxChars - budget.chars, Math.floor(request.maxChars / 4)));
  budget.chars += experience.chars;
  const historyServed = budget.takeWhile(recent).reverse();

  const served = [...(rootServed ? [rootServed] : []), ...threadServed, ...historyServed];
  const authors = await authorsOf(ctx, served);
  const present = (m: Message): ContextMessage => presentContextMessage(m, authors.get(m.author_id) ?? { id: m.author_id, handle: 'unknown', display_name: 'Unknown', kind: 'human' });

  await recordAgentRead(
    ctx,
    a,
    'agent.context.read',
    [...served.map((m) => m.id), ...experience.items.map((e) => e.id)],
    { max_messages: request.maxMessages, max_chars: request.maxChars, ...(task ? { task_id: task.id } : {}) },
  );
  return {
    channel: presentChannel(a.channel),
    task: task ? presentContextTask(task) : null,
    thread: rootId
      ? { root: rootServed ? present(rootServed) : null, items: threadServed.map(present), truncated: (root !== undefined && !rootServed) || threadServed.length < replies.length }
      : null,
    history: { items: historyServed.map(present), truncated: historyServed.length < recent.length },
    guide: [],
    pins: [],
    docs: [],
    experience: experience.items,
    budget: { max_messages: request.maxMessages, max_chars: request.maxChars, messages: budget.messages, chars: budget.chars },
  };
}

async function authorsOf(ctx: AppContext, messages: Message[]): Promise<Map<string, Author>> {
  const ids = [...new Set(messages.map((m) => m.author_id))];
  if (ids.length === 0) return new Map();
  const rows = await ctx.db.selectFrom('members').select(['id', 'handle', 'display_name', 'kind']).where('id', 'in', ids).execute();
  return new Map(rows.map((r) => [r.id, r]));
}
