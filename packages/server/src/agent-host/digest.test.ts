import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../server.js';
import { AgentHost } from './host.js';
import { createWorld, type Person, type World } from '../test/fixtures.js';
import { startTestServer } from '../test/server.js';

/**
 * The built-in digest agent, run by the server's agent host: an admin adds it
 * in one request, and `/digest` in a channel gets a digest of that channel,
 * read through the agent's task token, with links and sources.
 */
let server: RunningServer;
let host: AgentHost;
/** Test files share one database: this file's host runs only the agents of the orgs it made. */
const orgs = new Set<string>();
beforeAll(async () => {
  server = await startTestServer();
  host = new AgentHost({ db: server.ctx.db, url: server.url, publicUrl: 'https://chorus.example', bus: server.ctx.bus, accept: (a) => orgs.has(a.org_id) });
  await host.start();
});
afterAll(async () => {
  await host.stop();
  await server.close();
});

async function world(): Promise<World> {
  const w = await createWorld(server.url);
  orgs.add(w.orgId);
  return w;
}

async function addDigest(w: World, handle = 'digest') {
  const res = await w.owner.api.post(`/orgs/${w.orgId}/builtin-agents`, { kind: 'digest', handle, display_name: 'Digest' });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  await host.sync();
  return res.body.agent.id as string;
}

/** The task the message created, once it has ended (the agent works in the background). */
async function finished(as: Person, requestId: string): Promise<any> {
  for (;;) {
    const tasks = (await as.api.get(`/channels/${(await as.api.get(`/messages/${requestId}`)).body.message.channel_id}/tasks`)).body.tasks;
    const detail = tasks.find((t: any) => t.task.request_message_id === requestId);
    if (detail && ['done', 'failed'].includes(detail.task.status)) return detail;
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('built-in digest agent', () => {
  it('is added in one request: an agent member with a /digest command, its token never shown', async () => {
    const w = await world();
    const res = await w.owner.api.post(`/orgs/${w.orgId}/builtin-agents`, { kind: 'digest', handle: 'digest', display_name: 'Digest' });
    expect(res.status).toBe(201);
    expect(res.body.agent).toMatchObject({ handle: 'digest', kind: 'agent', sponsor_id: w.owner.memberId, status: 'active' });
    expect(res.body.agent.card.commands.map((c: any) => c.name)).toEqual(['digest']);
    expect(res.body.builtin).toMatchObject({ agent_id: res.body.agent.id, kind: 'digest', llm: null });
    expect(JSON.stringify(res.body)).not.toContain('cha_');
    const listed = await w.owner.api.get(`/orgs/${w.orgId}/builtin-agents`);
    expect(listed.body.builtin_agents.map((b: any) => b.agent_id)).toEqual([res.body.agent.id]);
    expect(JSON.stringify(listed.body)).not.toContain('cha_');

    // Bad input is a 400: llm settings for the digest agent, no settings for an llm agent, unknown fields.
    for (const body of [
      { kind: 'digest', handle: 'd2', display_name: 'D', llm: { provider: 'openai', model: 'm', api_key_env: 'CHORUS_LLM_KEY' } },
      { kind: 'llm', handle: 'd3', display_name: 'D' },
      { kind: 'llm', handle: 'd4', display_name: 'D', llm: { provider: 'openai', model: 'm', api_key_env: 'CHORUS_LLM_KEY', api_key: 'sk-secret' } },
      { kind: 'llm', handle: 'd5', display_name: 'D', llm: { provider: 'other', model: 'm', api_key_env: 'CHORUS_LLM_KEY' } },
      { kind: 'robot', handle: 'd6', display_name: 'D' },
      // Only variables meant for model keys may be named: not the server's own secrets.
      { kind: 'llm', handle: 'd7', display_name: 'D', llm: { provider: 'openai', model: 'm', api_key_env: 'DATABASE_URL', base_url: 'https://attacker.example' } },
    ]) {
      expect((await w.owner.api.post(`/orgs/${w.orgId}/builtin-agents`, body)).status, JSON.stringify(body)).toBe(400);
    }
    const audit = (await w.owner.api.get(`/orgs/${w.orgId}/audit?actor_id=${w.owner.memberId}`)).body.events.map((e: any) => e.action);
    expect(audit).toContain('agent.builtin_created');
    // The host runs it while it is active with a live token, and stops it when it is suspended or its token revoked.
    const agentId = res.body.agent.id as string;
    await host.sync();
    expect(host.runtime(agentId)).not.toBeNull();
    expect((await w.owner.api.patch(`/agents/${agentId}`, { status: 'suspended' })).status).toBe(200);
    await host.sync();
    expect(host.runtime(agentId)).toBeNull();
    expect((await w.owner.api.patch(`/agents/${agentId}`, { status: 'active' })).status).toBe(200);
    await host.sync();
    expect(host.runtime(agentId)).not.toBeNull();
    const tokens = (await w.owner.api.get(`/agents/${agentId}/tokens`)).body.tokens;
    expect(tokens.map((t: any) => [t.name, t.scopes])).toEqual([['agent host', ['messages:read', 'messages:write', 'channels:read', 'context:read']]]);
    expect((await w.owner.api.delete(`/agents/${agentId}/tokens/${tokens[0].id}`)).status).toBe(204);
    await host.sync();
    expect(host.runtime(agentId)).toBeNull();
  });

  it('/digest summarises the channel: key messages, decisions, open questions, who said what, each linked and cited', async () => {
    const w = await world();
    const maya = await w.person('member', 'Maya');
    const digestId = await addDigest(w);
    const channel = await w.channel(w.owner, { name: 'launch', members: [maya.memberId, digestId] });
    const plan = await w.post(w.owner, channel, 'The launch plan: beta on Monday, press on Thursday, then the general release once support is staffed.');
    await w.post(maya, channel, 'Sounds good to me', { thread_root_id: plan.id });
    await w.post(w.owner, channel, 'More detail in the doc', { thread_root_id: plan.id });
    expect((await maya.api.put(`/messages/${plan.id}/reactions/tada`)).status).toBe(204);
    const decided = await w.post(maya, channel, 'We decided to ship the Android app a week later.');
    const question = await w.post(maya, channel, 'Who writes the release notes?');
    await w.post(w.owner, channel, 'ok');

    const request = await w.post(maya, channel, '/digest 24h');
    const detail = await finished(maya, request.id);
    expect(detail.task).toMatchObject({ status: 'done', origin: 'command', command: 'digest', command_args: '24h', agent_id: digestId });
    const body = detail.result.body as string;
    expect(body).toContain('**Digest of #launch, last 24h** — 4 messages from 2 people');
    const section = (name: string) => body.split(`**${name}**\n`)[1]?.split('\n\n')[0] ?? '';
    expect(section('Key messages').split('\n')[0]).toBe(`- @${w.owner.handle}: ${plan.body} ([#${plan.seq}](https://chorus.example/api/v1/messages/${plan.id}))`);
    expect(section('Decisions')).toBe(`- @${maya.handle}: ${decided.body} ([#${decided.seq}](https://chorus.example/api/v1/messages/${decided.id}))`);
    expect(section('Open questions')).toBe(`- @${maya.handle}: ${question.body} ([#${question.seq}](https://chorus.example/api/v1/messages/${question.id}))`);
    expect(section('Who said what').split('\n')).toHaveLength(2);
    expect(section('Who said what')).toContain(`@${maya.handle}: 2 messages; most notably “${decided.body}”`);
    // Thread replies are not listed at channel level: they weigh on their root's rank. The request is left out.
    expect(body).not.toContain('/digest 24h');
    const cited = detail.result.sources.map((s: any) => s.id);
    expect(cited).toEqual(expect.arrayContaining([plan.id, decided.id, question.id]));
    expect(cited).not.toContain(request.id);
    expect(detail.result.thread_root_id).toBe(request.id);
  });

  it('/digest thread summarises the thread it is asked in; a bad window gets the usage', async () => {
    const w = await world();
    const digestId = await addDigest(w);
    const channel = await w.channel(w.owner, { members: [digestId] });
    await w.post(w.owner, channel, 'Unrelated chatter in the channel');
    const root = await w.post(w.owner, channel, 'Incident: the API is slow');
    const reply = await w.post(w.owner, channel, 'We agreed to roll back the cache change.', { thread_root_id: root.id });
    const request = await w.post(w.owner, channel, '/digest thread', { thread_root_id: root.id });
    const detail = await finished(w.owner, request.id);
    expect(detail.result.body).toContain('**Digest of the thread “Incident: the API is slow”');
    expect(detail.result.body).toContain(`([#${reply.seq}](https://chorus.example/api/v1/messages/${reply.id}))`);
    expect(detail.result.body).not.toContain('Unrelated chatter');
    expect(detail.result.thread_root_id).toBe(root.id);

    const bad = await w.post(w.owner, channel, '/digest forever');
    expect((await finished(w.owner, bad.id)).result.body).toMatch(/^Usage: `\/digest`/);
  });

  it('never puts into one channel what it read in another, and leaves out what agents may not read', async () => {
    const w = await world();
    const bob = await w.person('member', 'Bob');
    const digestId = await addDigest(w);
    const secret = await w.channel(w.owner, { kind: 'private', name: 'board', members: [digestId] });
    await w.post(w.owner, secret, 'The acquisition closes on Friday, we decided.');
    await w.post(w.owner, secret, '/digest');
    const open = await w.channel(w.owner, { name: 'general-chat', members: [bob.memberId, digestId] });
    await w.post(bob, open, 'Lunch at noon?');
    const request = await w.post(bob, open, '/digest 7d');
    const detail = await finished(bob, request.id);
    expect(detail.result.body).toContain('Lunch at noon?');
    expect(detail.result.body).not.toContain('acquisition');
    const history = (await bob.api.get(`/channels/${open}/messages?limit=100`)).body.messages.map((m: any) => m.body).join('\n');
    expect(history).not.toContain('acquisition');

    // Messages agents may not read (humans only) stay out of the digest too.
    await w.post(bob, open, 'salary talk, humans only', { audience: 'humans' });
    const again = await w.post(bob, open, '/digest');
    expect((await finished(bob, again.id)).result.body).not.toContain('salary');
  });
});
