import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../server.js';
import { age, writeMessage } from '../test/context-fixtures.js';
import { createWorld, type Person, type World } from '../test/fixtures.js';
import { startTestServer } from '../test/server.js';
import { RestClient } from '@chorus/sdk';
import { sql, type KyselyPlugin } from 'kysely';
import { search } from './service.js';
import type { Api } from '../test/client.js';

/** Search as people use it: matching, filters, ranking, paging, snippets, edits and deletions. */

let server: RunningServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

type Caller = { api: Api };

async function searchAs(who: Caller, w: World, query: Record<string, string | number | string[]>): Promise<any> {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) for (const v of Array.isArray(value) ? value : [value]) params.append(key, String(v));
  const res = await who.api.get(`/orgs/${w.orgId}/search?${params.toString()}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

const bodiesOf = (result: any): string[] => result.hits.map((h: any) => h.snippet.text);

describe('matching', () => {
  it('finds messages by their words, stemmed, and phrases, in the channels one reads', async () => {
    const w = await createWorld(server.url);
    const channelId = await w.channel(w.owner);
    await w.post(w.owner, channelId, 'We are deploying the billing service tonight');
    await w.post(w.owner, channelId, 'Lunch is at noon');
    await w.post(w.owner, w.generalId, 'The deploy of billing went well');

    const found = await searchAs(w.owner, w, { q: 'deploy' });
    expect(bodiesOf(found).sort()).toEqual(['The deploy of billing went well', 'We are deploying the billing service tonight']);
    expect(bodiesOf(await searchAs(w.owner, w, { q: '"billing service"' }))).toEqual(['We are deploying the billing service tonight']);
    expect(bodiesOf(await searchAs(w.owner, w, { q: 'deploy -tonight' }))).toEqual(['The deploy of billing went well']);
    expect((await searchAs(w.owner, w, { q: 'the' })).hits).toEqual([]);
    expect((await searchAs(w.owner, w, { q: 'nothing-like-this' })).hits).toEqual([]);
  });

  it('matches an edited message by its current text only, and a deleted message never', async () => {
    const w = await createWorld(server.url);
    const edited = await w.post(w.owner, w.generalId, 'The rollout is on Monday');
    const deleted = await w.post(w.owner, w.generalId, 'The rollout password is hunter2');
    expect((await w.owner.api.patch(`/messages/${edited.id}`, { body: 'The launch is on Tuesday' })).status).toBe(200);
    expect((await w.owner.api.delete(`/messages/${deleted.id}`)).status).toBe(200);

    expect((await searchAs(w.owner, w, { q: 'rollout' })).hits).toEqual([]);
    expect((await searchAs(w.owner, w, { q: 'hunter2' })).hits).toEqual([]);
    const launch = await searchAs(w.owner, w, { q: 'launch' });
    expect(launch.hits.map((h: any) => [h.id, h.snippet.text])).toEqual([[edited.id, 'The launch is on Tuesday']]);
  });

  it('answers a hit in the common shape: kind, ids, author, seq, thread, rank and a snippet with highlight ranges', async () => {
    const w = await createWorld(server.url);
    const root = await w.post(w.owner, w.generalId, 'Kickoff');
    const reply = await w.post(w.owner, w.generalId, 'Agenda: **budget** & the Budget_review', { thread_root_id: root.id });
    const [hit] = (await searchAs(w.owner, w, { q: 'budget' })).hits;
    expect(hit).toMatchObject({
      kind: 'message',
      id: reply.id,
      channel_id: w.generalId,
      author: { id: w.owner.memberId, handle: w.owner.handle, kind: 'human' },
      seq: reply.seq,
      thread_root_id: root.id,
      title: null,
      created_at: reply.created_at,
    });
    expect(hit.rank).toBeGreaterThan(0);
    // Plain text (markdown kept as it is); the ranges cover each matching word.
    expect(hit.snippet.text).toBe('Agenda: **budget** & the Budget_review');
    expect(hit.snippet.highlights.map((r: any) => hit.snippet.text.slice(r.start, r.end))).toEqual(['budget', 'Budget']);
  });

  it('cannot be made to forge a highlight by the marks it uses inside a body', async () => {
    const w = await createWorld(server.url);
    await w.post(w.owner, w.generalId, 'fake \u0002mark\u0003 around the invoice');
    const [hit] = (await searchAs(w.owner, w, { q: 'invoice' })).hits;
    expect(hit.snippet.text).toBe('fake mark around the invoice');
    expect(hit.snippet.highlights.map((r: any) => hit.snippet.text.slice(r.start, r.end))).toEqual(['invoice']);
  });

  it('excerpts a long body around the matches', async () => {
    const w = await createWorld(server.url);
    const filler = Array.from({ length: 200 }, (_, i) => `word${i}`).join(' ');
    await w.post(w.owner, w.generalId, `${filler} the quarterly forecast ${filler}`);
    const [hit] = (await searchAs(w.owner, w, { q: 'forecast' })).hits;
    expect(hit.snippet.text.length).toBeLessThan(400);
    expect(hit.snippet.highlights.map((r: any) => hit.snippet.text.slice(r.start, r.end))).toEqual(['forecast']);
  });

  it('refuses bad input with a clear 400', async () => {
    const w = await createWorld(server.url);
    const bad = async (query: string) => (await w.owner.api.get(`/orgs/${w.orgId}/search?${query}`)).body.error?.code;
    expect(await bad('')).toBe('validation_failed');
    expect(await bad('q=%20%20')).toBe('validation_failed');
    expect(await bad(`q=${'x'.repeat(257)}`)).toBe('validation_failed');
    expect(await bad('q=a&kinds=nope')).toBe('validation_failed');
    expect(await bad('q=a&limit=0')).toBe('validation_failed');
    expect(await bad('q=a&channel_id=nope')).toBe('validation_failed');
    expect(await bad('q=a&since=yesterday')).toBe('validation_failed');
    expect(await bad('q=a&extra=1')).toBe('validation_failed');
    expect(await bad('q=a&cursor=garbage')).toBe('invalid_cursor');
    expect(await bad('q=a&since=2026-01-02T00:00:00Z&until=2026-01-01T00:00:00Z')).toBe('invalid_range');
    // Query syntax never errors: websearch_to_tsquery takes anything.
    expect((await w.owner.api.get(`/orgs/${w.orgId}/search?q=${encodeURIComponent('"unclosed & | ! ( -')}`)).status).toBe(200);
  });
});

describe('filters', () => {
  it('by channel, author, author kind and date range', async () => {
    const w = await createWorld(server.url);
    const pat = await w.person('member', 'Pat');
    const bot = await w.agent();
    const ops = await w.channel(w.owner, { members: [pat.memberId, bot.memberId] });
    const a = await w.post(w.owner, ops, 'incident one');
    const b = await w.post(pat, ops, 'incident two');
    const c = await w.post(bot, ops, 'incident three');
    const d = await w.post(pat, w.generalId, 'incident four');
    await age(server, [a.id], 10);
    const ids = async (query: Record<string, string>) => (await searchAs(w.owner, w, { q: 'incident', ...query })).hits.map((h: any) => h.id).sort();

    expect(await ids({})).toEqual([a.id, b.id, c.id, d.id].sort());
    expect(await ids({ channel_id: ops })).toEqual([a.id, b.id, c.id].sort());
    expect(await ids({ author_id: pat.memberId })).toEqual([b.id, d.id].sort());
    expect(await ids({ author_kind: 'agent' })).toEqual([c.id]);
    expect(await ids({ author_kind: 'human', channel_id: ops })).toEqual([a.id, b.id].sort());
    const fiveDaysAgo = new Date(Date.now() - 5 * 86_400_000).toISOString();
    expect(await ids({ since: fiveDaysAgo })).toEqual([b.id, c.id, d.id].sort());
    expect(await ids({ until: fiveDaysAgo })).toEqual([a.id]);
    expect(await ids({ kinds: 'message', author_id: w.owner.memberId })).toEqual([a.id]);
  });
});

describe('ranking and paging', () => {
  it('ranks better matches first, then newer ones, and pages through every hit exactly once', async () => {
    const w = await createWorld(server.url);
    const weak = await w.post(w.owner, w.generalId, 'a note on the migration');
    const strong = await w.post(w.owner, w.generalId, 'migration migration: the migration plan');
    const same: any[] = [];
    for (let i = 0; i < 7; i++) same.push(await w.post(w.owner, w.generalId, `step ${i} of the migration`));

    const first = await searchAs(w.owner, w, { q: 'migration' });
    expect(first.hits[0].id).toBe(strong.id);
    // Equal ranks: newest first.
    const equal = first.hits.filter((h: any) => same.some((s) => s.id === h.id)).map((h: any) => h.id);
    expect(equal).toEqual([...same].reverse().map((s) => s.id));
    const ranks = first.hits.map((h: any) => h.rank);
    expect([...ranks].sort((x, y) => y - x)).toEqual(ranks);
    expect(first.next_cursor).toBeNull();

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: any = await searchAs(w.owner, w, { q: 'migration', limit: 2, ...(cursor ? { cursor } : {}) });
      seen.push(...page.hits.map((h: any) => h.id));
      cursor = page.next_cursor;
      pages += 1;
      // A new match arriving mid-paging does not shift the pages still to come.
      if (pages === 2) await w.post(w.owner, w.generalId, 'migration migration migration migration');
    } while (cursor);
    expect(pages).toBe(5);
    expect(seen).toEqual(first.hits.map((h: any) => h.id));
    expect(seen).toContain(weak.id);
  });
});

describe('paging through ties', () => {
  it('orders hits of equal rank and equal time by id, and pages through them exactly once', async () => {
    const w = await createWorld(server.url);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await w.post(w.owner, w.generalId, 'identical heron')).id);
    // The same instant, to the microsecond.
    await server.ctx.db.updateTable('messages').set({ created_at: new Date('2026-01-01T00:00:00.123Z') }).where('id', 'in', ids).execute();
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await searchAs(w.owner, w, { q: 'heron', limit: 2, ...(cursor ? { cursor } : {}) });
      seen.push(...page.hits.map((h: any) => h.id));
      cursor = page.next_cursor;
    } while (cursor);
    expect(seen).toEqual([...ids].sort());
  });

  it('keeps times to the microsecond in the cursor', async () => {
    const w = await createWorld(server.url);
    const older = await w.post(w.owner, w.generalId, 'precise ibis');
    const newer = await w.post(w.owner, w.generalId, 'precise ibis');
    await sql`update messages set created_at = case when id = ${older.id} then timestamptz '2026-01-01 00:00:00.123456+00' else timestamptz '2026-01-01 00:00:00.123457+00' end where id in (${older.id}, ${newer.id})`.execute(server.ctx.db);
    const first = await searchAs(w.owner, w, { q: 'ibis', limit: 1 });
    const second = await searchAs(w.owner, w, { q: 'ibis', limit: 1, cursor: first.next_cursor });
    expect([...first.hits, ...second.hits].map((h: any) => h.id)).toEqual([newer.id, older.id]);
    expect(second.next_cursor).toBeNull();
  });
});

describe('who finds what (people)', () => {
  let w: World;
  let pat: Person;
  let guest: Person;
  let later: Person;
  let privateId: string;
  let publicId: string;
  let sinceJoinId: string;
  beforeAll(async () => {
    w = await createWorld(server.url);
    pat = await w.person('member', 'Pat');
    guest = await w.person('guest', 'Guest');
    privateId = await w.channel(w.owner, { kind: 'private', members: [guest.memberId] });
    publicId = await w.channel(w.owner);
    sinceJoinId = await w.channel(w.owner, { kind: 'private', history_for_new_members: 'since_join' });
    await w.post(w.owner, privateId, 'zebra in the private room');
    await w.post(w.owner, publicId, 'zebra in the public room');
    await w.post(w.owner, sinceJoinId, 'zebra before the join');
    later = await w.person('member', 'Later');
    expect((await w.owner.api.post(`/channels/${sinceJoinId}/members`, { member_id: later.memberId })).status).toBe(201);
    await w.post(w.owner, sinceJoinId, 'zebra after the join');
  });

  it('a member finds public channels it is not in, but not private ones', async () => {
    expect(bodiesOf(await searchAs(pat, w, { q: 'zebra' }))).toEqual(['zebra in the public room']);
  });

  it('a guest finds only the channels it was added to', async () => {
    expect(bodiesOf(await searchAs(guest, w, { q: 'zebra' }))).toEqual(['zebra in the private room']);
    expect((await searchAs(guest, w, { q: 'zebra', channel_id: publicId })).hits).toEqual([]);
  });

  it('since_join hides what came before one joined', async () => {
    expect(bodiesOf(await searchAs(later, w, { q: 'zebra' })).sort()).toEqual(['zebra after the join', 'zebra in the public room']);
  });

  it('a hidden channel named as a filter answers like an empty one', async () => {
    const hidden = await searchAs(pat, w, { q: 'zebra', channel_id: privateId });
    const missing = await searchAs(pat, w, { q: 'zebra', channel_id: '00000000-0000-4000-8000-000000000000' });
    expect(hidden).toEqual({ hits: [], next_cursor: null });
    expect(missing).toEqual(hidden);
  });

  it('a non-member of the org and a deactivated member are refused as elsewhere', async () => {
    const outsider = await createWorld(server.url);
    expect((await outsider.owner.api.get(`/orgs/${w.orgId}/search?q=zebra`)).body.error.code).toBe('org_not_found');
    const gone = await w.person('member', 'Gone');
    expect((await w.owner.api.post(`/orgs/${w.orgId}/members/${gone.memberId}/deactivate`)).status).toBe(200);
    expect((await gone.api.get(`/orgs/${w.orgId}/search?q=zebra`)).body.error.code).toBe('member_deactivated');
  });
});

describe('messages people keep from agents', () => {
  it('people find audience: humans messages; other people find agents reasoning only as the channel allows', async () => {
    const w = await createWorld(server.url);
    const pat = await w.person('member', 'Pat');
    const bot = await w.agent();
    const channelId = await w.channel(w.owner, { kind: 'private', members: [pat.memberId, bot.memberId], reasoning_visibility: 'sponsor_only' });
    await writeMessage(server, { channelId, authorId: pat.memberId, body: 'walrus salaries', audience: 'humans' });
    await writeMessage(server, { channelId, authorId: bot.memberId, body: 'walrus thinking', kind: 'agent_reasoning' });
    expect(bodiesOf(await searchAs(pat, w, { q: 'walrus' }))).toEqual(['walrus salaries']);
    // The owner sponsors the agent.
    expect(bodiesOf(await searchAs(w.owner, w, { q: 'walrus' })).sort()).toEqual(['walrus salaries', 'walrus thinking']);
  });
});

describe('the SDK', () => {
  it('searches with filters and pages with the cursor', async () => {
    const w = await createWorld(server.url);
    const rest = new RestClient(server.url, w.owner.token);
    for (let i = 0; i < 3; i++) await w.post(w.owner, w.generalId, `gecko ${i}`);
    const first = await rest.search(w.orgId, { q: 'gecko', kinds: ['message'], channel_id: w.generalId, author_kind: 'human', limit: 2 });
    expect(first.hits.map((h) => h.snippet.text)).toEqual(['gecko 2', 'gecko 1']);
    expect(first.next_cursor).not.toBeNull();
    const second = await rest.search(w.orgId, { q: 'gecko', kinds: ['message'], channel_id: w.generalId, author_kind: 'human', limit: 2, cursor: first.next_cursor ?? '' });
    expect(second).toMatchObject({ hits: [{ kind: 'message', snippet: { text: 'gecko 0', highlights: [{ start: 0, end: 5 }] } }], next_cursor: null });
  });
});

describe('cost', () => {
  /** The statements one search by the owner sends, counted at the query builder. */
  async function statementsOf(w: World): Promise<number> {
    let count = 0;
    // Counted as results come back: subqueries are transformed too, but only whole statements return.
    const counting: KyselyPlugin = {
      transformQuery: (args) => args.node,
      transformResult: (args) => {
        count += 1;
        return Promise.resolve(args.result);
      },
    };
    const ctx = { ...server.ctx, db: server.ctx.db.withPlugin(counting) };
    const member = await server.ctx.db.selectFrom('members').selectAll().where('id', '=', w.owner.memberId).executeTakeFirstOrThrow();
    const result = await search(ctx, { member, scopes: 'all' }, w.orgId, ['message'], { q: 'otter', filters: {}, after: null, limit: 20 });
    expect(result.hits.length).toBeGreaterThan(0);
    return count;
  }

  it('sends the same few statements however many channels the org has', async () => {
    const small = await createWorld(server.url);
    await small.post(small.owner, small.generalId, 'otter');
    const large = await createWorld(server.url);
    for (let i = 0; i < 10; i++) await large.post(large.owner, await large.channel(large.owner, i % 2 ? { kind: 'private' } : {}), `otter ${i}`);
    const few = await statementsOf(small);
    expect(await statementsOf(large)).toBe(few);
    // Scope, the message source, the page's authors and the page's attachments.
    expect(few).toBeLessThanOrEqual(5);
  });
});
