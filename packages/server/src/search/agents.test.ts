import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../server.js';
import { Api } from '../test/client.js';
import { age, auditOf, issueTaskToken, writeMessage } from '../test/context-fixtures.js';
import { writeEntry } from '../test/experience.js';
import { createWorld, type World } from '../test/fixtures.js';
import { startTestServer } from '../test/server.js';

/**
 * What agents find: their read rules, and with a task token only what the
 * task's channel may be shown (the audience rule). Every search is audited.
 */

let server: RunningServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

type Caller = { api: Api };

async function found(who: Caller, w: World, q: string, extra = ''): Promise<string[]> {
  const res = await who.api.get(`/orgs/${w.orgId}/search?q=${encodeURIComponent(q)}${extra}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.hits.map((h: any) => h.snippet.text).sort();
}

async function taskIn(w: World, channelId: string, agentId: string): Promise<Caller> {
  const request = await w.post(w.owner, channelId, 'Please look into it');
  const { token } = await issueTaskToken(server, { orgId: w.orgId, channelId, agentId, requesterId: w.owner.memberId, requestMessageId: request.id });
  return { api: new Api(server.url, token) };
}

describe('the task boundary', () => {
  it('an agent with a task in B never finds what A holds when A is read by fewer than B', async () => {
    const w = await createWorld(server.url);
    const pat = await w.person('member', 'Pat');
    const kim = await w.person('member', 'Kim');
    const bot = await w.agent();
    const a = await w.channel(w.owner, { kind: 'private', members: [bot.memberId] });
    const b = await w.channel(w.owner, { kind: 'private', members: [pat.memberId, bot.memberId] });
    const wider = await w.channel(w.owner, { kind: 'private', members: [pat.memberId, kim.memberId, bot.memberId] });
    const pub = await w.channel(w.owner, { members: [bot.memberId] });
    await w.post(w.owner, a, 'okapi plans of the board');
    await w.post(w.owner, b, 'okapi notes of the team');
    await w.post(w.owner, wider, 'okapi news for everyone here');
    await w.post(w.owner, pub, 'okapi announcement');

    // With its own token the agent reads all four channels.
    expect(await found(bot, w, 'okapi')).toEqual(['okapi announcement', 'okapi news for everyone here', 'okapi notes of the team', 'okapi plans of the board']);
    // With a task in B: B itself, and channels whose readers include all of B's readers; never A.
    const inB = await taskIn(w, b, bot.memberId);
    expect(await found(inB, w, 'okapi')).toEqual(['okapi announcement', 'okapi news for everyone here', 'okapi notes of the team']);
    expect(await found(inB, w, 'okapi', `&channel_id=${a}`)).toEqual([]);
    expect(await found(inB, w, 'board')).toEqual([]);
    // With a task in A, whose readers are few, every channel the agent reads includes them.
    const inA = await taskIn(w, a, bot.memberId);
    expect(await found(inA, w, 'okapi')).toHaveLength(4);

    // When Kim leaves the wider channel... its readers still include B's; when Pat leaves it, they no longer do.
    expect((await w.owner.api.delete(`/channels/${wider}/members/${pat.memberId}`)).status).toBe(204);
    expect(await found(inB, w, 'okapi')).toEqual(['okapi announcement', 'okapi notes of the team']);
  });

  it('a guest among the task channel readers keeps public channels out of the task search', async () => {
    const w = await createWorld(server.url);
    const guest = await w.person('guest', 'Guest');
    const bot = await w.agent();
    const b = await w.channel(w.owner, { kind: 'private', members: [guest.memberId, bot.memberId] });
    const pub = await w.channel(w.owner, { members: [bot.memberId] });
    await w.post(w.owner, b, 'lemur with the guest');
    await w.post(w.owner, pub, 'lemur for the org');
    const inB = await taskIn(w, b, bot.memberId);
    expect(await found(inB, w, 'lemur')).toEqual(['lemur with the guest']);
  });
});

describe("an agent's read rules", () => {
  it('only channels it was added to, never audience: humans, never others reasoning', async () => {
    const w = await createWorld(server.url);
    const bot = await w.agent();
    const other = await w.agent();
    const room = await w.channel(w.owner, { members: [bot.memberId, other.memberId] });
    await w.post(w.owner, w.generalId, 'narwhal in general');
    await w.post(w.owner, room, 'narwhal in the room');
    await writeMessage(server, { channelId: room, authorId: w.owner.memberId, body: 'narwhal secret', audience: 'humans' });
    await writeMessage(server, { channelId: room, authorId: other.memberId, body: 'narwhal reasoning', kind: 'agent_reasoning' });
    expect(await found(bot, w, 'narwhal')).toEqual(['narwhal in the room']);
    expect(await found(bot, w, 'narwhal', `&channel_id=${w.generalId}`)).toEqual([]);
  });

  it('mentions_only: what mentions it, its own words and its tasks threads', async () => {
    const w = await createWorld(server.url);
    const bot = await w.agent();
    const room = await w.channel(w.owner, { members: [bot.memberId], agent_access: 'mentions_only' });
    await w.post(w.owner, room, `the ibex report, @${bot.handle}, please`);
    await w.post(w.owner, room, 'ibex chatter among people');
    await w.post(bot, room, 'ibex answer from the bot');
    expect(await found(bot, w, 'ibex')).toEqual(['ibex answer from the bot', `the ibex report, @${bot.handle}, please`]);
  });

  it('since_join and agent_history_days bound how far back it finds', async () => {
    const w = await createWorld(server.url);
    const bot = await w.agent();
    const late = await w.channel(w.owner, { kind: 'private', history_for_new_members: 'since_join' });
    await w.post(w.owner, late, 'tapir before the agent came');
    expect((await w.owner.api.post(`/channels/${late}/members`, { member_id: bot.memberId })).status).toBe(201);
    await w.post(w.owner, late, 'tapir after the agent came');
    const recent = await w.channel(w.owner, { members: [bot.memberId], agent_history_days: 7 });
    const old = await w.post(w.owner, recent, 'tapir long ago');
    await w.post(w.owner, recent, 'tapir this week');
    await age(server, [old.id], 30);
    expect(await found(bot, w, 'tapir')).toEqual(['tapir after the agent came', 'tapir this week']);
    // People see the old message: the bound is for agents.
    expect(await found(w.owner, w, 'tapir')).toHaveLength(4);
  });
});

describe('the record', () => {
  it('records every agent search with the ids returned, and the task with a task token; people are not recorded', async () => {
    const w = await createWorld(server.url);
    const bot = await w.agent();
    const room = await w.channel(w.owner, { members: [bot.memberId] });
    const m1 = await w.post(w.owner, room, 'quokka one');
    const m2 = await w.post(w.owner, room, 'quokka quokka two');
    await found(w.owner, w, 'quokka');
    await found(bot, w, 'quokka', `&channel_id=${room}`);
    const request = await w.post(w.owner, room, 'Please count');
    const task = await issueTaskToken(server, { orgId: w.orgId, channelId: room, agentId: bot.memberId, requesterId: w.owner.memberId, requestMessageId: request.id });
    await found({ api: new Api(server.url, task.token) }, w, 'nothing-matches-this');

    const events = await auditOf(server, w.orgId, 'agent.search');
    expect(events.map((e) => [e.actor_id, e.decision, e.items, e.channel_id])).toEqual([
      [bot.memberId, 'allow', [m2.id, m1.id], null],
      [bot.memberId, 'allow', [], room],
    ]);
    expect(events[0]?.details).toMatchObject({ q: 'quokka', channel_id: room, kinds: ['message', 'doc', 'experience'] });
    expect(events[1]?.details).toMatchObject({ q: 'nothing-matches-this', task_id: task.taskId });
  });

  it('records a refused agent search with the rule that refused it', async () => {
    const w = await createWorld(server.url);
    const bot = await w.agent({ scopes: ['channels:read'] });
    const res = await bot.api.get(`/orgs/${w.orgId}/search?q=anything`);
    expect(res.body.error.code).toBe('insufficient_scope');
    const events = await auditOf(server, w.orgId, 'agent.search');
    expect(events.map((e) => [e.actor_id, e.decision, e.reason])).toEqual([[bot.memberId, 'deny', 'insufficient_scope']]);
  });
});

describe('docs and experience', () => {
  async function ids(who: Caller, w: World, q: string, extra = ''): Promise<string[]> {
    const res = await who.api.get(`/orgs/${w.orgId}/search?q=${encodeURIComponent(q)}${extra}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.hits.map((h: any) => h.id).sort();
  }
  async function doc(w: World, channelId: string, title: string): Promise<string> {
    const res = await w.owner.api.post(`/channels/${channelId}/docs`, { title, body: 'x' });
    expect(res.status).toBe(201);
    return res.body.doc.id;
  }

  it('with a task in B an agent never finds the docs or entries of A, read by fewer; humans-only entries never', async () => {
    const w = await createWorld(server.url);
    const pat = await w.person('member', 'Pat');
    const bot = await w.agent();
    const a = await w.channel(w.owner, { kind: 'private', members: [bot.memberId] });
    const b = await w.channel(w.owner, { kind: 'private', members: [pat.memberId, bot.memberId] });
    const entry = (channelId: string, title: string, extra: { scope?: 'org'; audience?: 'humans' } = {}) =>
      writeEntry(server, { orgId: w.orgId, channelId, authorId: w.owner.memberId, title, body: 'x', ...extra });
    const docA = await doc(w, a, 'Caracal board doc');
    const docB = await doc(w, b, 'Caracal team doc');
    const docGeneral = await doc(w, w.generalId, 'Caracal doc for all');
    const entryA = await entry(a, 'Caracal board lesson');
    const entryB = await entry(b, 'Caracal team lesson');
    const humansB = await entry(b, 'Caracal people lesson', { audience: 'humans' });
    const orgEntry = await entry(a, 'Caracal org lesson', { scope: 'org' });
    const humansOrg = await entry(a, 'Caracal org people lesson', { scope: 'org', audience: 'humans' });

    // Its own token: the channels it is in (not general) and org-scope entries, never humans-only ones.
    expect(await ids(bot, w, 'caracal')).toEqual([docA, docB, entryA, entryB, orgEntry].sort());
    // A task in B: B's, and org-scope entries (everyone who reads B reads them); never A's.
    const inB = await taskIn(w, b, bot.memberId);
    expect(await ids(inB, w, 'caracal')).toEqual([docB, entryB, orgEntry].sort());
    expect(await ids(inB, w, 'caracal', `&channel_id=${a}`)).toEqual([]);
    expect(await ids(inB, w, 'caracal', '&status=all&include_archived=true')).toEqual([docB, entryB, orgEntry].sort());
    // People read everything here.
    expect(await ids(w.owner, w, 'caracal')).toEqual([docA, docB, docGeneral, entryA, entryB, humansB, orgEntry, humansOrg].sort());
  });

  it('a task channel with a guest keeps org-scope entries out (the guest does not read them)', async () => {
    const w = await createWorld(server.url);
    const guest = await w.person('guest', 'Guest');
    const bot = await w.agent();
    const b = await w.channel(w.owner, { kind: 'private', members: [guest.memberId, bot.memberId] });
    const local = await writeEntry(server, { orgId: w.orgId, channelId: b, authorId: w.owner.memberId, title: 'Margay local', body: 'x' });
    await writeEntry(server, { orgId: w.orgId, channelId: b, authorId: w.owner.memberId, title: 'Margay org-wide', body: 'x', scope: 'org' });
    const inB = await taskIn(w, b, bot.memberId);
    expect(await ids(inB, w, 'margay')).toEqual([local]);
    expect(await ids(bot, w, 'margay')).toHaveLength(2);
  });

  it('records the doc and entry ids an agent search returns', async () => {
    const w = await createWorld(server.url);
    const bot = await w.agent();
    const room = await w.channel(w.owner, { members: [bot.memberId] });
    const d = await doc(w, room, 'Serval doc');
    const e = await writeEntry(server, { orgId: w.orgId, channelId: room, authorId: w.owner.memberId, title: 'Serval lesson', body: 'x' });
    const returned = await ids(bot, w, 'serval', '&kinds=doc&kinds=experience&status=all');
    expect(returned).toEqual([d, e].sort());
    const [event] = await auditOf(server, w.orgId, 'agent.search');
    expect([...(event?.items ?? [])].sort()).toEqual(returned);
    expect(event?.details).toMatchObject({ q: 'serval', kinds: ['doc', 'experience'], status: 'all' });
  });
});
