import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { RunningServer } from '../server.js';
import { Api } from '../test/client.js';
import { auditOf, issueTaskToken, writeMessage } from '../test/context-fixtures.js';
import { createWorld, type World } from '../test/fixtures.js';
import { startTestServer } from '../test/server.js';

let server: RunningServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const newDoc = async (w: World, channelId: string, title: string, body: string) => {
  const res = await w.owner.api.post(`/channels/${channelId}/docs`, { title, body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.doc as { id: string; title: string; body: string };
};

/** Makes a doc look last edited `days` ago. */
const ageDoc = (docId: string, days: number) =>
  server.ctx.db.updateTable('channel_docs').set({ updated_at: sql<Date>`now() - make_interval(days => ${days})` }).where('id', '=', docId).execute();

async function taskWorld(request: string) {
  const w = await createWorld(server.url);
  const bot = await w.agent();
  const channelId = await w.channel(w.owner, { members: [bot.memberId] });
  const root = await w.post(w.owner, channelId, request);
  const task = await issueTaskToken(server, { orgId: w.orgId, channelId, agentId: bot.memberId, requesterId: w.owner.memberId, requestMessageId: root.id });
  return { w, bot, channelId, root, task, taskApi: new Api(server.url, task.token) };
}

describe('knowledge in the context bundle', () => {
  it('leads with the guide, then the thread, the pins the agent may read and the docs relevant to the task; each item cited by id and audited', async () => {
    const { w, channelId, root, task, taskApi } = await taskWorld('The deploy failed at the migration step, can someone look?');
    const guide = await newDoc(w, channelId, 'How agents work here', 'Cite your sources. Ask before deploying.');
    expect((await w.owner.api.put(`/channels/${channelId}/guide`, { doc_id: guide.id })).status).toBe(200);
    const runbook = await newDoc(w, channelId, 'Deploy runbook', 'When the migration step fails, roll back and rerun the migration.');
    await newDoc(w, channelId, 'Lunch rota', 'Tacos on Friday.');
    const archived = await newDoc(w, channelId, 'Old deploy notes', 'The migration step used to fail.');
    await w.owner.api.post(`/docs/${archived.id}/archive`);
    const freeze = await w.post(w.owner, channelId, 'Deploys freeze on Fridays.');
    const chatter = await w.post(w.owner, channelId, 'coffee?');
    const hidden = await writeMessage(server, { channelId, authorId: w.owner.memberId, body: 'people only: on-call pay', audience: 'humans' });
    for (const [id, note] of [[freeze.id, 'policy'], [hidden.id, 'pay']] as const) expect((await w.owner.api.put(`/messages/${id}/pin`, { note })).status).toBe(201);
    expect((await w.owner.api.put(`/messages/${root.id}/pin`)).status).toBe(201);

    const res = await taskApi.get(`/channels/${channelId}/context`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const bundle = res.body;
    expect(Object.keys(bundle)).toEqual(['channel', 'task', 'guide', 'thread', 'pins', 'docs', 'experience', 'history', 'budget']);
    expect(bundle.guide).toEqual({ type: 'doc', id: guide.id, title: 'How agents work here', body: guide.body, revision: 1, updated_at: expect.any(String), body_truncated: false });
    expect(bundle.thread.root.id).toBe(root.id);
    // The root is pinned too, but served once, in the thread; the hidden message's pin never reaches the agent.
    expect(bundle.pins).toEqual({
      items: [expect.objectContaining({ type: 'message', id: freeze.id, body: 'Deploys freeze on Fridays.', pin: { pinned_by: w.owner.memberId, pinned_at: expect.any(String), note: 'policy' } })],
      truncated: false,
    });
    expect(bundle.docs.items.map((d: any) => [d.type, d.id, d.title, d.body_truncated])).toEqual([['doc', runbook.id, 'Deploy runbook', false]]);
    expect(bundle.docs.items[0].score).toBeGreaterThan(0);
    expect(bundle.history.items.map((m: any) => m.id)).toEqual([chatter.id]);
    expect(bundle.experience).toEqual([]);
    const chars = ([guide.body, root.body, freeze.body, runbook.body, chatter.body] as string[]).reduce((n, body) => n + body.length, 0);
    expect(bundle.budget).toEqual({ max_messages: 50, max_chars: 20_000, messages: 3, chars });

    const [event] = await auditOf(server, w.orgId, 'agent.context.read');
    expect(event?.items).toEqual([guide.id, root.id, freeze.id, runbook.id, chatter.id]);
    expect(event?.details).toMatchObject({ task_id: task.taskId, doc_ids: [guide.id, runbook.id] });
    expect(JSON.stringify(bundle)).not.toContain('on-call pay');

    // What the bundle served is citable: the doc and the pinned message, by the type and id it gave.
    const cited = await taskApi.post(`/channels/${channelId}/messages`, {
      body: 'Rolling back per the runbook.',
      thread_root_id: root.id,
      sources: [{ type: bundle.docs.items[0].type, id: bundle.docs.items[0].id }, { type: bundle.pins.items[0].type, id: bundle.pins.items[0].id }, { type: 'doc', id: guide.id }],
    });
    expect(cited.status, JSON.stringify(cited.body)).toBe(201);
  });

  it('ranks docs by relevance to the request times freshness; without a task, the freshest docs', async () => {
    const { w, bot, channelId, taskApi } = await taskWorld('How do we run the database migration?');
    const focused = await newDoc(w, channelId, 'Database migration', 'Run the migration with the migration tool, then check the database.');
    const passing = await newDoc(w, channelId, 'Team notes', 'Someone mentioned a migration once.');
    const unrelated = await newDoc(w, channelId, 'Holidays', 'Book leave early.');
    const ranked = async () => (await taskApi.get(`/channels/${channelId}/context`)).body.docs.items.map((d: any) => d.id);
    expect(await ranked()).toEqual([focused.id, passing.id]);
    // Ten years stale, the focused doc's freshness (1 / (1 + 3650 / 30)) sinks it below the passing mention.
    await ageDoc(focused.id, 3650);
    expect(await ranked()).toEqual([passing.id, focused.id]);

    await ageDoc(passing.id, 10);
    const plain = await bot.api.get(`/channels/${channelId}/context`);
    expect(plain.body.docs.items.map((d: any) => d.id)).toEqual([unrelated.id, passing.id, focused.id]);
  });

  it('keeps within the character budget: the guide is cut to fit, docs that do not fit are skipped for ones that do', async () => {
    const { w, channelId, taskApi } = await taskWorld('deploy');
    const guide = await newDoc(w, channelId, 'Guide', 'g'.repeat(100));
    await w.owner.api.put(`/channels/${channelId}/guide`, { doc_id: guide.id });
    const cut = await taskApi.get(`/channels/${channelId}/context?max_chars=40`);
    expect(cut.body.guide).toMatchObject({ id: guide.id, body: 'g'.repeat(40), body_truncated: true });
    expect(cut.body.thread).toMatchObject({ root: null, truncated: true });
    expect(cut.body.budget).toMatchObject({ max_chars: 40, chars: 40 });

    await w.owner.api.put(`/channels/${channelId}/guide`, { doc_id: null });
    const big = await newDoc(w, channelId, 'Deploy handbook', `deploy deploy ${'x'.repeat(5000)}`);
    const small = await newDoc(w, channelId, 'Deploy notes', 'deploy on Tuesdays');
    await ageDoc(small.id, 30);
    const fitted = await taskApi.get(`/channels/${channelId}/context?max_chars=1000`);
    expect(fitted.body.guide).toBeNull();
    expect(fitted.body.docs).toEqual({ items: [expect.objectContaining({ id: small.id, body: 'deploy on Tuesdays' })], truncated: true });
    expect(fitted.body.budget.chars).toBeLessThanOrEqual(1000);
    const roomy = await taskApi.get(`/channels/${channelId}/context?max_chars=100000`);
    expect(roomy.body.docs.items.map((d: any) => d.id)).toEqual([big.id, small.id]);
  });

  it("never hands an agent working in B the guide, pins or docs of A, and refuses A's docs as sources in B", async () => {
    const w = await createWorld(server.url);
    await w.person('member', 'Pat'); // reads public B, not private A
    const bot = await w.agent();
    const a = await w.channel(w.owner, { kind: 'private', members: [bot.memberId] });
    const b = await w.channel(w.owner, { members: [bot.memberId] });
    const guideA = await newDoc(w, a, 'Guide for A', 'deploy secrets live in the vault');
    await w.owner.api.put(`/channels/${a}/guide`, { doc_id: guideA.id });
    const docA = await newDoc(w, a, 'Deploy plan A', 'deploy the acquisition');
    const pinA = await w.post(w.owner, a, 'deploy codename: falcon');
    await w.owner.api.put(`/messages/${pinA.id}/pin`);
    const docB = await newDoc(w, b, 'Deploy plan B', 'deploy the website');
    const request = await w.post(w.owner, b, 'Please plan the deploy');
    const task = await issueTaskToken(server, { orgId: w.orgId, channelId: b, agentId: bot.memberId, requesterId: w.owner.memberId, requestMessageId: request.id });
    const taskApi = new Api(server.url, task.token);

    const inB = (await taskApi.get(`/channels/${b}/context`)).body;
    expect(inB.guide).toBeNull();
    expect(inB.pins.items).toEqual([]);
    expect(inB.docs.items.map((d: any) => d.id)).toEqual([docB.id]);
    for (const secret of ['vault', 'acquisition', 'falcon']) expect(JSON.stringify(inB)).not.toContain(secret);
    for (const path of [`/channels/${a}/context`, `/channels/${a}/pins`, `/channels/${a}/docs`, `/docs/${docA.id}`, `/docs/${guideA.id}`, `/messages/${pinA.id}`]) {
      expect((await taskApi.get(path)).status, path).toBe(404);
    }
    // With its own token the agent reads A (it was added there): the items exist, the boundary is what hid them.
    const inA = (await bot.api.get(`/channels/${a}/context`)).body;
    expect([inA.guide.id, inA.pins.items[0].id]).toEqual([guideA.id, pinA.id]);

    const post = (sources: { type: string; id: string }[]) => taskApi.post(`/channels/${b}/messages`, { body: 'The plan.', sources });
    const refused = await post([{ type: 'doc', id: docA.id }]);
    expect([refused.status, refused.body.error.code, refused.body.error.details]).toEqual([403, 'audience_violation', { source: { type: 'doc', id: docA.id } }]);
    expect((await post([{ type: 'doc', id: docB.id }])).status).toBe(201);
    // Pat reads B but not A: A's doc may not flow into B. Cited in A itself, it may.
    expect((await bot.api.post(`/channels/${a}/messages`, { body: 'As planned.', sources: [{ type: 'doc', id: docA.id }] })).status).toBe(201);
  });
});
