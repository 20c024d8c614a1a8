import { recordAgentRead } from '../audit/agent-reads.js';
import type { AppContext } from '../context.js';
import { messageColumns, type Message } from '../db/schema.js';
import { notFound } from '../http/errors.js';
import { isAgent } from '../policy/actor.js';
import { readAccessOf, readableRootWhere, readableWhere } from '../policy/agent-reads.js';
import { historyFloor, type ChannelAccess } from '../policy/channel.js';
import type { MessageView } from './presenters.js';
import { viewsOf } from './views.js';

/** Where a page starts: before a seq, after one, around one, or the latest. */
export type PageAnchor = { before: number } | { after: number } | { around: number } | { latest: true };

export interface Page {
  messages: MessageView[];
  has_more_before: boolean;
  has_more_after: boolean;
}

/**
 * The channel's messages the reader may read: above its history floor
 * (`since_join`) and within the channel's read rules (policy/agent-reads.ts),
 * evaluated now, replies only under a root the reader may read too. Every read
 * of messages starts here.
 */
export function visibleMessages(ctx: AppContext, a: ChannelAccess, now = new Date()) {
  const floor = historyFloor(a);
  const access = readAccessOf(a);
  return ctx.db
    .selectFrom('messages')
    .select(messageColumns)
    .where('channel_id', '=', a.channel.id)
    .where('seq', '>', floor)
    .where(readableWhere(access, now))
    .where(readableRootWhere(access, floor, now));
}

async function pageOf(
  ctx: AppContext,
  a: ChannelAccess,
  scope: { threadRootId: string | null },
  anchor: PageAnchor,
  limit: number,
): Promise<Page> {
  const floor = historyFloor(a);
  const now = new Date();
  const base = () => {
    let q = visibleMessages(ctx, a, now);
    q = scope.threadRootId ? q.where('thread_root_id', '=', scope.threadRootId) : q.where('thread_root_id', 'is', null);
    return q;
  };
  // One extra row on each side tells whether more pages exist.
  const older = (below: number, n: number) => base().where('seq', '<', below).orderBy('seq', 'desc').limit(n + 1).execute();
  const newer = (above: number, n: number) => base().where('seq', '>', above).orderBy('seq', 'asc').limit(n + 1).execute();

  let before: Message[] = [];
  let after: Message[] = [];
  let moreBefore = false;
  let moreAfter = false;
  if ('latest' in anchor) {
    before = await older(Number.MAX_SAFE_INTEGER, limit);
    moreBefore = before.length > limit;
    before = before.slice(0, limit);
  } else if ('before' in anchor) {
    before = await older(anchor.before, limit);
    moreBefore = before.length > limit;
    before = before.slice(0, limit);
    moreAfter = (await newer(anchor.before - 1, 0)).length > 0;
  } else if ('after' in anchor) {
    after = await newer(anchor.after, limit);
    moreAfter = after.length > limit;
    after = after.slice(0, limit);
    moreBefore = anchor.after > floor && (await older(anchor.after + 1, 0)).length > 0;
  } else {
    // Half on each side of the anchor; near either end, the other side fills the page.
    const [below, from] = await Promise.all([older(anchor.around, limit), newer(anchor.around - 1, limit)]);
    const takeAfter = Math.min(from.length, limit - Math.min(below.length, Math.floor(limit / 2)));
    const takeBefore = Math.min(below.length, limit - takeAfter);
    moreBefore = below.length > takeBefore;
    moreAfter = from.length > takeAfter;
    before = below.slice(0, takeBefore);
    after = from.slice(0, takeAfter);
  }
  const rows = [...before.reverse(), ...after];
  return { messages: await viewsOf(ctx.db, rows), has_more_before: moreBefore, has_more_after: moreAfter };
}

/** A page of the channel's top-level messages, oldest first. Replies live in their threads. An agent's read is audited. */
export async function channelHistory(ctx: AppContext, a: ChannelAccess, anchor: PageAnchor, limit: number): Promise<Page> {
  const page = await pageOf(ctx, a, { threadRootId: null }, anchor, limit);
  await recordAgentRead(ctx, a, 'agent.messages.read', page.messages.map((m) => m.id));
  return page;
}

/**
 * A message the reader may see, or 404: other channels' ids, hidden history
 * and messages the channel's read rules keep from this reader do not exist from here.
 */
export async function readableMessage(ctx: AppContext, a: ChannelAccess, messageId: string): Promise<Message> {
  const message = await visibleMessages(ctx, a).where('id', '=', messageId).executeTakeFirst();
  if (!message) throw notFound('message');
  return message;
}

export async function threadPage(ctx: AppContext, a: ChannelAccess, root: Message, anchor: PageAnchor, limit: number): Promise<Page & { root: MessageView }> {
  if (root.thread_root_id) throw notFound('thread');
  const [page, [rootView]] = await Promise.all([pageOf(ctx, a, { threadRootId: root.id }, anchor, limit), viewsOf(ctx.db, [root])]);
  if (!rootView) throw notFound('thread');
  await recordAgentRead(ctx, a, 'agent.messages.read', [root.id, ...page.messages.map((m) => m.id)], { thread_root_id: root.id });
  return { ...page, root: rootView };
}

/**
 * An agent replies only in a thread it may read: a root the channel's rules
 * hide from it is answered as a missing one. (The send batch checks every
 * root against the history floor; for people the rules beyond it hide only
 * reasoning, and reasoning is threaded under a root, never one itself.)
 */
export async function checkThreadRoot(ctx: AppContext, a: ChannelAccess, rootId: string): Promise<void> {
  if (!isAgent(a.actor)) return;
  const root = await visibleMessages(ctx, a).where('id', '=', rootId).executeTakeFirst();
  if (!root) throw notFound('thread_root');
}
