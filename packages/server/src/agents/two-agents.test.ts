import WebSocket from 'ws';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgent, type ChorusAgent, type WebSocketFactory } from '@chorus/sdk';
import type { RunningServer } from '../server.js';
import { createWorld, type World } from '../test/fixtures.js';
import { startTestServer } from '../test/server.js';
import { assign } from '../test/tasks.js';

/**
 * Two agents, one through the SDK runtime and one through MCP, both members
 * of two channels with different people: each answers in its own task's
 * channel, neither can carry the other channel's text across, and the audit
 * log holds every read and write of both.
 */
let server: RunningServer;
let runtime: ChorusAgent | null = null;
let mcp: Client | null = null;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await runtime?.stop();
  await mcp?.close();
  await server.close();
});

async function until<T>(probe: () => Promise<T | undefined>): Promise<T> {
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    await new Promise((r) => setTimeout(r, 25));
  }
}

const doneTask = (w: World, taskId: string) =>
  until(async () => {
    const res = await w.owner.api.get(`/tasks/${taskId}`);
    return res.body.task.status === 'done' ? res.body : undefined;
  });

describe('two agents serving two channels', () => {
  it('each answers in its channel, neither cites the other channel, and the audit log shows every read and write', async () => {
    const w = await createWorld(server.url);
    const ana = await w.person('member', 'Ana');
    const bob = await w.person('member', 'Bob');
    const sdkBot = await w.agent({ handle: 'sdkbot' });
    const mcpBot = await w.agent({ handle: 'mcpbot' });
    const design = await w.channel(w.owner, { kind: 'private', name: 'design', members: [ana.memberId, sdkBot.memberId, mcpBot.memberId] });
    const finance = await w.channel(w.owner, { kind: 'private', name: 'finance', members: [bob.memberId, sdkBot.memberId, mcpBot.memberId] });
    const designNote = await w.post(ana, design, 'The new logo ships in March.');
    const financeNote = await w.post(bob, finance, 'The budget was cut by 20 percent.');

    // The SDK agent first tries to carry finance's note into design, then answers from design alone.
    const refusals: unknown[] = [];
    runtime = createAgent({
      url: server.url,
      token: sdkBot.token,
      orgId: w.orgId,
      WebSocket: WebSocket as unknown as WebSocketFactory,
      onTask: async ({ reply, context }) => {
        try {
          await reply('Also, the budget was cut.', { sources: [{ type: 'message', id: financeNote.id }] });
        } catch (error) {
          refusals.push(error);
        }
        const bundle = await context();
        const note = bundle.history.items.find((m) => m.body.includes('logo'));
        return { body: `Logo: ${note?.body ?? 'unknown'}`, sources: note ? [{ type: 'message', id: note.id }] : [] };
      },
    });
    await runtime.start();
    const sdkTask = (await assign(ana, design, sdkBot.memberId, 'When does the logo ship?')).task;

    // The MCP agent works its task in finance the same way, through the official MCP client.
    mcp = new Client({ name: 'two-agents', version: '1.0.0' });
    await mcp.connect(new StreamableHTTPClientTransport(new URL(`${server.url}/api/v1/mcp`), { requestInit: { headers: { authorization: `Bearer ${mcpBot.token}` } } }));
    const mcpTask = (await assign(bob, finance, mcpBot.memberId, 'What happened to the budget?')).task;
    const call = async (name: string, args: Record<string, unknown>) => mcp?.callTool({ name, arguments: args });
    const text = (result: any): string => result.content.map((c: any) => c.text).join('\n');
    await call('claim_task', { task_id: mcpTask.id });
    const bundle = JSON.parse(text(await call('get_context', { channel_id: finance, task_id: mcpTask.id })));
    expect(JSON.stringify(bundle)).not.toContain('logo');
    const crossing = await call('post_message', { channel_id: finance, task_id: mcpTask.id, thread_root_id: mcpTask.thread_root_id, body: 'And the logo ships in March.', sources: [{ type: 'message', id: designNote.id }] });
    expect(crossing?.isError).toBe(true);
    expect(text(crossing)).toContain('audience_violation');
    const answer = JSON.parse(text(await call('post_message', { channel_id: finance, task_id: mcpTask.id, thread_root_id: mcpTask.thread_root_id, body: 'The budget was cut by 20 percent.', sources: [{ type: 'message', id: financeNote.id }] })));
    await call('update_task', { task_id: mcpTask.id, status: 'done', result_message_id: answer.message.id });

    const sdkDone = await doneTask(w, sdkTask.id);
    const mcpDone = await doneTask(w, mcpTask.id);
    expect(sdkDone.result.body).toBe('Logo: The new logo ships in March.');
    expect(mcpDone.result.body).toBe('The budget was cut by 20 percent.');
    expect(refusals).toEqual([expect.objectContaining({ status: 403, code: 'audience_violation' })]);

    // What each channel's people see: nothing of the other channel.
    const designText = JSON.stringify((await ana.api.get(`/channels/${design}/messages?limit=100`)).body);
    const financeText = JSON.stringify((await bob.api.get(`/channels/${finance}/messages?limit=100`)).body);
    expect(designText).not.toContain('budget');
    expect(financeText).not.toContain('logo');

    // Every read and write of both agents is on the record, and the chain verifies.
    const audit = (await w.owner.api.get(`/orgs/${w.orgId}/audit?limit=1000`)).body.events as any[];
    const of = (agentId: string) => audit.filter((e) => e.actor_id === agentId).map((e) => `${e.action}:${e.decision}:${e.channel_id === design ? 'design' : e.channel_id === finance ? 'finance' : 'other'}`);
    expect(of(sdkBot.memberId)).toEqual(expect.arrayContaining(['agent.message.write:deny:design', 'agent.context.read:allow:design', 'agent.message.write:allow:design']));
    expect(of(mcpBot.memberId)).toEqual(expect.arrayContaining(['agent.context.read:allow:finance', 'agent.message.write:deny:finance', 'agent.message.write:allow:finance']));
    const written = audit.filter((e) => e.action === 'agent.message.write' && e.decision === 'allow').map((e) => e.target_id);
    expect(written).toEqual(expect.arrayContaining([sdkDone.result.id, mcpDone.result.id]));
    expect((await w.owner.api.post(`/orgs/${w.orgId}/audit/verify`)).body).toMatchObject({ ok: true });
  });
});
