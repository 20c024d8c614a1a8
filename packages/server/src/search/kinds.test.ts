import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RestClient } from '@chorus/sdk';
import type { RunningServer } from '../server.js';
import type { Api } from '../test/client.js';
import { writeEntry } from '../test/experience.js';
import { createWorld, type Person, type World } from '../test/fixtures.js';
import { startTestServer } from '../test/server.js';

/** Search over docs and experience, and `has:pin`, as people use them. */

let server: RunningServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

type Caller = { api: Api };

async function searchAs(who: Caller, w: World, query: Record<string, string | number | boolean | string[]>): Promise<any> {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) for (const v of Array.isArray(value) ? value : [value]) params.append(key, String(v));
  const res = await who.api.get(`/orgs/${w.orgId}/search?${params.toString()}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

const idsOf = (result: any): string[] => result.hits.map((h: any) => h.id).sort();

async function createDoc(by: Caller, channelId: string, title: string, body: string): Promise<string> {
  const res = await by.api.post(`/channels/${channelId}/docs`, { title, body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.doc.id;
}

describe('docs', () => {
  it('finds docs by title and body, title words ranking higher, with the title and a highlighted snippet', async () => {
    const w = await createWorld(server.url);
    const inTitle = await createDoc(w.owner, w.generalId, 'Runbook for the heron service', 'Restart it with care.');
    const inBody = await createDoc(w.owner, w.generalId, 'Notes', 'The heron service restarts nightly.');
    const message = await w.post(w.owner, w.generalId, 'heron is down again');

    const found = await searchAs(w.owner, w, { q: 'heron' });
    expect(found.hits[0]).toMatchObject({
      kind: 'doc',
      id: inTitle,
      channel_id: w.generalId,
      author: { id: w.owner.memberId, kind: 'human' },
      title: 'Runbook for the heron service',
      status: 'active',
      seq: null,
      thread_root_id: null,
    });
    const snippet = found.hits[0].snippet;
    expect(snippet.text).toBe('Runbook for the heron service\nRestart it with care.');
    expect(snippet.highlights.map((r: any) => snippet.text.slice(r.start, r.end))).toEqual(['heron']);
    expect(idsOf(found)).toEqual([inTitle, inBody, message.id].sort());
    // The title (weight A) ranks above a body match (weight B) of the same word.
    const rankOf = (id: string) => found.hits.find((h: any) => h.id === id).rank;
    expect(rankOf(inTitle)).toBeGreaterThan(rankOf(inBody));
    expect(idsOf(await searchAs(w.owner, w, { q: 'heron', kinds: 'doc' }))).toEqual([inTitle, inBody].sort());
    expect(idsOf(await searchAs(w.owner, w, { q: 'heron', kinds: ['message', 'experience'] }))).toEqual([message.id]);
  });

  it('leaves archived docs out unless include_archived asks, and finds an edit by its current text', async () => {
    const w = await createWorld(server.url);
    const kept = await createDoc(w.owner, w.generalId, 'Okapi plan', 'current');
    const archived = await createDoc(w.owner, w.generalId, 'Okapi history', 'old');
    expect((await w.owner.api.post(`/docs/${archived}/archive`)).status).toBe(200);
    const edited = await createDoc(w.owner, w.generalId, 'Draft', 'about the okapi');
    expect((await w.owner.api.patch(`/docs/${edited}`, { revision: 1, body: 'about the giraffe' })).status).toBe(200);

    expect(idsOf(await searchAs(w.owner, w, { q: 'okapi' }))).toEqual([kept]);
    const all = await searchAs(w.owner, w, { q: 'okapi', include_archived: true });
    expect(all.hits.map((h: any) => [h.id, h.status]).sort()).toEqual([[archived, 'archived'], [kept, 'active']].sort());
    expect(idsOf(await searchAs(w.owner, w, { q: 'giraffe' }))).toEqual([edited]);
  });

  it('filters docs by channel, creator, creator kind and creation time', async () => {
    const w = await createWorld(server.url);
    const pat = await w.person('member', 'Pat');
    const room = await w.channel(w.owner, { members: [pat.memberId] });
    const mine = await createDoc(w.owner, room, 'Ibis guide', 'x');
    const hers = await createDoc(pat, w.generalId, 'Ibis notes', 'y');
    await server.ctx.db.updateTable('channel_docs').set({ created_at: new Date('2020-01-01T00:00:00Z') }).where('id', '=', hers).execute();
    const ids = async (query: Record<string, string>) => idsOf(await searchAs(w.owner, w, { q: 'ibis', kinds: 'doc', ...query }));
    expect(await ids({ channel_id: room })).toEqual([mine]);
    expect(await ids({ author_id: pat.memberId })).toEqual([hers]);
    expect(await ids({ author_kind: 'agent' })).toEqual([]);
    expect(await ids({ since: '2021-01-01T00:00:00Z' })).toEqual([mine]);
    expect(await ids({ until: '2021-01-01T00:00:00Z' })).toEqual([hers]);
  });
});

describe('who finds docs and experience (people)', () => {
  let w: World;
  let pat: Person;
  let guest: Person;
  let joiner: Person;
  let privateId: string;
  let sinceJoinPublic: string;
  const ids: Record<string, string> = {};
  beforeAll(async () => {
    w = await createWorld(server.url);
    pat = await w.person('member', 'Pat');
    guest = await w.person('guest', 'Guest');
    joiner = await w.person('member', 'Joiner');
    privateId = await w.channel(w.owner, { kind: 'private', members: [guest.memberId] });
    sinceJoinPublic = await w.channel(w.owner, { history_for_new_members: 'since_join' });
    await w.post(w.owner, sinceJoinPublic, 'before anyone joined');
    ids.privateDoc = await createDoc(w.owner, privateId, 'Walrus private doc', 'x');
    ids.publicDoc = await createDoc(w.owner, w.generalId, 'Walrus public doc', 'x');
    ids.sinceJoinDoc = await createDoc(w.owner, sinceJoinPublic, 'Walrus since-join doc', 'x');
    const entry = (channelId: string, title: string, extra: { scope?: 'org'; audience?: 'humans' } = {}) =>
      writeEntry(server, { orgId: w.orgId, channelId, authorId: w.owner.memberId, title, body: 'walrus lesson', ...extra });
    ids.privateEntry = await entry(privateId, 'Private lesson');
    ids.publicEntry = await entry(w.generalId, 'Public lesson');
    ids.orgEntry = await entry(privateId, 'Promoted lesson', { scope: 'org' });
    ids.humansEntry = await entry(w.generalId, 'People-only lesson', { audience: 'humans' });
  });

  it('a member finds docs and entries of public channels and org-scope entries, never a private channel of others', async () => {
    expect(idsOf(await searchAs(pat, w, { q: 'walrus' }))).toEqual([ids.publicDoc, ids.sinceJoinDoc, ids.publicEntry, ids.orgEntry, ids.humansEntry].sort());
    expect(idsOf(await searchAs(pat, w, { q: 'walrus', channel_id: privateId }))).toEqual([]);
  });

  it('a guest finds the docs and entries of its channels, never org-scope entries', async () => {
    expect(idsOf(await searchAs(guest, w, { q: 'walrus' }))).toEqual([ids.privateDoc, ids.privateEntry].sort());
  });

  it('a channel member finds its docs and entries; since_join does not hide docs (they have no history)', async () => {
    expect(idsOf(await searchAs(w.owner, w, { q: 'walrus' }))).toEqual(Object.values(ids).sort());
    expect(idsOf(await searchAs(joiner, w, { q: 'walrus', channel_id: sinceJoinPublic }))).toEqual([ids.sinceJoinDoc]);
  });

  it('someone outside the org finds nothing of it', async () => {
    const outsider = await createWorld(server.url);
    expect((await outsider.owner.api.get(`/orgs/${w.orgId}/search?q=walrus`)).body.error.code).toBe('org_not_found');
    expect((await searchAs(outsider.owner, outsider, { q: 'walrus' })).hits).toEqual([]);
  });
});

describe('experience', () => {
  it('finds current entries by default; status asks for history; expired is computed now', async () => {
    const w = await createWorld(server.url);
    const entry = (title: string, extra: { status?: 'deprecated'; expiresAt?: Date } = {}) =>
      writeEntry(server, { orgId: w.orgId, channelId: w.generalId, authorId: w.owner.memberId, title, body: 'about the tapir', ...extra });
    const current = await entry('Current');
    const later = await entry('Expires later', { expiresAt: new Date(Date.now() + 86_400_000) });
    const expired = await entry('Expired', { expiresAt: new Date(Date.now() - 1000) });
    const deprecated = await entry('Deprecated', { status: 'deprecated' });

    const found = await searchAs(w.owner, w, { q: 'tapir' });
    expect(idsOf(found)).toEqual([current, later].sort());
    expect(found.hits[0]).toMatchObject({ kind: 'experience', channel_id: w.generalId, status: 'active', seq: null, thread_root_id: null });
    expect(found.hits[0].snippet.highlights.map((r: any) => found.hits[0].snippet.text.slice(r.start, r.end))).toEqual(['tapir']);
    expect(idsOf(await searchAs(w.owner, w, { q: 'tapir', status: 'expired' }))).toEqual([expired]);
    expect(idsOf(await searchAs(w.owner, w, { q: 'tapir', status: 'deprecated' }))).toEqual([deprecated]);
    const all = await searchAs(w.owner, w, { q: 'tapir', status: 'all' });
    expect(all.hits.map((h: any) => [h.id, h.status]).sort()).toEqual(
      [[current, 'active'], [later, 'active'], [expired, 'expired'], [deprecated, 'deprecated']].sort(),
    );
    expect((await w.owner.api.get(`/orgs/${w.orgId}/search?q=tapir&status=gone`)).body.error.code).toBe('validation_failed');
  });

  it('finds an entry distilled through the API, by its title, tags and body', async () => {
    const w = await createWorld(server.url);
    const source = await w.post(w.owner, w.generalId, 'We lost a day to the lock');
    const res = await w.owner.api.post(`/channels/${w.generalId}/experience`, {
      title: 'Take the migration lock',
      body: 'Before deploying, always.',
      tags: ['postgres'],
      sources: [{ type: 'message', id: source.id }],
    });
    expect(res.status).toBe(201);
    for (const q of ['migration', 'postgres', 'deploy']) expect(idsOf(await searchAs(w.owner, w, { q, kinds: 'experience' }))).toEqual([res.body.experience.id]);
  });
});

describe('has:pin', () => {
  it('pinned=true finds only pinned messages, and no docs or entries', async () => {
    const w = await createWorld(server.url);
    const pinned = await w.post(w.owner, w.generalId, 'gecko release checklist');
    await w.post(w.owner, w.generalId, 'gecko chatter');
    await createDoc(w.owner, w.generalId, 'Gecko doc', 'x');
    await writeEntry(server, { orgId: w.orgId, channelId: w.generalId, authorId: w.owner.memberId, title: 'Gecko lesson', body: 'x' });
    expect((await w.owner.api.put(`/messages/${pinned.id}/pin`, {})).status).toBe(201);

    expect(idsOf(await searchAs(w.owner, w, { q: 'gecko' }))).toHaveLength(4);
    expect(idsOf(await searchAs(w.owner, w, { q: 'gecko', pinned: true }))).toEqual([pinned.id]);
    expect(idsOf(await searchAs(w.owner, w, { q: 'gecko', pinned: false }))).toHaveLength(4);
    expect((await w.owner.api.delete(`/messages/${pinned.id}/pin`)).status).toBe(204);
    expect(idsOf(await searchAs(w.owner, w, { q: 'gecko', pinned: true }))).toEqual([]);
  });
});

describe('paging across kinds', () => {
  it('merges messages, docs and entries in one order and pages through each hit once', async () => {
    const w = await createWorld(server.url);
    const all: string[] = [];
    for (let i = 0; i < 3; i++) {
      all.push((await w.post(w.owner, w.generalId, `lynx message ${i}`)).id);
      all.push(await createDoc(w.owner, w.generalId, `Lynx doc ${i}`, 'lynx body'));
      all.push(await writeEntry(server, { orgId: w.orgId, channelId: w.generalId, authorId: w.owner.memberId, title: `Lynx entry ${i}`, body: 'x' }));
    }
    const whole = await searchAs(w.owner, w, { q: 'lynx', limit: 100 });
    const ranks = whole.hits.map((h: any) => h.rank);
    expect([...ranks].sort((x, y) => y - x)).toEqual(ranks);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await searchAs(w.owner, w, { q: 'lynx', limit: 2, ...(cursor ? { cursor } : {}) });
      seen.push(...page.hits.map((h: any) => h.id));
      cursor = page.next_cursor;
    } while (cursor);
    expect(seen).toEqual(whole.hits.map((h: any) => h.id));
    expect([...seen].sort()).toEqual([...all].sort());
  });
});

describe('the SDK', () => {
  it('passes the kind filters: kinds, pinned, include_archived, status', async () => {
    const w = await createWorld(server.url);
    const rest = new RestClient(server.url, w.owner.token);
    const pinned = await w.post(w.owner, w.generalId, 'marmot pinned');
    expect((await w.owner.api.put(`/messages/${pinned.id}/pin`, {})).status).toBe(201);
    const archived = await createDoc(w.owner, w.generalId, 'Marmot archive', 'x');
    expect((await w.owner.api.post(`/docs/${archived}/archive`)).status).toBe(200);
    const old = await writeEntry(server, { orgId: w.orgId, channelId: w.generalId, authorId: w.owner.memberId, title: 'Marmot lesson', body: 'x', status: 'deprecated' });

    expect((await rest.search(w.orgId, { q: 'marmot', pinned: true })).hits.map((h) => h.id)).toEqual([pinned.id]);
    expect((await rest.search(w.orgId, { q: 'marmot', kinds: ['doc'], include_archived: true })).hits.map((h) => [h.id, h.status])).toEqual([[archived, 'archived']]);
    expect((await rest.search(w.orgId, { q: 'marmot', kinds: ['experience'], status: 'all' })).hits.map((h) => [h.id, h.status])).toEqual([[old, 'deprecated']]);
  });
});
