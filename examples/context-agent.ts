/**
 * A complete Chorus agent in a few lines: it answers every task it is given
 * (a mention, `@agents`, or an assignment) from its context bundle, citing what
 * it drew on, in the task's thread. No model needed: it reports what it found.
 *
 *   CHORUS_URL=http://localhost:3000 CHORUS_TOKEN=cha_… CHORUS_ORG=<org id> \
 *     node --conditions=source --import tsx examples/context-agent.ts
 *
 * Replace `answer` with a call to your model: the bundle is everything the
 * channel's rules let the agent see for this task, and nothing else.
 */
import WebSocket from 'ws';
import { createAgent, type WebSocketFactory } from '@chorus/sdk';
import type { ContextBundle } from '@chorus/protocol/context';

const url = process.env.CHORUS_URL ?? 'http://localhost:3000';
const token = process.env.CHORUS_TOKEN;
if (!token) throw new Error('Set CHORUS_TOKEN to an agent token (messages:read, messages:write, channels:read).');

function answer(bundle: ContextBundle): { body: string; sources: { type: 'message'; id: string }[] } {
  const root = bundle.thread?.root;
  const recent = bundle.history.items.slice(-3);
  const lines = [
    root ? `You asked: “${root.body.slice(0, 200)}”.` : 'I could not read the request.',
    `I can see ${bundle.history.items.length} recent messages in #${bundle.channel.name ?? 'this channel'}; the latest:`,
    ...recent.map((m) => `- ${m.author.display_name}: ${m.body.slice(0, 120)}`),
  ];
  return { body: lines.join('\n'), sources: [...(root ? [root] : []), ...recent].map((m) => ({ type: 'message', id: m.id })) };
}

const agent = createAgent({
  url,
  token,
  ...(process.env.CHORUS_ORG ? { orgId: process.env.CHORUS_ORG } : {}),
  WebSocket: WebSocket as unknown as WebSocketFactory,
  onTask: async ({ task, context }) => {
    console.log(`task ${task.id} in ${task.channel_id}`);
    return answer(await context());
  },
  onError: (error, task) => {
    console.error(`task ${task?.id ?? '?'} failed:`, error);
  },
});

await agent.start();
console.log(`agent ${agent.memberId ?? ''} is listening for tasks`);
process.on('SIGINT', () => void agent.stop().then(() => process.exit(0)));
