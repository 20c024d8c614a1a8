import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../server.js';
import { createWorld } from '../test/fixtures.js';
import { startTestServer } from '../test/server.js';
import { assign } from '../test/tasks.js';

/** The MCP server, driven by the official MCP client over both transports. */
let server: RunningServer;
const clients: Client[] = [];
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await server.close();
});

async function overHttp(token: string): Promise<Client> {
  const client = new Client({ name: 'test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${server.url}/api/v1/mcp`), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
  clients.push(client);
  return client;
}

async function overStdio(token: string): Promise<Client> {
  const client = new Client({ name: 'test', version: '1.0.0' });
  const cli = fileURLToPath(new URL('../cli.ts', import.meta.url));
  await client.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: ['--conditions=source', '--import', 'tsx', cli, 'mcp'],
      env: { ...(process.env as Record<string, string>), CHORUS_URL: server.url, CHORUS_TOKEN: token },
      stderr: 'pipe',
    }),
  );
  clients.push(client);
  return client;
}

const text = (result: any): string => result.content.map((c: any) => c.text).join('\n');
const json = (result: any): any => JSON.parse(text(result));

describe.each([
  ['Streamable HTTP', overHttp],
  ['stdio (chorus mcp)', overStdio],
])('MCP over %s', (_name, connect) => {
  it('works a task: claim, context, a reply with sources in its thread, done; a citation the channel may not read is a tool error naming the rule', async () => {
    const w = await createWorld(server.url);
    const bot = await w.agent({ handle: 'mcpbot' });
    const bob = await w.person('member', 'Bob');
    const secret = await w.channel(w.owner, { kind: 'private', members: [bot.memberId] });
    const hidden = await w.post(w.owner, secret, 'the merger is off');
    const room = await w.channel(w.owner, { members: [bot.memberId, bob.memberId] });
    const { task, request } = await assign(bob, room, bot.memberId, 'Summarise the plan, please.');
    const mcp = await connect(bot.token);

    const tools = (await mcp.listTools()).tools.map((t) => t.name);
    expect(tools).toEqual(expect.arrayContaining(['list_channels', 'list_tasks', 'claim_task', 'get_context', 'read_thread', 'read_history', 'post_message', 'update_task', 'search', 'pin_message', 'create_experience', 'rate_experience']));

    const listed = json(await mcp.callTool({ name: 'list_tasks', arguments: { agent_id: bot.memberId, status: 'queued' } }));
    expect(listed.tasks.map((t: any) => t.task.id)).toEqual([task.id]);
    expect(json(await mcp.callTool({ name: 'claim_task', arguments: { task_id: task.id } })).task.status).toBe('running');

    const bundle = json(await mcp.callTool({ name: 'get_context', arguments: { channel_id: room, task_id: task.id } }));
    expect(bundle.thread.root.id).toBe(request.id);

    // The task token is confined to the task's channel: the secret channel is out of reach.
    const peek = await mcp.callTool({ name: 'read_history', arguments: { channel_id: secret, task_id: task.id } });
    expect(peek.isError).toBe(true);
    expect(text(peek)).toContain('404 channel_not_found');
    expect(text(peek)).not.toContain('merger');

    const leak = await mcp.callTool({ name: 'post_message', arguments: { channel_id: room, task_id: task.id, thread_root_id: request.id, body: 'Off, I hear.', sources: [{ type: 'message', id: hidden.id }] } });
    expect(leak.isError).toBe(true);
    expect(text(leak)).toContain('403 audience_violation');

    const posted = json(await mcp.callTool({ name: 'post_message', arguments: { channel_id: room, task_id: task.id, thread_root_id: request.id, body: 'The plan: ship Friday.', sources: [{ type: 'message', id: request.id }] } }));
    const done = json(await mcp.callTool({ name: 'update_task', arguments: { task_id: task.id, status: 'done', result_message_id: posted.message.id } }));
    expect(done.task).toMatchObject({ status: 'done', result_message_id: posted.message.id });

    const thread = (await bob.api.get(`/messages/${request.id}/thread`)).body.messages.map((m: any) => m.body);
    expect(thread).toEqual(['The plan: ship Friday.']);
    const audit = (await w.owner.api.get(`/orgs/${w.orgId}/audit?actor_id=${bot.memberId}`)).body.events.map((e: any) => `${e.action}:${e.decision}`);
    expect(audit).toEqual(expect.arrayContaining(['agent.context.read:allow', 'agent.message.write:deny', 'agent.message.write:allow']));
  });

  it('searches, pins and keeps experience within the task channel: what another channel holds is never found or citable', async () => {
    const w = await createWorld(server.url);
    const bot = await w.agent({ handle: 'librarian' });
    const bob = await w.person('member', 'Bob');
    const secret = await w.channel(w.owner, { kind: 'private', members: [bot.memberId] });
    const hidden = await w.post(w.owner, secret, 'zebra rollout secret codename');
    const room = await w.channel(w.owner, { members: [bot.memberId, bob.memberId] });
    const known = await w.post(bob, room, 'zebra rollout happens on Monday');
    const { task } = await assign(bob, room, bot.memberId, 'When is the zebra rollout?');
    const mcp = await connect(bot.token);
    await mcp.callTool({ name: 'claim_task', arguments: { task_id: task.id } });

    const found = json(await mcp.callTool({ name: 'search', arguments: { org_id: w.orgId, q: 'zebra rollout', task_id: task.id } }));
    const ids = found.hits.map((h: any) => h.id);
    expect(ids).toContain(known.id);
    expect(ids).not.toContain(hidden.id);
    expect(JSON.stringify(found)).not.toContain('codename');

    expect(json(await mcp.callTool({ name: 'pin_message', arguments: { message_id: known.id, note: 'the date', task_id: task.id } })).pin.note).toBe('the date');
    const pinHidden = await mcp.callTool({ name: 'pin_message', arguments: { message_id: hidden.id, task_id: task.id } });
    expect(pinHidden.isError).toBe(true);

    const lesson = json(await mcp.callTool({ name: 'create_experience', arguments: { channel_id: room, task_id: task.id, title: 'Zebra rollouts are on Mondays', body: 'Plan around Monday.', sources: [{ type: 'message', id: known.id }] } }));
    const leaky = await mcp.callTool({ name: 'create_experience', arguments: { channel_id: room, task_id: task.id, title: 'Codename', body: 'From elsewhere.', sources: [{ type: 'message', id: hidden.id }] } });
    expect(leaky.isError).toBe(true);
    expect(json(await mcp.callTool({ name: 'rate_experience', arguments: { entry_id: lesson.experience.id, task_id: task.id, outcome: 'helpful' } })).experience.id).toBe(lesson.experience.id);
  });

  it('validates tool input: a malformed call is a tool error, and nothing is posted', async () => {
    const w = await createWorld(server.url);
    const bot = await w.agent();
    const mcp = await connect(bot.token);
    const bad = await mcp.callTool({ name: 'post_message', arguments: { channel_id: 'not-a-uuid', body: '' } });
    expect(bad.isError).toBe(true);
    expect(text(bad)).toMatch(/channel_id|body/);
  });
});

describe('MCP over HTTP for people', () => {
  it('is refused: the endpoint is for agent tokens', async () => {
    const w = await createWorld(server.url);
    const res = await w.owner.api.post('/mcp', { jsonrpc: '2.0', id: 1, method: 'tools/list' });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('agents_only');
  });
});
