import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../server.js';
import type { Api } from '../test/client.js';
import { createWorld } from '../test/fixtures.js';
import { startTestServer } from '../test/server.js';

let server: RunningServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

async function history(api: Api, channelId: string): Promise<any[]> {
  const res = await api.get(`/channels/${channelId}/messages`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.messages;
}

describe('posting', () => {
  it('posts a markdown message that everyone in the channel sees', async () => {
    const world = await createWorld(server.url);
    const bob = await world.person('member', 'Bob');
    const channelId = await world.channel(world.owner, { members: [bob.memberId] });
    const body = '**Release** is _today_:\n\n- [notes](https://example.test)\n- `npm run ship`';

    const res = await world.owner.api.post(`/channels/${channelId}/messages`, { body });
    expect(res.status).toBe(201);
    expect(res.body.message).toMatchObject({
      channel_id: channelId,
      kind: 'chat',
      body,
      author: { id: world.owner.memberId, handle: world.owner.handle, kind: 'human' },
      thread_root_id: null,
      thread: null,
      reactions: [],
      edited_at: null,
      deleted_at: null,
      mentions: { member_ids: [], channel: false, here: false, agents: false },
    });
    expect((await history(bob.api, channelId)).map((m) => m.id)).toEqual([res.body.message.id]);
    expect((await bob.api.get(`/messages/${res.body.message.id}`)).body.message).toEqual(res.body.message);
  });

  it('accepts a body of 40,000 characters and refuses one more, or an empty one', async () => {
    const world = await createWorld(server.url);
    const channelId = await world.channel(world.owner);
    const longest = await world.owner.api.post(`/channels/${channelId}/messages`, { body: 'x'.repeat(40_000) });
    expect(longest.status).toBe(201);
    expect(longest.body.message.body).toHaveLength(40_000);
    for (const body of ['x'.repeat(40_001), '', '  \n\t ']) {
      const res = await world.owner.api.post(`/channels/${channelId}/messages`, { body });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
    }
    expect(await history(world.owner.api, channelId)).toHaveLength(1);
  });

  it('makes a person who posts in a public channel a member of it', async () => {
    const world = await createWorld(server.url);
    const bob = await world.person('member', 'Bob');
    const channelId = await world.channel(world.owner);
    await world.post(bob, channelId, 'drive-by comment');
    expect((await bob.api.get(`/channels/${channelId}`)).body.membership.role).toBe('member');
    const list = await bob.api.get(`/orgs/${world.orgId}/channels`);
    expect(list.body.channels.map((c: any) => c.channel.id)).toContain(channelId);
  });

  it('joins a person once when their first posts arrive together', async () => {
    const world = await createWorld(server.url);
    const bob = await world.person('member', 'Bob');
    const channelId = await world.channel(world.owner);
    const results = await Promise.all(Array.from({ length: 4 }, (_, i) => bob.api.post(`/channels/${channelId}/messages`, { body: `hello ${i}` })));
    expect(results.map((r) => r.status)).toEqual([201, 201, 201, 201]);
    expect(await history(bob.api, channelId)).toHaveLength(4);
    const members = await bob.api.get(`/channels/${channelId}/members`);
    expect(members.body.members.filter((m: any) => m.member.id === bob.memberId)).toHaveLength(1);
  });

  it('refuses posts to a channel that does not exist', async () => {
    const world = await createWorld(server.url);
    const res = await world.owner.api.post(`/channels/${randomUUID()}/messages`, { body: 'hello?' });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('channel_not_found');
  });
});

describe('editing and deleting', () => {
  it('lets only the author edit, and shows the edit to everyone', async () => {
    const world = await createWorld(server.url);
    const bob = await world.person('member', 'Bob');
    const channelId = await world.channel(world.owner, { members: [bob.memberId] });
    const message = await world.post(bob, channelId, 'teh plan');

    const edited = await bob.api.patch(`/messages/${message.id}`, { body: `the plan, @${world.owner.handle}` });
    expect(edited.status).toBe(200);
    expect(edited.body.message).toMatchObject({ id: message.id, seq: message.seq, body: `the plan, @${world.owner.handle}`, mentions: { member_ids: [world.owner.memberId] } });
    expect(edited.body.message.edited_at).not.toBeNull();
    expect((await history(world.owner.api, channelId))[0]).toEqual(edited.body.message);

    // The channel owner moderates, but does not put words in Bob's mouth.
    const byOwner = await world.owner.api.patch(`/messages/${message.id}`, { body: 'Bob agrees with me' });
    expect(byOwner.status).toBe(403);
    expect(byOwner.body.error.code).toBe('not_author');
    const tooLong = await bob.api.patch(`/messages/${message.id}`, { body: 'x'.repeat(40_001) });
    expect(tooLong.status).toBe(400);
    expect((await world.owner.api.get(`/messages/${message.id}`)).body.message.body).toBe(`the plan, @${world.owner.handle}`);
  });

  it('lets the author delete, leaving a tombstone in history', async () => {
    const world = await createWorld(server.url);
    const bob = await world.person('member', 'Bob');
    const channelId = await world.channel(world.owner, { members: [bob.memberId] });
    const first = await world.post(bob, channelId, `oops @${world.owner.handle}`);
    await world.owner.api.put(`/messages/${first.id}/reactions/eyes`);
    const second = await world.post(world.owner, channelId, 'still here');

    const deleted = await bob.api.delete(`/messages/${first.id}`);
    expect(deleted.status).toBe(200);
    expect(deleted.body.message).toMatchObject({ id: first.id, seq: first.seq, body: '', reactions: [], mentions: { member_ids: [], channel: false }, author: { id: bob.memberId } });
    expect(deleted.body.message.deleted_at).not.toBeNull();

    const messages = await history(world.owner.api, channelId);
    expect(messages.map((m) => [m.id, m.body])).toEqual([[first.id, ''], [second.id, 'still here']]);
    expect(messages[0].deleted_at).not.toBeNull();
    const row = await server.ctx.db.selectFrom('messages').select('body').where('id', '=', first.id).executeTakeFirstOrThrow();
    expect(row.body).toBe('');

    const again = await bob.api.delete(`/messages/${first.id}`);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('message_deleted');
    expect((await bob.api.patch(`/messages/${first.id}`, { body: 'revived' })).body.error.code).toBe('message_deleted');
    expect((await bob.api.put(`/messages/${first.id}/reactions/eyes`)).body.error.code).toBe('message_deleted');
  });

  it("lets moderators and org admins delete others' messages, but not plain members", async () => {
    const world = await createWorld(server.url);
    const [mod, bob, carol, admin] = [await world.person('member', 'Mod'), await world.person('member', 'Bob'), await world.person('member', 'Carol'), await world.person('admin', 'Admin')];
    const channelId = await world.channel(world.owner, { members: [bob.memberId, carol.memberId] });
    await world.owner.api.post(`/channels/${channelId}/members`, { member_id: mod.memberId, role: 'moderator' });
    const [spam1, spam2, spam3] = [await world.post(bob, channelId, 'spam 1'), await world.post(bob, channelId, 'spam 2'), await world.post(bob, channelId, 'spam 3')];

    const byCarol = await carol.api.delete(`/messages/${spam1.id}`);
    expect(byCarol.status).toBe(403);
    expect(byCarol.body.error.code).toBe('moderator_required');
    expect((await mod.api.delete(`/messages/${spam1.id}`)).status).toBe(200);
    expect((await world.owner.api.delete(`/messages/${spam2.id}`)).status).toBe(200);
    expect((await admin.api.delete(`/messages/${spam3.id}`)).status).toBe(200);
    expect((await history(carol.api, channelId)).map((m) => m.body)).toEqual(['', '', '']);
  });

  it('answers 404 for a message that does not exist', async () => {
    const world = await createWorld(server.url);
    for (const res of [
      await world.owner.api.get(`/messages/${randomUUID()}`),
      await world.owner.api.patch(`/messages/${randomUUID()}`, { body: 'x' }),
      await world.owner.api.delete(`/messages/${randomUUID()}`),
    ]) {
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('message_not_found');
    }
  });
});

describe('reactions', () => {
  it('groups reactions by emoji, shortcodes and unicode alike, and ignores repeats', async () => {
    const world = await createWorld(server.url);
    const [bob, carol] = [await world.person('member', 'Bob'), await world.person('member', 'Carol')];
    const channelId = await world.channel(world.owner, { members: [bob.memberId, carol.memberId] });
    const message = await world.post(world.owner, channelId, 'shipped!');
    const party = encodeURIComponent('🎉');
    const family = encodeURIComponent('👩‍👩‍👧');

    for (const [who, emoji] of [[bob, 'thumbsup'], [carol, 'thumbsup'], [carol, party], [bob, 'thumbsup'], [bob, family]] as const) {
      expect((await who.api.put(`/messages/${message.id}/reactions/${emoji}`)).status).toBe(204);
    }
    const seen = (await world.owner.api.get(`/messages/${message.id}`)).body.message;
    expect(seen.reactions).toEqual([
      { emoji: 'thumbsup', count: 2, member_ids: [bob.memberId, carol.memberId] },
      { emoji: '🎉', count: 1, member_ids: [carol.memberId] },
      { emoji: '👩‍👩‍👧', count: 1, member_ids: [bob.memberId] },
    ]);

    expect((await bob.api.delete(`/messages/${message.id}/reactions/thumbsup`)).status).toBe(204);
    expect((await bob.api.delete(`/messages/${message.id}/reactions/thumbsup`)).status).toBe(204);
    expect((await carol.api.delete(`/messages/${message.id}/reactions/${party}`)).status).toBe(204);
    const after = (await history(world.owner.api, channelId))[0];
    expect(after.reactions).toEqual([
      { emoji: 'thumbsup', count: 1, member_ids: [carol.memberId] },
      { emoji: '👩‍👩‍👧', count: 1, member_ids: [bob.memberId] },
    ]);
  });

  it('refuses things that are not emoji', async () => {
    const world = await createWorld(server.url);
    const channelId = await world.channel(world.owner);
    const message = await world.post(world.owner, channelId, 'react to me');
    for (const emoji of ['Thumbs Up', encodeURIComponent('<b>'), 'x'.repeat(65), encodeURIComponent('hello 👍')]) {
      const res = await world.owner.api.put(`/messages/${message.id}/reactions/${emoji}`);
      expect(res.status, emoji).toBe(400);
    }
    expect((await world.owner.api.get(`/messages/${message.id}`)).body.message.reactions).toEqual([]);
  });

  it('lets a person react in a public channel without joining it, but not in an archived one', async () => {
    const world = await createWorld(server.url);
    const bob = await world.person('member', 'Bob');
    const channelId = await world.channel(world.owner);
    const message = await world.post(world.owner, channelId, 'hello');
    expect((await bob.api.put(`/messages/${message.id}/reactions/wave`)).status).toBe(204);
    await world.owner.api.post(`/channels/${channelId}/archive`);
    const res = await bob.api.put(`/messages/${message.id}/reactions/tada`);
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('channel_archived');
  });
});

describe('mentions', () => {
  it('resolves @handles to members and flags @channel, @here and @agents, skipping code', async () => {
    const world = await createWorld(server.url);
    const [bob, carol] = [await world.person('member', 'Bob'), await world.person('member', 'Carol')];
    const channelId = await world.channel(world.owner, { members: [bob.memberId] });

    const message = await world.post(world.owner, channelId, `@${bob.handle.toUpperCase()} and @${carol.handle}, see \`@${world.owner.handle}\` — @nobody-here`);
    expect(message.mentions.member_ids.sort()).toEqual([bob.memberId, carol.memberId].sort());
    expect(message.mentions).toMatchObject({ channel: false, here: false, agents: false });
    const stored = await server.ctx.db.selectFrom('message_mentions').select(['member_id', 'seq']).where('message_id', '=', message.id).execute();
    expect(stored.map((s) => s.member_id).sort()).toEqual([bob.memberId, carol.memberId].sort());
    expect(stored.every((s) => s.seq === message.seq)).toBe(true);

    const broadcast = await world.post(world.owner, channelId, '@channel @here @agents\n```\n@' + bob.handle + '\n```');
    expect(broadcast.mentions).toEqual({ member_ids: [], channel: true, here: true, agents: true });
  });

  it('updates mentions when a message is edited', async () => {
    const world = await createWorld(server.url);
    const [bob, carol] = [await world.person('member', 'Bob'), await world.person('member', 'Carol')];
    const channelId = await world.channel(world.owner, { members: [bob.memberId, carol.memberId] });
    const message = await world.post(world.owner, channelId, `@${bob.handle} @here`);
    const edited = await world.owner.api.patch(`/messages/${message.id}`, { body: `sorry, I meant @${carol.handle}` });
    expect(edited.body.message.mentions).toEqual({ member_ids: [carol.memberId], channel: false, here: false, agents: false });
    const stored = await server.ctx.db.selectFrom('message_mentions').select('member_id').where('message_id', '=', message.id).execute();
    expect(stored.map((s) => s.member_id)).toEqual([carol.memberId]);
  });
});

describe('idempotent sends with client_msg_id', () => {
  it('returns the original message for a repeated send instead of posting twice', async () => {
    const world = await createWorld(server.url);
    const channelId = await world.channel(world.owner);
    const first = await world.owner.api.post(`/channels/${channelId}/messages`, { body: 'only once', client_msg_id: 'abc-1' });
    expect(first.status).toBe(201);
    const retry = await world.owner.api.post(`/channels/${channelId}/messages`, { body: 'only once', client_msg_id: 'abc-1' });
    expect(retry.status).toBe(200);
    expect(retry.body.message).toEqual(first.body.message);
    expect(await history(world.owner.api, channelId)).toHaveLength(1);
  });

  it('posts once when the same send arrives several times at once', async () => {
    const world = await createWorld(server.url);
    const bob = await world.person('member', 'Bob');
    const channelId = await world.channel(world.owner);
    const results = await Promise.all(Array.from({ length: 5 }, () => bob.api.post(`/channels/${channelId}/messages`, { body: 'flaky network', client_msg_id: 'same' })));
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 201]);
    expect(new Set(results.map((r) => r.body.message.id)).size).toBe(1);
    expect(await history(world.owner.api, channelId)).toHaveLength(1);
  });

  it('treats the same id from another author as a different message', async () => {
    const world = await createWorld(server.url);
    const bob = await world.person('member', 'Bob');
    const channelId = await world.channel(world.owner, { members: [bob.memberId] });
    const mine = await world.owner.api.post(`/channels/${channelId}/messages`, { body: 'mine', client_msg_id: 'shared-id' });
    const theirs = await bob.api.post(`/channels/${channelId}/messages`, { body: 'theirs', client_msg_id: 'shared-id' });
    expect([mine.status, theirs.status]).toEqual([201, 201]);
    expect(theirs.body.message.id).not.toBe(mine.body.message.id);
    expect((await history(bob.api, channelId)).map((m) => m.body)).toEqual(['mine', 'theirs']);
  });

  it('forgets an id after 24 hours', async () => {
    const world = await createWorld(server.url);
    const channelId = await world.channel(world.owner);
    const first = await world.owner.api.post(`/channels/${channelId}/messages`, { body: 'yesterday', client_msg_id: 'daily' });
    await server.ctx.db
      .updateTable('message_idempotency')
      .set({ created_at: sql<Date>`now() - interval '25 hours'` })
      .where('author_id', '=', world.owner.memberId)
      .where('client_msg_id', '=', 'daily')
      .execute();
    const today = await world.owner.api.post(`/channels/${channelId}/messages`, { body: 'today', client_msg_id: 'daily' });
    expect(today.status).toBe(201);
    expect(today.body.message.id).not.toBe(first.body.message.id);
    // And the new send is the one a retry now gets back.
    const retry = await world.owner.api.post(`/channels/${channelId}/messages`, { body: 'today', client_msg_id: 'daily' });
    expect(retry.status).toBe(200);
    expect(retry.body.message.id).toBe(today.body.message.id);
    expect((await history(world.owner.api, channelId)).map((m) => m.body)).toEqual(['yesterday', 'today']);
  });

  it('does not spend an id on a send that failed', async () => {
    const world = await createWorld(server.url);
    const channelId = await world.channel(world.owner);
    const failed = await world.owner.api.post(`/channels/${channelId}/messages`, { body: 'reply', thread_root_id: randomUUID(), client_msg_id: 'try-1' });
    expect(failed.status).toBe(404);
    const ok = await world.owner.api.post(`/channels/${channelId}/messages`, { body: 'top level', client_msg_id: 'try-1' });
    expect(ok.status).toBe(201);
    expect(ok.body.message.body).toBe('top level');
  });
});
