import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../server.js';
import { AgentHost } from './host.js';
import { createWorld, type Person, type World } from '../test/fixtures.js';
import { startTestServer } from '../test/server.js';

/**
 * The built-in LLM agent through the real provider SDKs (`openai`,
 * `@anthropic-ai/sdk`), pointed at local HTTP servers that speak each
 * provider's wire format: no model is reachable from here, but every byte the
 * SDK sends and parses is real.
 */
interface Seen {
  url: string;
  headers: IncomingHttpHeaders;
  body: any;
}
type Answer = (request: Seen) => { status: number; body: unknown };

/** A local model endpoint: records each request and answers with `answer`. */
async function fakeProvider(answer: Answer): Promise<{ url: string; seen: Seen[]; close: () => Promise<void>; server: Server }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    req.on('end', () => {
      const request = { url: req.url ?? '', headers: req.headers, body: JSON.parse(raw || '{}') };
      seen.push(request);
      let reply: { status: number; body: unknown };
      try {
        reply = answer(request);
      } catch (error) {
        reply = { status: 400, body: { error: { message: String(error) } } };
      }
      const { status, body } = reply;
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, seen, server, close: () => new Promise((resolve) => server.close(() => { resolve(); })) };
}

/** The tag of the prompt's item that contains `text` (what a model that follows the instructions cites). */
function tagOf(system: string, text: string): string {
  const at = system.indexOf(text);
  const tag = [...system.slice(0, Math.max(at, 0)).matchAll(/^\[(msg|doc|exp):[0-9a-f-]{36}\]/gm)].at(-1)?.[0];
  if (at < 0 || !tag) throw new Error(`no tagged item with “${text}” in the prompt`);
  return tag;
}

const chatCompletion = (content: string) => ({
  id: 'chatcmpl-1',
  object: 'chat.completion',
  created: 1_700_000_000,
  model: 'local-model',
  choices: [{ index: 0, message: { role: 'assistant', content, refusal: null }, finish_reason: 'stop', logprobs: null }],
  usage: { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 },
});

let server: RunningServer;
let host: AgentHost;
const providers: { close: () => Promise<void> }[] = [];
/** Test files share one database: this file's host runs only the agents of the orgs it made. */
const orgs = new Set<string>();
/** A host that allows no internal address (the default), for the agents of these orgs. */
let guarded: AgentHost;
const guardedOrgs = new Set<string>();
beforeAll(async () => {
  server = await startTestServer();
  const env = { CHORUS_LLM_TEST_OPENAI: 'sk-test-openai', CHORUS_LLM_TEST_ANTHROPIC: 'sk-ant-test' };
  // The stand-in providers listen on loopback, which the operator allows here.
  host = new AgentHost({ db: server.ctx.db, url: server.url, publicUrl: server.url, bus: server.ctx.bus, env, outboundAllow: ['127.0.0.1'], accept: (a) => orgs.has(a.org_id) });
  await host.start();
  guarded = new AgentHost({ db: server.ctx.db, url: server.url, publicUrl: server.url, bus: server.ctx.bus, env, accept: (a) => guardedOrgs.has(a.org_id) });
  await guarded.start();
});
afterAll(async () => {
  await guarded.stop();
  await host.stop();
  await server.close();
  await Promise.all(providers.map((p) => p.close()));
});

async function world(): Promise<World> {
  const w = await createWorld(server.url);
  orgs.add(w.orgId);
  return w;
}

async function addLlm(w: World, handle: string, llm: Record<string, string>) {
  const res = await w.owner.api.post(`/orgs/${w.orgId}/builtin-agents`, { kind: 'llm', handle, display_name: 'Answers', llm });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  await host.sync();
  return res.body.agent.id as string;
}

async function finished(as: Person, channelId: string, requestId: string): Promise<any> {
  for (;;) {
    const tasks = (await as.api.get(`/channels/${channelId}/tasks`)).body.tasks;
    const detail = tasks.find((t: any) => t.task.request_message_id === requestId);
    if (detail && ['done', 'failed'].includes(detail.task.status)) return detail;
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('built-in LLM agent', () => {
  it('asks an OpenAI-compatible endpoint with the context bundle and posts the answer citing only ids from the bundle', async () => {
    const w = await world();
    const secretWorld = await w.channel(w.owner, { kind: 'private', name: 'board' });
    const hidden = await w.post(w.owner, secretWorld, 'The acquisition closes on Friday.');
    const provider = await fakeProvider((req) => {
      const system = req.body.messages[0].content as string;
      // A model that cites what it was given, and also makes up a citation it was not given.
      return { status: 200, body: chatCompletion(`The launch moved to Thursday ${tagOf(system, 'moved to Thursday')}. Not [msg:${hidden.id}].`) };
    });
    providers.push(provider);
    const bot = await addLlm(w, 'answers', { provider: 'openai', model: 'local-model', base_url: `${provider.url}/v1`, api_key_env: 'CHORUS_LLM_TEST_OPENAI' });
    const channel = await w.channel(w.owner, { name: 'launch', members: [bot] });
    const news = await w.post(w.owner, channel, 'The launch moved to Thursday.');
    const request = await w.post(w.owner, channel, '@answers when is the launch?');

    const detail = await finished(w.owner, channel, request.id);
    expect(detail.task.status).toBe('done');
    expect(detail.result.body).toBe(`The launch moved to Thursday [msg:${news.id}]. Not [msg:${hidden.id}].`);
    expect(detail.result.sources).toEqual([{ type: 'message', id: news.id }]);

    expect(provider.seen).toHaveLength(1);
    const sent = provider.seen[0] as Seen;
    expect(sent.url).toBe('/v1/chat/completions');
    expect(sent.headers.authorization).toBe('Bearer sk-test-openai');
    expect(sent.body.model).toBe('local-model');
    expect(sent.body.messages[0].role).toBe('system');
    expect(sent.body.messages[0].content).toContain(`[msg:${news.id}] @${w.owner.handle}`);
    expect(sent.body.messages[0].content).toContain('The launch moved to Thursday.');
    expect(sent.body.messages[0].content).not.toContain('acquisition');
    expect(sent.body.messages[1]).toEqual({ role: 'user', content: '@answers when is the launch?' });
    // The key is read from the environment, never stored or shown.
    const listed = await w.owner.api.get(`/orgs/${w.orgId}/builtin-agents`);
    expect(listed.body.builtin_agents[0].llm).toEqual({ provider: 'openai', model: 'local-model', base_url: `${provider.url}/v1`, api_key_env: 'CHORUS_LLM_TEST_OPENAI' });
    expect(JSON.stringify(listed.body)).not.toContain('sk-test-openai');
  });

  it('speaks Anthropic’s messages API, and /ask sends the question', async () => {
    const w = await world();
    const provider = await fakeProvider((req) => ({
      status: 200,
      body: {
        id: 'msg_1',
        type: 'message',
        role: 'assistant',
        model: req.body.model,
        content: [{ type: 'text', text: `Per the guide, deploys are on Tuesdays ${tagOf(req.body.system as string, 'Deploy on Tuesdays')}.` }],
        stop_reason: 'end_turn',
        stop_sequence: null,
        usage: { input_tokens: 10, output_tokens: 10 },
      },
    }));
    providers.push(provider);
    const bot = await addLlm(w, 'claude', { provider: 'anthropic', model: 'claude-local', base_url: provider.url, api_key_env: 'CHORUS_LLM_TEST_ANTHROPIC' });
    const channel = await w.channel(w.owner, { members: [bot] });
    const doc = await w.owner.api.post(`/channels/${channel}/docs`, { title: 'Runbook', body: 'Deploy on Tuesdays only.' });
    expect(doc.status, JSON.stringify(doc.body)).toBe(201);
    expect((await w.owner.api.put(`/channels/${channel}/guide`, { doc_id: doc.body.doc.id })).status).toBe(200);

    const commands = (await w.owner.api.get(`/channels/${channel}/commands`)).body.commands;
    expect(commands.map((c: any) => [c.name, c.agent.id])).toEqual([['ask', bot]]);
    const request = await w.post(w.owner, channel, '/ask when do we deploy?');
    const detail = await finished(w.owner, channel, request.id);
    expect(detail.task).toMatchObject({ status: 'done', origin: 'command', command: 'ask' });
    expect(detail.result.sources).toEqual([{ type: 'doc', id: doc.body.doc.id }]);

    const sent = provider.seen[0] as Seen;
    expect(sent.url).toBe('/v1/messages');
    // The SDK sends the key from the environment (as a bearer token in this SDK version) and its API version.
    expect(`${String(sent.headers['x-api-key'])} ${String(sent.headers.authorization)}`).toContain('sk-ant-test');
    expect(sent.headers['anthropic-version']).toBeTruthy();
    expect(sent.body).toMatchObject({ model: 'claude-local', messages: [{ role: 'user', content: 'when do we deploy?' }] });
    expect(sent.body.system).toContain('## Channel guide');
    expect(sent.body.system).toContain('Deploy on Tuesdays only.');
  });

  it('a provider error fails the attempt, which is retried, and other agents keep working', async () => {
    const w = await world();
    let calls = 0;
    const provider = await fakeProvider(() => {
      calls += 1;
      return calls === 1 ? { status: 500, body: { error: { message: 'overloaded', type: 'server_error' } } } : { status: 200, body: chatCompletion('Second time lucky.') };
    });
    providers.push(provider);
    const bot = await addLlm(w, 'flaky', { provider: 'openai', model: 'm', base_url: `${provider.url}/v1`, api_key_env: 'CHORUS_LLM_TEST_OPENAI' });
    const down = await fakeProvider(() => ({ status: 500, body: { error: { message: 'down', type: 'server_error' } } }));
    providers.push(down);
    const broken = await addLlm(w, 'broken', { provider: 'openai', model: 'm', base_url: `${down.url}/v1`, api_key_env: 'CHORUS_LLM_TEST_OPENAI' });
    const noKey = await addLlm(w, 'nokey', { provider: 'anthropic', model: 'm', base_url: down.url, api_key_env: 'CHORUS_LLM_TEST_UNSET' });
    const digest = await w.owner.api.post(`/orgs/${w.orgId}/builtin-agents`, { kind: 'digest', handle: 'digest', display_name: 'Digest' });
    await host.sync();
    const channel = await w.channel(w.owner, { members: [bot, broken, noKey, digest.body.agent.id] });

    const failing = await w.post(w.owner, channel, '@broken are you there?');
    const keyless = await w.post(w.owner, channel, '@nokey are you there?');
    const flaky = await w.post(w.owner, channel, '@flaky are you there?');
    const summary = await w.post(w.owner, channel, '/digest');

    expect((await finished(w.owner, channel, summary.id)).task.status).toBe('done');
    const retried = await finished(w.owner, channel, flaky.id);
    expect(retried.task).toMatchObject({ status: 'done', attempts: 2 });
    expect(retried.result.body).toBe('Second time lucky.');
    const gaveUp = await finished(w.owner, channel, failing.id);
    expect(gaveUp.task).toMatchObject({ status: 'failed', attempts: 3 });
    expect(gaveUp.task.failure_reason).toContain('500');
    const missing = await finished(w.owner, channel, keyless.id);
    expect(missing.task.status).toBe('failed');
    expect(missing.task.failure_reason).toContain('CHORUS_LLM_TEST_UNSET');
    expect(down.seen.every((r) => r.url === '/v1/chat/completions')).toBe(true);
  });

  it('does not reach a model on an internal address its host does not allow, and says why in the failed task', async () => {
    const w = await createWorld(server.url);
    guardedOrgs.add(w.orgId);
    const provider = await fakeProvider(() => ({ status: 200, body: chatCompletion('Should never be asked.') }));
    providers.push(provider);
    // The server allows the address (its own CHORUS_OUTBOUND_ALLOW); the host that runs the agent does not.
    const res = await w.owner.api.post(`/orgs/${w.orgId}/builtin-agents`, { kind: 'llm', handle: 'inside', display_name: 'Inside', llm: { provider: 'openai', model: 'm', base_url: `${provider.url}/v1`, api_key_env: 'CHORUS_LLM_TEST_OPENAI' } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    await guarded.sync();
    const channel = await w.channel(w.owner, { members: [res.body.agent.id] });
    const asked = await w.post(w.owner, channel, '@inside are you there?');
    const failed = await finished(w.owner, channel, asked.id);
    expect(failed.task.status).toBe('failed');
    expect(failed.task.failure_reason).toContain("127.0.0.1 is an internal address; Chorus reaches internal addresses only when the server's CHORUS_OUTBOUND_ALLOW names them.");
    expect(provider.seen).toEqual([]);
  });
});
