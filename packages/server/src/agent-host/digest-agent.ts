import type { MessageView } from '@chorus/protocol/views';
import type { TaskAnswer, TaskWork } from '@chorus/sdk';
import { buildDigest, digestUsage, parseWindow } from './digest.js';

/** The most messages one digest reads: 5 pages of history. */
const maxMessages = 1000;
const pageSize = 200;

/**
 * The digest agent's task: reads the window through the task token (so the
 * channel's rules decide what it may see, and it cannot read any other
 * channel), and answers with the extractive digest, citing every message it
 * quotes.
 */
export async function digestTask(work: TaskWork, self: string, link: (m: MessageView) => string): Promise<TaskAnswer> {
  const { task, rest } = work;
  const window = parseWindow(task.command === 'digest' ? task.command_args : null);
  if (!window) return digestUsage;
  const { channel } = await rest.channel(task.channel_id);
  const counts = (m: MessageView) => m.kind === 'chat' && m.id !== task.request_message_id && m.author.id !== self && m.deleted_at === null;

  if (window.kind === 'thread') {
    const root = task.thread_root_id;
    if (!root || root === task.request_message_id) return 'Use `/digest thread` inside a thread: it summarises that thread.';
    const messages: MessageView[] = [];
    let after = 0;
    for (;;) {
      const page = await rest.thread(root, { after, limit: pageSize });
      if (messages.length === 0) messages.push(page.root);
      messages.push(...page.messages);
      const last = page.messages.at(-1);
      if (!page.has_more_after || !last || messages.length >= maxMessages) break;
      after = last.seq;
    }
    const excerpt = messages[0]?.body.replace(/\s+/g, ' ').slice(0, 60) ?? '';
    return buildDigest({ messages: messages.filter(counts), title: `the thread “${excerpt}” in #${channel.name ?? 'this channel'}`, link, thread: true });
  }

  const since = Date.now() - window.ms;
  const messages: MessageView[] = [];
  let before: number | undefined;
  for (;;) {
    const page = await rest.history(task.channel_id, { limit: pageSize, ...(before !== undefined ? { before } : {}) });
    messages.unshift(...page.messages.filter((m) => Date.parse(m.created_at) >= since));
    const oldest = page.messages[0];
    if (!page.has_more_before || !oldest || Date.parse(oldest.created_at) < since || messages.length >= maxMessages) break;
    before = oldest.seq;
  }
  return buildDigest({ messages: messages.filter(counts), title: `#${channel.name ?? 'this channel'}, last ${window.label}`, link, thread: false });
}
