import type { ContextBundle, ContextMessage } from '@chorus/protocol/context';
import { appendAgentRead } from '../audit/agent-reads.js';
import { presentChannel } from '../channels/presenters.js';
import type { AppContext } from '../context.js';
import type { Message, Task } from '../db/schema.js';
import { notFound } from '../http/errors.js';
import { visibleMessages } from '../messages/history.js';
import type { Author } from '../messages/presenters.js';
import { canReadContext, canUseTaskContext } from '../policy/agent-reads.js';
import type { ChannelAccess } from '../policy/channel.js';
import { enforce } from '../policy/decision.js';
import { countUses, cutExperience, rankExperience } from '../experience/context.js';
import { readablePins } from '../knowledge/pins/service.js';
import { Budget } from './budget.js';
import { guideOf, maxDocs, rankedDocs } from './knowledge.js';
import { presentContextDoc, presentContextMessage, presentContextTask } from './presenters.js';

export interface ContextRequest {
  /** At most this many messages in the whole bundle. */
  maxMessages: number;
  /** At most this many characters of message bodies in the whole bundle. */
  maxChars: number;
  /** With an agent token: one of the agent's own tasks in this channel. A task token brings its own. */
  taskId?: string | undefined;
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
 * What this agent may see for the work at hand in this channel, in one bundle,
 * filled from one budget in this order: the channel's guide for agents (cut to
 * the budget if need be), the task and its thread (root and latest replies),
 * the pinned messages, the channel docs ranked for the task's request, the
 * experience ranked for it (experience/context.ts, within a quarter of the
 * character budget), and the channel's recent top-level history. Every message passes the channel's
 * read rules (policy/agent-reads.ts) at this moment; deleted messages have no
 * content and are left out; nothing is served twice. Every id served is
 * recorded in the audit log before the bundle leaves.
 */
export async function assembleContext(ctx: AppContext, a: ChannelAccess, request: ContextRequest): Promise<ContextBundle> {
  enforce(canReadContext(a));
  const task = await taskFor(ctx, a, request.taskId);
  const now = new Date();
  const live = () => visibleMessages(ctx, a, now).where('deleted_at', 'is', null);
  const budget = new Budget(request.maxMessages, request.maxChars);
  const rootId = task ? (task.thread_root_id ?? task.request_message_id) : null;
  const requestId = task?.request_message_id ?? null;

  // The task's request (as the agent may read it) is the text docs and experience are ranked for:
  // those two start as soon as it is known, beside the other reads.
  const requestText = requestId ? live().where('id', '=', requestId).select('body').executeTakeFirst().then((r) => r?.body ?? '') : Promise.resolve('');
  const [guide, root, replies, recent, pins, docs, rankedEntries] = await Promise.all([
    guideOf(ctx, a),
    rootId ? live().where('id', '=', rootId).executeTakeFirst() : undefined,
    rootId ? live().where('thread_root_id', '=', rootId).orderBy('seq', 'desc').limit(request.maxMessages + 1).execute() : [],
    live()
      .where('thread_root_id', 'is', null)
      .$if(rootId !== null, (q) => q.where('id', '!=', rootId ?? ''))
      .orderBy('seq', 'desc')
      .limit(request.maxMessages + 1)
      .execute(),
    // Enough pins to fill the budget after those already served in the thread, and one more to tell truncation.
    readablePins(ctx, a, now, 2 * request.maxMessages + 1),
    requestText.then((text) => rankedDocs(ctx, a, task ? text : null, now)),
    requestText.then((text) => rankExperience(ctx, a, text, now)),
  ]);

  const guideBody = guide ? budget.cut(guide.body) : '';
  const rootServed = root && budget.fits(root) ? root : null;
  const threadServed = budget.takeWhile(replies).reverse();
  const inThread = new Set([...(rootServed ? [rootServed.id] : []), ...threadServed.map((m) => m.id)]);
  const pinCandidates = pins.filter((p) => !inThread.has(p.message.id));
  const pinsServed = budget.takeWhile(pinCandidates.map((p) => ({ ...p, body: p.message.body })));
  const docsServed = docs.filter((d) => budget.fitsText(d.body)).slice(0, maxDocs);
  const experience = cutExperience(rankedEntries, Math.min(request.maxChars - budget.chars, Math.floor(request.maxChars / 4)));
  budget.chars += experience.chars;
  const pinned = new Set(pinsServed.map((p) => p.message.id));
  const historyCandidates = recent.filter((m) => !pinned.has(m.id));
  const historyServed = budget.takeWhile(historyCandidates).reverse();

  const messages = [...(rootServed ? [rootServed] : []), ...threadServed, ...pinsServed.map((p) => p.message), ...historyServed];
  const authors = await authorsOf(ctx, messages);
  const present = (m: Message): ContextMessage => presentContextMessage(m, authors.get(m.author_id) ?? { id: m.author_id, handle: 'unknown', display_name: 'Unknown', kind: 'human' });
  const servedDocIds = [...(guide ? [guide.id] : []), ...docsServed.map((d) => d.id)];

  // One commit: the read on the record (the org's audit head, taken first by every bundle), then the entries' uses.
  await ctx.db.transaction().execute(async (trx) => {
    await appendAgentRead(
      trx,
      a,
      'agent.context.read',
      [...(guide ? [guide.id] : []), ...[...(rootServed ? [rootServed] : []), ...threadServed].map((m) => m.id), ...pinsServed.map((p) => p.message.id), ...docsServed.map((d) => d.id), ...historyServed.map((m) => m.id), ...experience.items.map((e) => e.id)],
      { max_messages: request.maxMessages, max_chars: request.maxChars, ...(task ? { task_id: task.id } : {}), ...(servedDocIds.length ? { doc_ids: servedDocIds } : {}) },
    );
    await countUses(trx, experience.items.map((e) => e.id), now);
  });
  return {
    channel: presentChannel(a.channel),
    task: task ? presentContextTask(task) : null,
    guide: guide ? presentContextDoc(guide, guideBody) : null,
    thread: rootId
      ? { root: rootServed ? present(rootServed) : null, items: threadServed.map(present), truncated: (root !== undefined && !rootServed) || threadServed.length < replies.length }
      : null,
    pins: { items: pinsServed.map((p) => ({ ...present(p.message), pin: { pinned_by: p.pin.pinned_by, pinned_at: p.pin.pinned_at.toISOString(), note: p.pin.note } })), truncated: pinsServed.length < pinCandidates.length },
    docs: { items: docsServed.map((d) => presentContextDoc(d, d.body, d.score)), truncated: docsServed.length < docs.length },
    experience: experience.items,
    history: { items: historyServed.map(present), truncated: historyServed.length < historyCandidates.length },
    budget: { max_messages: request.maxMessages, max_chars: request.maxChars, messages: budget.messages, chars: budget.chars },
  };
}

async function authorsOf(ctx: AppContext, messages: Message[]): Promise<Map<string, Author>> {
  const ids = [...new Set(messages.map((m) => m.author_id))];
  if (ids.length === 0) return new Map();
  const rows = await ctx.db.selectFrom('members').select(['id', 'handle', 'display_name', 'kind']).where('id', 'in', ids).execute();
  return new Map(rows.map((r) => [r.id, r]));
}
