import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgent, type ChorusAgent, type TaskAnswer, type TaskWork, type WebSocketFactory } from '@chorus/sdk';
import type { TaskView } from '@chorus/protocol/views';
import type { RunningServer } from '../server.js';
import { createWorld, type Agent, type World } from '../test/fixtures.js';
import { startTestServer } from '../test/server.js';
import { assign } from '../test/tasks.js';

/**
 * The SDK's agent runtime against a real server: tasks arrive over the
 * socket, are claimed, answered from the context bundle with sources in the
 * task's thread and completed — all through the public API, all audited.
 */
let server: RunningServer;
const agents: ChorusAgent[] = [];
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await Promise.all(agents.map((a) => a.stop()));
  await server.close();
});

function run(w: World, agent: Agent, onTask: (work: TaskWork) => TaskAnswer | Promise<TaskAnswer>, errors: unknown[] = [], rated: { task: TaskView; ratedBy: string }[] = []) {
  const runtime = createAgent({
    url: server.url,
    token: agent.token,
    orgId: w.orgId,
    WebSocket: WebSocket as unknown as WebSocketFactory,
    onTask,
    onError: (error) => errors.push(error),
    onRated: (r) => rated.push(r),
  });
  agents.push(runtime);
  return runtime;
}

/** Polls the task as the owner sees it until `done` holds (the runtime works in the background). */
async function until(w: World, taskId: string, done: (task: any) => boolean): Promise<any> {
  for (;;) {
    const res = await w.owner.api.get(`/tasks/${taskId}`);
    if (done(res.body.task)) return res.body;
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('agent runtime (@chorus/sdk createAgent)', () => {
  it('takes a mention, answers in the thread from the context bundle with sources, completes it, and the audit log shows it', async () => {
    const w = await createWorld(server.url);
    const bot = await w.agent({ handle: 'helper' });
    const channel = await w.channel(w.owner, { members: [bot.memberId] });
    const runtime = run(w, bot, async ({ context, request }) => {
      const bundle = await context();
      const root = bundle.thread?.root;
      return { body: `You asked: ${root?.body ?? '?'} (request ${request?.id === root?.id ? 'seen' : 'missing'})`, sources: root ? [{ type: 'message', id: root.id }] : [] };
    });
    await runtime.start();

    const asked = await w.post(w.owner, channel, '@helper what is the plan?');
    const tasks = (await w.owner.api.get(`/channels/${channel}/tasks`)).body.tasks;
    const taskId = tasks[0].task.id as string;
    const detail = await until(w, taskId, (t) => t.status === 'done');

    expect(detail.result.body).toBe('You asked: @helper what is the plan? (request seen)');
    expect(detail.result.thread_root_id).toBe(asked.id);
    expect(detail.result.sources).toEqual([{ type: 'message', id: asked.id }]);
    expect(detail.task.result_message_id).toBe(detail.result.id);

    const audit = (await w.owner.api.get(`/orgs/${w.orgId}/audit?actor_id=${bot.memberId}`)).body.events;
    expect(audit.find((e: any) => e.action === 'agent.context.read')?.items).toContain(asked.id);
    expect(audit.find((e: any) => e.action === 'agent.message.write')?.items).toEqual([detail.result.id, asked.id]);
  });

  it("hears its results' ratings: the new mean and count, and who rated, never another agent's", async () => {
    const w = await createWorld(server.url);
    const bot = await w.agent({ handle: 'rated' });
    const other = await w.agent({ handle: 'bystander' });
    const channel = await w.channel(w.owner, { members: [bot.memberId, other.memberId] });
    const rated: { task: TaskView; ratedBy: string }[] = [];
    const overheard: { task: TaskView; ratedBy: string }[] = [];
    await run(w, bot, () => 'done it', [], rated).start();
    await run(w, other, () => undefined, [], overheard).start();

    await w.post(w.owner, channel, '@rated do it');
    const taskId = (await w.owner.api.get(`/channels/${channel}/tasks`)).body.tasks[0].task.id as string;
    await until(w, taskId, (t) => t.status === 'done');
    expect((await w.owner.api.put(`/tasks/${taskId}/rating`, { score: 4, comment: 'good' })).status).toBe(200);
    while (rated.length === 0) await new Promise((r) => setTimeout(r, 25));

    expect(rated).toEqual([{ task: expect.objectContaining({ id: taskId, rating: expect.objectContaining({ count: 1, average: 4 }) }), ratedBy: w.owner.memberId }]);
    expect(JSON.stringify(rated)).not.toContain('good');
    expect(overheard).toEqual([]);
  });

  it('takes up the tasks queued while it was away when it starts', async () => {
    const w = await createWorld(server.url);
    const bot = await w.agent();
    const channel = await w.channel(w.owner, { members: [bot.memberId] });
    const first = await assign(w.owner, channel, bot.memberId, 'first job');
    const second = await assign(w.owner, channel, bot.memberId, 'second job');
    const runtime = run(w, bot, ({ request }) => `done: ${request?.body ?? ''}`);
    await runtime.start();

    expect((await until(w, first.task.id, (t) => t.status === 'done')).result.body).toBe('done: first job');
    expect((await until(w, second.task.id, (t) => t.status === 'done')).result.body).toBe('done: second job');
  });

  it('fails an attempt when the handler throws, and works the requeued task again', async () => {
    const w = await createWorld(server.url);
    const bot = await w.agent();
    const channel = await w.channel(w.owner, { members: [bot.memberId] });
    const errors: unknown[] = [];
    let attempts = 0;
    const runtime = run(
      w,
      bot,
      () => {
        attempts += 1;
        if (attempts === 1) throw new Error('the model timed out');
        return 'second time lucky';
      },
      errors,
    );
    await runtime.start();
    const { task } = await assign(w.owner, channel, bot.memberId, 'flaky job');

    const detail = await until(w, task.id, (t) => t.status === 'done');
    expect(detail.task.attempts).toBe(2);
    expect(detail.result.body).toBe('second time lucky');
    expect(errors.map((e) => (e as Error).message)).toEqual(['the model timed out']);
  });

  it('cannot cite another channel the task channel’s readers cannot read: the post is refused and the attempt fails', async () => {
    const w = await createWorld(server.url);
    const bot = await w.agent();
    const secret = await w.channel(w.owner, { kind: 'private', members: [bot.memberId] });
    const hidden = await w.post(w.owner, secret, 'the acquisition closes on Friday');
    const bob = await w.person('member', 'Bob');
    const open = await w.channel(w.owner, { members: [bot.memberId, bob.memberId] });
    const errors: unknown[] = [];
    let tries = 0;
    const runtime = run(
      w,
      bot,
      () => {
        tries += 1;
        return tries === 1 ? { body: 'Friday, as I read elsewhere', sources: [{ type: 'message', id: hidden.id }] } : 'I cannot say.';
      },
      errors,
    );
    await runtime.start();
    const { task } = await assign(bob, open, bot.memberId, 'when does it close?');

    const detail = await until(w, task.id, (t) => t.status === 'done');
    expect(detail.result.body).toBe('I cannot say.');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ status: 403, code: 'audience_violation' });
    const history = (await bob.api.get(`/channels/${open}/messages?limit=100`)).body.messages.map((m: any) => m.body);
    expect(history.join('\n')).not.toContain('Friday');
  });

  it('runs the example agent in examples/ as its own process, and it answers a mention with sources', async () => {
    const w = await createWorld(server.url);
    const bot = await w.agent({ handle: 'example' });
    const channel = await w.channel(w.owner, { name: 'launch', members: [bot.memberId] });
    await w.post(w.owner, channel, 'The launch moved to Thursday.');
    const example = fileURLToPath(new URL('../../../../examples/context-agent.ts', import.meta.url));
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', example], {
      env: { ...process.env, CHORUS_URL: server.url, CHORUS_TOKEN: bot.token, CHORUS_ORG: w.orgId },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          if (output.includes('is listening for tasks')) resolve();
        });
        child.once('exit', (code) => { reject(new Error(`the example exited with ${String(code)}:\n${output}`)); });
      });
      const asked = await w.post(w.owner, channel, '@example when is the launch?');
      const taskId = (await w.owner.api.get(`/channels/${channel}/tasks`)).body.tasks[0].task.id as string;
      const detail = await until(w, taskId, (t) => t.status === 'done');
      expect(detail.result.body).toContain('You asked: “@example when is the launch?”');
      expect(detail.result.body).toContain('The launch moved to Thursday.');
      expect(detail.result.sources.map((s: any) => s.id)).toContain(asked.id);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
