import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RestClient } from '@chorus/sdk';
import type { RunningServer } from '../server.js';
import { createWorld, type Agent, type World } from '../test/fixtures.js';
import { startTestServer } from '../test/server.js';
import { tasksIn } from '../test/tasks.js';
import { parseCommand } from './commands.js';

let server: RunningServer;
beforeAll(async () => {
  server = await startTestServer({ tasks: { leaseSeconds: 300, sweepSeconds: 0 } });
});
afterAll(async () => {
  await server.close();
});

const digest = { name: 'digest', description: 'Summarise the channel', arg_hint: '[24h|7d|thread]' };

async function declare(w: World, agent: Agent, commands: unknown[]) {
  const res = await w.owner.api.patch(`/agents/${agent.memberId}`, { card: { commands } });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

describe('agent commands', () => {
  it('parses /name args at the start of a body only', () => {
    expect(parseCommand('/digest 7d')).toEqual({ name: 'digest', args: '7d' });
    expect(parseCommand('/digest')).toEqual({ name: 'digest', args: null });
    expect(parseCommand('/review  the plan\nplease ')).toEqual({ name: 'review', args: 'the plan\nplease' });
    expect(parseCommand('please /digest')).toBeNull();
    expect(parseCommand('/Digest')).toBeNull();
    expect(parseCommand('/digest7d')).toEqual({ name: 'digest7d', args: null });
    expect(parseCommand('/ digest')).toBeNull();
  });

  it('an agent declares commands in its card; the card is validated', async () => {
    const w = await createWorld(server.url);
    const bot = await w.agent();
    await declare(w, bot, [digest]);
    expect((await w.owner.api.get(`/agents/${bot.memberId}`)).body.agent.card.commands).toEqual([digest]);

    const bad = [
      [{ name: 'Digest', description: 'x' }],
      [{ name: '1digest', description: 'x' }],
      [{ name: 'a'.repeat(33), description: 'x' }],
      [{ name: 'digest' }],
      [{ name: 'digest', description: 'x', extra: true }],
      Array.from({ length: 21 }, (_, i) => ({ name: `c${i}`, description: 'x' })),
    ];
    for (const commands of bad) {
      const res = await w.owner.api.patch(`/agents/${bot.memberId}`, { card: { commands } });
      expect(res.status, JSON.stringify(commands)).toBe(400);
    }
    const twice = await w.owner.api.patch(`/agents/${bot.memberId}`, { card: { commands: [digest, { ...digest, description: 'again' }] } });
    expect(twice.status).toBe(400);
    expect(twice.body.error.code).toBe('duplicate_command');
    const created = await w.owner.api.post(`/orgs/${w.orgId}/agents`, { handle: 'twice', display_name: 'Twice', card: { commands: [digest, digest] } });
    expect(created.status).toBe(400);
  });

  it('lists the commands of the agents on duty in the channel, for the composer', async () => {
    const w = await createWorld(server.url);
    const maya = await w.person('member', 'Maya');
    const summariser = await w.agent({ handle: 'summariser' });
    const reviewer = await w.agent({ handle: 'reviewer' });
    const elsewhere = await w.agent({ handle: 'elsewhere' });
    await declare(w, summariser, [digest]);
    await declare(w, reviewer, [{ name: 'review', description: 'Review a change' }, { name: 'digest', description: 'Another digest' }]);
    await declare(w, elsewhere, [{ name: 'deploy', description: 'Not in this channel' }]);
    const channel = await w.channel(w.owner, { members: [maya.memberId, summariser.memberId, reviewer.memberId] });

    const res = await maya.api.get(`/channels/${channel}/commands`);
    expect(res.status).toBe(200);
    expect(res.body.commands.map((c: any) => [c.name, c.agent.handle, c.ambiguous])).toEqual([
      ['digest', 'reviewer', true],
      ['digest', 'summariser', true],
      ['review', 'reviewer', false],
    ]);
    expect(res.body.commands[1]).toEqual({ ...digest, agent: { id: summariser.memberId, handle: 'summariser', display_name: 'Helper bot' }, ambiguous: true });
    // The SDK reads the same list.
    expect((await new RestClient(server.url, maya.token).commands(channel)).commands).toEqual(res.body.commands);

    // A suspended agent is not on duty: its commands go away.
    await w.owner.api.patch(`/agents/${reviewer.memberId}`, { status: 'suspended' });
    expect((await maya.api.get(`/channels/${channel}/commands`)).body.commands.map((c: any) => [c.name, c.ambiguous])).toEqual([['digest', false]]);

    // A private channel's commands are as hidden as the channel.
    const secret = await w.channel(w.owner, { kind: 'private', members: [summariser.memberId] });
    expect((await maya.api.get(`/channels/${secret}/commands`)).status).toBe(404);
  });

  it('/name args creates a task with origin command for the one agent that declares it', async () => {
    const w = await createWorld(server.url);
    const maya = await w.person('member', 'Maya');
    const bot = await w.agent({ handle: 'summariser' });
    const other = await w.agent({ handle: 'other' });
    await declare(w, bot, [digest]);
    const channel = await w.channel(w.owner, { members: [maya.memberId, bot.memberId, other.memberId] });

    const request = await w.post(maya, channel, '/digest 7d');
    const tasks = await tasksIn(maya, channel);
    expect(tasks).toHaveLength(1);
    expect(tasks[0].task).toMatchObject({
      agent_id: bot.memberId,
      requester_id: maya.memberId,
      origin: 'command',
      command: 'digest',
      command_args: '7d',
      request_message_id: request.id,
      thread_root_id: request.id,
      status: 'queued',
    });

    // Also mentioning the agent makes one task, not two.
    await w.post(maya, channel, '/digest @summariser');
    const again = await tasksIn(maya, channel);
    expect(again).toHaveLength(2);
    expect(again[0].task).toMatchObject({ agent_id: bot.memberId, origin: 'command', command: 'digest', command_args: '@summariser' });

    // In a thread, the agent works in that thread.
    const root = await w.post(maya, channel, 'Launch thread');
    const inThread = await w.post(maya, channel, '/digest thread', { thread_root_id: root.id });
    const threaded = (await tasksIn(maya, channel)).find((t) => t.task.request_message_id === inThread.id);
    expect(threaded.task).toMatchObject({ thread_root_id: root.id, command_args: 'thread' });
  });

  it('an unknown, ambiguous, humans-only or off-duty command is just a message', async () => {
    const w = await createWorld(server.url);
    const maya = await w.person('member', 'Maya');
    const one = await w.agent({ handle: 'one' });
    const two = await w.agent({ handle: 'two' });
    const watcher = await w.agent({ handle: 'watcher' });
    await declare(w, one, [digest, { name: 'review', description: 'Review' }]);
    await declare(w, two, [digest]);
    await declare(w, watcher, [{ name: 'watch', description: 'Watch' }]);
    const channel = await w.channel(w.owner, { members: [maya.memberId, one.memberId, two.memberId] });
    await w.owner.api.post(`/channels/${channel}/members`, { member_id: watcher.memberId, role: 'observer' });

    for (const body of ['/digest', '/nothing here', '/watch', 'not /review', '/deploy now']) {
      const posted = await maya.api.post(`/channels/${channel}/messages`, { body });
      expect(posted.status).toBe(201);
    }
    const humansOnly = await maya.api.post(`/channels/${channel}/messages`, { body: '/review', audience: 'humans' });
    expect(humansOnly.status).toBe(201);
    expect(await tasksIn(maya, channel)).toEqual([]);

    // The one agent that declares /review gets it.
    await w.post(maya, channel, '/review');
    expect((await tasksIn(maya, channel)).map((t) => [t.task.agent_id, t.task.command])).toEqual([[one.memberId, 'review']]);
  });

  it('an agent invoking its own command creates no task for itself', async () => {
    const w = await createWorld(server.url);
    const bot = await w.agent();
    await declare(w, bot, [digest]);
    const channel = await w.channel(w.owner, { members: [bot.memberId] });
    await w.post(bot, channel, '/digest');
    expect(await tasksIn(w.owner, channel)).toEqual([]);
  });
});
