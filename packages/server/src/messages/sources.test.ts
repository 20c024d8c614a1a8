import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChannelEvent } from '@chorus/protocol/events';
import { verifyChain } from '../audit/chain.js';
import type { RunningServer } from '../server.js';
import type { Agent, Person, World } from '../test/fixtures.js';
import { createWorld } from '../test/fixtures.js';
import { startTestServer } from '../test/server.js';
import { openSocket, type RecordingSocket } from '../test/sockets.js';

let server: RunningServer;
const sockets: RecordingSocket[] = [];
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await server.close();
});

/**
 * An org where the agent `bot` (sponsored by X) serves two channels:
 * #plans, private to X, Y and the bot; and #lobby, public (everyone in the org but guests, and the bot).
 * Z is an org member in neither.
 */
async function scene() {
  const w = await createWorld(server.url);
  const x = await w.person('member', 'X');
  const y = await w.person('member', 'Y');
  const z = await w.person('member', 'Z');
  const bot = await w.agent({ sponsor: x });
  const plans = await w.channel(x, { kind: 'private', members: [y.memberId, bot.memberId] });
  const lobby = await w.channel(x, { kind: 'public', members: [bot.memberId] });
  return { w, x, y, z, bot, plans, lobby };
}

const cite = (...ids: string[]) => ids.map((id) => ({ type: 'message' as const, id }));

function post(author: Agent | Person, channelId: string, body: string, extra: Record<string, unknown> = {}) {
  return author.api.post(`/channels/${channelId}/messages`, { body, ...extra });
}

function expectViolation(res: { status: number; body: any }, source: { type: string; id: string }) {
  expect(res.status, JSON.stringify(res.body)).toBe(403);
  expect(res.body.error.code).toBe('audience_violation');
  expect(res.body.error.details).toEqual({ source });
}

async function auditOf(w: World, actorId: string) {
  return server.ctx.db.selectFrom('audit_events').selectAll().where('org_id', '=', w.orgId).where('actor_id', '=', actorId).where('action', '=', 'agent.message.write').orderBy('seq').execute();
}

describe('the sources of an agent’s post (the audience rule)', () => {
  it('refuses citing a private channel in a public one: nothing stored, nothing delivered, the attempt audited', async () => {
    const { w, x, bot, plans, lobby } = await scene();
    const secret = await w.post(x, plans, 'The launch slips to May.');
    const before = await server.ctx.db.selectFrom('channels').select('last_seq').where('id', '=', lobby).executeTakeFirstOrThrow();
    const published: ChannelEvent[] = [];
    const off = server.ctx.bus.subscribe((e) => {
      if (e.channel_id === lobby) published.push(e);
    });

    const res = await post(bot, lobby, 'Heads up: the launch slips to May.', { sources: cite(secret.id) });
    off();
    expectViolation(res, { type: 'message', id: secret.id });
    expect(res.body.error.message).toContain(secret.id);

    const stored = await server.ctx.db.selectFrom('messages').select('id').where('author_id', '=', bot.memberId).execute();
    expect(stored).toEqual([]);
    const after = await server.ctx.db.selectFrom('channels').select('last_seq').where('id', '=', lobby).executeTakeFirstOrThrow();
    expect(after.last_seq).toBe(before.last_seq);
    expect(published).toEqual([]);
    const history = await x.api.get(`/channels/${lobby}/messages`);
    expect(history.body.messages).toEqual([]);

    const audit = await auditOf(w, bot.memberId);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ decision: 'deny', reason: 'audience_violation', channel_id: lobby, items: [secret.id], actor_kind: 'agent', details: { source: { type: 'message', id: secret.id } } });
    expect(await verifyChain(server.ctx.db, w.orgId)).toMatchObject({ ok: true });
  });

  it('allows citing a public channel in a private one whose readers all read it, and audits the write with its sources', async () => {
    const { w, y, bot, plans, lobby } = await scene();
    const open = await w.post(y, lobby, 'The office is closed on Friday.');

    const res = await post(bot, plans, 'Reminder: no office on Friday.', { sources: cite(open.id, open.id) });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.message).toMatchObject({ sources: cite(open.id), audience: 'all', kind: 'chat', author: { id: bot.memberId, kind: 'agent' } });
    expect((await y.api.get(`/messages/${res.body.message.id}`)).body.message.sources).toEqual(cite(open.id));

    const audit = await auditOf(w, bot.memberId);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ decision: 'allow', target_type: 'message', target_id: res.body.message.id, channel_id: plans, items: [res.body.message.id, open.id] });
    expect(await verifyChain(server.ctx.db, w.orgId)).toMatchObject({ ok: true });
  });

  it('audits an agent’s post without sources, and not a person’s', async () => {
    const { w, x, bot, plans } = await scene();
    const mine = await w.post(bot, plans, 'Done.');
    await w.post(x, plans, 'Thanks.');
    expect(await auditOf(w, bot.memberId)).toMatchObject([{ decision: 'allow', items: [mine.id] }]);
    expect(await auditOf(w, x.memberId)).toEqual([]);
  });

  it('refuses a flow it allowed once the target channel gains a reader the source lacks, and allows it again when that reader goes', async () => {
    const { w, x, y, bot, plans, lobby } = await scene();
    const open = await w.post(y, lobby, 'Lunch is at noon.');
    expect((await post(bot, plans, 'Lunch at noon.', { sources: cite(open.id) })).status).toBe(201);

    const guest = await w.person('guest', 'Gus');
    expect((await x.api.post(`/channels/${plans}/members`, { member_id: guest.memberId })).status).toBe(201);
    expectViolation(await post(bot, plans, 'Lunch at noon, again.', { sources: cite(open.id) }), { type: 'message', id: open.id });

    expect((await x.api.delete(`/channels/${plans}/members/${guest.memberId}`)).status).toBe(204);
    expect((await post(bot, plans, 'Lunch at noon, third time.', { sources: cite(open.id) })).status).toBe(201);
  });

  it('refuses a flow once the source channel loses a reader of the target', async () => {
    const { w, x, y, bot, plans } = await scene();
    const narrow = await w.channel(x, { kind: 'private', members: [y.memberId, bot.memberId] });
    const said = await w.post(y, narrow, 'Between us three.');
    expect((await post(bot, plans, 'As Y said…', { sources: cite(said.id) })).status).toBe(201);
    expect((await y.api.post(`/channels/${narrow}/leave`)).status).toBe(204);
    expectViolation(await post(bot, plans, 'As Y said…', { sources: cite(said.id) }), { type: 'message', id: said.id });
  });

  it('lets an agent cite its own channel, but not what it could not read there', async () => {
    const { w, x, bot, plans } = await scene();
    const said = await w.post(x, plans, 'Ship it Tuesday.');
    expect((await post(bot, plans, 'Tuesday it is.', { sources: cite(said.id) })).status).toBe(201);

    const humansOnly = await w.post(x, plans, 'Between people: the budget is tight.', { audience: 'humans' });
    expect(humansOnly.audience).toBe('humans');
    expectViolation(await post(bot, plans, 'The budget is tight.', { sources: cite(humansOnly.id) }), { type: 'message', id: humansOnly.id });

    // History from before the agent joined a since_join channel is not the agent's to use.
    const later = await w.channel(x, { kind: 'private', history_for_new_members: 'since_join' });
    const early = await w.post(x, later, 'Old news.');
    expect((await x.api.post(`/channels/${later}/members`, { member_id: bot.memberId })).status).toBe(201);
    expectViolation(await post(bot, later, 'Old news, retold.', { sources: cite(early.id) }), { type: 'message', id: early.id });
    const fresh = await w.post(x, later, 'New news.');
    expect((await post(bot, later, 'New news, retold.', { sources: cite(fresh.id) })).status).toBe(201);
  });

  it('applies to direct messages: only to the same people or fewer', async () => {
    const { w, x, y, bot, plans } = await scene();
    const dm = await x.api.post(`/orgs/${w.orgId}/dms`, { member_ids: [bot.memberId] });
    expect(dm.status, JSON.stringify(dm.body)).toBe(201);
    const group = await x.api.post(`/orgs/${w.orgId}/dms`, { member_ids: [y.memberId, bot.memberId] });
    expect(group.status, JSON.stringify(group.body)).toBe(201);
    const dmId: string = dm.body.channel.id;
    const groupId: string = group.body.channel.id;

    const inPlans = await w.post(x, plans, 'Plans.');
    const inDm = await w.post(x, dmId, 'Just for you, bot.');
    const inGroup = await w.post(y, groupId, 'For the three of us.');

    // #plans and the group DM have the same readers (X, Y, bot); the DM has fewer (X, bot).
    expect((await post(bot, dmId, 'From plans.', { sources: cite(inPlans.id) })).status).toBe(201);
    expect((await post(bot, groupId, 'From plans.', { sources: cite(inPlans.id) })).status).toBe(201);
    expect((await post(bot, plans, 'From the group.', { sources: cite(inGroup.id) })).status).toBe(201);
    expect((await post(bot, dmId, 'From the group.', { sources: cite(inGroup.id) })).status).toBe(201);
    expectViolation(await post(bot, plans, 'From the DM.', { sources: cite(inDm.id) }), { type: 'message', id: inDm.id });
    expectViolation(await post(bot, groupId, 'From the DM.', { sources: cite(inDm.id) }), { type: 'message', id: inDm.id });
  });

  it('counts guests where they are members: a public channel with a guest may not cite one without', async () => {
    const { w, x, bot, lobby } = await scene();
    const guest = await w.person('guest', 'Gil');
    const porch = await w.channel(x, { kind: 'public', members: [guest.memberId, bot.memberId] });
    const inLobby = await w.post(x, lobby, 'Members only, in effect.');
    const onPorch = await w.post(guest, porch, 'Hello from a guest.');

    expectViolation(await post(bot, porch, 'From the lobby.', { sources: cite(inLobby.id) }), { type: 'message', id: inLobby.id });
    expect((await post(bot, lobby, 'From the porch.', { sources: cite(onPorch.id) })).status).toBe(201);
  });

  it('refuses unknown ids, other orgs’ messages, docs and experience alike, naming the first offender', async () => {
    const { w, x, bot, plans, lobby } = await scene();
    const secret = await w.post(x, plans, 'Secret.');
    const open = await w.post(x, lobby, 'Open.');
    const elsewhere = await createWorld(server.url);
    const foreign = await elsewhere.post(elsewhere.owner, elsewhere.generalId, 'Another org.');
    const unknown = randomUUID();

    const real = await post(bot, lobby, 'x', { sources: cite(secret.id) });
    const missing = await post(bot, lobby, 'x', { sources: cite(unknown) });
    expectViolation(missing, { type: 'message', id: unknown });
    // The same answer whether the id exists elsewhere or nowhere.
    expect(missing.body.error.message.replace(unknown, 'ID')).toBe(real.body.error.message.replace(secret.id, 'ID'));
    expectViolation(await post(bot, lobby, 'x', { sources: cite(foreign.id) }), { type: 'message', id: foreign.id });
    const doc = randomUUID();
    expectViolation(await post(bot, lobby, 'x', { sources: [{ type: 'doc', id: doc }] }), { type: 'doc', id: doc });
    const lesson = randomUUID();
    expectViolation(await post(bot, lobby, 'x', { sources: [{ type: 'experience', id: lesson }] }), { type: 'experience', id: lesson });
    expectViolation(await post(bot, lobby, 'x', { sources: [...cite(open.id, secret.id), { type: 'doc', id: doc }] }), { type: 'message', id: secret.id });

    const denied = (await auditOf(w, bot.memberId)).filter((e) => e.decision === 'deny');
    expect(denied.map((e) => e.items)).toEqual([[secret.id], [unknown], [foreign.id], [doc], [lesson], [open.id, secret.id, doc]]);
    expect(await server.ctx.db.selectFrom('messages').select('id').where('author_id', '=', bot.memberId).execute()).toEqual([]);
  });

  it('does not block people, who carry their own judgement; their sources are kept', async () => {
    const { w, x, plans, lobby } = await scene();
    const secret = await w.post(x, plans, 'Secret.');
    const res = await post(x, lobby, 'I am quoting #plans on purpose.', { sources: cite(secret.id) });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.message.sources).toEqual(cite(secret.id));
  });

  it('validates sources, kinds and audience', async () => {
    const { w, x, bot, plans } = await scene();
    const bad = [
      { body: 'x', sources: [{ type: 'message', id: 'not-a-uuid' }] },
      { body: 'x', sources: [{ type: 'file', id: randomUUID() }] },
      { body: 'x', sources: [{ type: 'message', id: randomUUID(), extra: 1 }] },
      { body: 'x', sources: Array.from({ length: 51 }, () => ({ type: 'message', id: randomUUID() })) },
      { body: 'x', kind: 'system' },
      { body: 'x', audience: 'agents' },
    ];
    for (const body of bad) {
      const res = await bot.api.post(`/channels/${plans}/messages`, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
    }
    const thinking = await post(x, plans, 'I am thinking.', { kind: 'agent_reasoning' });
    expect(thinking.status).toBe(403);
    expect(thinking.body.error.code).toBe('agents_only_kind');
    const step = await post(bot, plans, 'Calling the search tool.', { kind: 'agent_tool' });
    expect(step.status, JSON.stringify(step.body)).toBe(201);
    expect(step.body.message.kind).toBe('agent_tool');
    const note = await post(x, plans, 'People only.', { audience: 'humans' });
    expect(note.body.message.audience).toBe('humans');
    expect((await w.owner.api.get(`/messages/${note.body.message.id}`)).status).toBe(404); // the owner is not in #plans
    expect((await x.api.get(`/messages/${note.body.message.id}`)).body.message.audience).toBe('humans');
  });

  it('applies to sends over the socket too', async () => {
    const { w, x, bot, plans, lobby } = await scene();
    const secret = await w.post(x, plans, 'Secret.');
    const open = await w.post(x, lobby, 'Open.');
    const s = await openSocket(server.url, bot.token);
    sockets.push(s);

    await expect(s.socket.send(lobby, 'Leaking.', { sources: cite(secret.id) })).rejects.toMatchObject({
      code: 'audience_violation',
      details: { source: { type: 'message', id: secret.id } },
    });
    const { message } = await s.socket.send(plans, 'Quoting the lobby.', { sources: cite(open.id), kind: 'agent_reasoning' });
    expect(message).toMatchObject({ sources: cite(open.id), kind: 'agent_reasoning', channel_id: plans });
    expect((await server.ctx.db.selectFrom('messages').select('channel_id').where('author_id', '=', bot.memberId).execute()).map((m) => m.channel_id)).toEqual([plans]);
  });
});
