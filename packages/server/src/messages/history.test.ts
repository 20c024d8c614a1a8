import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../server.js';
import type { Api } from '../test/client.js';
import { createWorld, type World } from '../test/fixtures.js';
import { startTestServer } from '../test/server.js';

let server: RunningServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

async function page(api: Api, channelId: string, query = '') {
  const res = await api.get(`/channels/${channelId}/messages${query}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return { bodies: res.body.messages.map((m: any) => m.body) as string[], before: res.body.has_more_before as boolean, after: res.body.has_more_after as boolean };
}

/** A channel with messages "m1" … "mN", returned in order. */
async function channelWith(world: World, n: number) {
  const channelId = await world.channel(world.owner);
  const messages: any[] = [];
  for (let i = 1; i <= n; i++) messages.push(await world.post(world.owner, channelId, `m${i}`));
  return { channelId, messages };
}

describe('paging through history', () => {
  it('returns the latest page by default, oldest first, and pages back with before', async () => {
    const world = await createWorld(server.url);
    const { channelId, messages } = await channelWith(world, 7);
    const api = world.owner.api;

    expect(await page(api, channelId)).toEqual({ bodies: ['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7'], before: false, after: false });
    expect(await page(api, channelId, '?limit=3')).toEqual({ bodies: ['m5', 'm6', 'm7'], before: true, after: false });
    expect(await page(api, channelId, `?limit=3&before=${messages[4].seq}`)).toEqual({ bodies: ['m2', 'm3', 'm4'], before: true, after: true });
    expect(await page(api, channelId, `?limit=3&before=${messages[3].seq}`)).toEqual({ bodies: ['m1', 'm2', 'm3'], before: false, after: true });
    expect(await page(api, channelId, `?limit=3&before=${messages[0].seq}`)).toEqual({ bodies: [], before: false, after: true });
  });

  it('pages forward with after', async () => {
    const world = await createWorld(server.url);
    const { channelId, messages } = await channelWith(world, 7);
    const api = world.owner.api;

    expect(await page(api, channelId, '?limit=3&after=0')).toEqual({ bodies: ['m1', 'm2', 'm3'], before: false, after: true });
    expect(await page(api, channelId, `?limit=3&after=${messages[2].seq}`)).toEqual({ bodies: ['m4', 'm5', 'm6'], before: true, after: true });
    expect(await page(api, channelId, `?limit=3&after=${messages[3].seq}`)).toEqual({ bodies: ['m5', 'm6', 'm7'], before: true, after: false });
    expect(await page(api, channelId, `?limit=3&after=${messages[6].seq}`)).toEqual({ bodies: [], before: true, after: false });
  });

  it('centres a page on a seq with around', async () => {
    const world = await createWorld(server.url);
    const { channelId, messages } = await channelWith(world, 7);
    const api = world.owner.api;

    expect(await page(api, channelId, `?limit=3&around=${messages[3].seq}`)).toEqual({ bodies: ['m3', 'm4', 'm5'], before: true, after: true });
    // Half the page on each side; near an end, the other side fills the page.
    expect(await page(api, channelId, `?limit=4&around=${messages[0].seq}`)).toEqual({ bodies: ['m1', 'm2', 'm3', 'm4'], before: false, after: true });
    expect(await page(api, channelId, `?limit=4&around=${messages[6].seq}`)).toEqual({ bodies: ['m4', 'm5', 'm6', 'm7'], before: true, after: false });
    expect(await page(api, channelId, `?limit=20&around=${messages[3].seq}`)).toEqual({ bodies: ['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7'], before: false, after: false });
  });

  it('walks the whole history page by page without gaps or repeats', async () => {
    const world = await createWorld(server.url);
    const { channelId } = await channelWith(world, 10);
    const api = world.owner.api;
    const seen: string[] = [];
    let query = '?limit=3';
    for (;;) {
      const res = await api.get(`/channels/${channelId}/messages${query}`);
      seen.unshift(...res.body.messages.map((m: any) => m.body));
      if (!res.body.has_more_before) break;
      query = `?limit=3&before=${res.body.messages[0].seq}`;
    }
    expect(seen).toEqual(Array.from({ length: 10 }, (_, i) => `m${i + 1}`));
  });

  it('allows up to 200 messages a page and refuses bad anchors', async () => {
    const world = await createWorld(server.url);
    const { channelId } = await channelWith(world, 2);
    const api = world.owner.api;
    expect((await api.get(`/channels/${channelId}/messages?limit=200`)).status).toBe(200);
    for (const query of ['?limit=201', '?limit=0', '?before=-1', '?after=abc', '?cursor=3']) {
      const res = await api.get(`/channels/${channelId}/messages${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
    }
    for (const query of ['?before=5&after=1', '?after=1&around=3', '?before=5&around=3']) {
      const res = await api.get(`/channels/${channelId}/messages${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.error.code).toBe('conflicting_anchors');
    }
  });
});

describe('history for new members', () => {
  async function sinceJoinChannel(world: World, kind: 'public' | 'private') {
    const channelId = await world.channel(world.owner, { kind, history_for_new_members: 'since_join' });
    const old = await world.post(world.owner, channelId, 'before you came');
    const oldReply = await world.post(world.owner, channelId, 'an old reply', { thread_root_id: old.id });
    return { channelId, old, oldReply };
  }

  it('hides what was said before a member joined, wherever they look', async () => {
    const world = await createWorld(server.url);
    const bob = await world.person('member', 'Bob');
    const { channelId, old, oldReply } = await sinceJoinChannel(world, 'private');
    await world.owner.api.post(`/channels/${channelId}/members`, { member_id: bob.memberId });
    const fresh = await world.post(world.owner, channelId, 'welcome, Bob');
    const lateReply = await world.post(world.owner, channelId, 'a late reply', { thread_root_id: old.id });

    expect((await page(bob.api, channelId)).bodies).toEqual(['welcome, Bob']);
    expect((await page(bob.api, channelId, '?after=0')).before).toBe(false);
    for (const id of [old.id, oldReply.id]) {
      const res = await bob.api.get(`/messages/${id}`);
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('message_not_found');
    }
    expect((await bob.api.get(`/messages/${old.id}/thread`)).status).toBe(404);
    expect((await bob.api.put(`/messages/${old.id}/reactions/eyes`)).status).toBe(404);
    const reply = await bob.api.post(`/channels/${channelId}/messages`, { body: 'what was this about?', thread_root_id: old.id });
    expect(reply.status).toBe(404);
    expect(reply.body.error.code).toBe('thread_root_not_found');

    expect((await bob.api.get(`/messages/${fresh.id}`)).status).toBe(200);
    // A reply is read with its thread: under a root Bob cannot read, it is hidden too.
    expect((await bob.api.get(`/messages/${lateReply.id}`)).status).toBe(404);
    // The owner, there from the start, sees everything.
    expect((await page(world.owner.api, channelId)).bodies).toEqual(['before you came', 'welcome, Bob']);
    expect((await world.owner.api.get(`/messages/${old.id}/thread`)).body.messages).toHaveLength(2);
  });

  it('does not count hidden history as unread', async () => {
    const world = await createWorld(server.url);
    const bob = await world.person('member', 'Bob');
    const { channelId } = await sinceJoinChannel(world, 'private');
    await world.owner.api.post(`/channels/${channelId}/members`, { member_id: bob.memberId });
    await world.post(world.owner, channelId, `@${bob.handle} hi`);
    const list = await bob.api.get(`/orgs/${world.orgId}/channels`);
    expect(list.body.channels.find((c: any) => c.channel.id === channelId)).toMatchObject({ unread_count: 1, mention_count: 1 });
  });

  it('applies to agents added later', async () => {
    const world = await createWorld(server.url);
    const bot = await world.agent();
    const { channelId, old } = await sinceJoinChannel(world, 'private');
    await world.owner.api.post(`/channels/${channelId}/members`, { member_id: bot.memberId });
    await world.post(world.owner, channelId, 'hello bot');
    expect((await page(bot.api, channelId)).bodies).toEqual(['hello bot']);
    expect((await bot.api.get(`/messages/${old.id}`)).status).toBe(404);
  });

  it('cannot be got around in a public channel by reading without joining, or by leaving', async () => {
    const world = await createWorld(server.url);
    const [bob, carol] = [await world.person('member', 'Bob'), await world.person('member', 'Carol')];
    const { channelId, old } = await sinceJoinChannel(world, 'public');

    // Carol has not joined: what she sees is what she would see on joining now.
    expect((await page(carol.api, channelId)).bodies).toEqual([]);
    expect((await carol.api.get(`/messages/${old.id}`)).status).toBe(404);
    expect((await carol.api.get(`/messages/${old.id}/thread`)).status).toBe(404);
    const reply = await carol.api.post(`/channels/${channelId}/messages`, { body: 'replying blind', thread_root_id: old.id });
    expect(reply.status).toBe(404);

    expect((await bob.api.post(`/channels/${channelId}/join`)).status).toBe(204);
    await world.post(world.owner, channelId, 'after Bob joined');
    expect((await page(bob.api, channelId)).bodies).toEqual(['after Bob joined']);
    await bob.api.post(`/channels/${channelId}/leave`);
    expect((await page(bob.api, channelId)).bodies).toEqual([]);
    expect((await bob.api.get(`/messages/${old.id}`)).status).toBe(404);
  });

  it('shows everything to later members when history is open to all', async () => {
    const world = await createWorld(server.url);
    const bob = await world.person('member', 'Bob');
    const channelId = await world.channel(world.owner, { kind: 'private' });
    const old = await world.post(world.owner, channelId, 'before you came');
    await world.owner.api.post(`/channels/${channelId}/members`, { member_id: bob.memberId });
    expect((await page(bob.api, channelId)).bodies).toEqual(['before you came']);
    expect((await bob.api.get(`/messages/${old.id}`)).status).toBe(200);

    // Turning since_join on later applies from then on, by each member's join point.
    await world.owner.api.patch(`/channels/${channelId}`, { history_for_new_members: 'since_join' });
    expect((await page(bob.api, channelId)).bodies).toEqual([]);
    expect((await page(world.owner.api, channelId)).bodies).toEqual(['before you came']);
  });
});
