import type { ChannelEvent } from '@chorus/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../server.js';
import { age, issueTaskToken, writeMessage } from '../test/context-fixtures.js';
import { createWorld } from '../test/fixtures.js';
import { startTestServer } from '../test/server.js';
import { openSocket, type RecordingSocket } from '../test/sockets.js';

/**
 * The channel's read rules on the socket: a subscription receives only the
 * events about messages its member may read, by the same rules as REST. Each
 * test ends with a marker message everyone may read; events arrive in seq
 * order, so once the marker is in, anything hidden before it would have been too.
 */

let server: RunningServer;
const sockets: RecordingSocket[] = [];
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await server.close();
});

async function connect(token: string, orgId: string) {
  const s = await openSocket(server.url, token, orgId);
  sockets.push(s);
  return s;
}

/** Every message id an event of the channel is about, in order. */
function aboutMessages(s: RecordingSocket, channelId: string): string[] {
  return s.eventsOf(channelId).flatMap((e: ChannelEvent) => {
    switch (e.type) {
      case 'message.created':
      case 'message.edited':
      case 'message.deleted':
        return [e.payload.message.id];
      case 'reaction.added':
      case 'reaction.removed':
        return [e.payload.message_id];
      case 'thread.updated':
        return [e.payload.thread.root_id];
      default:
        return [];
    }
  });
}

const received = (s: RecordingSocket, channelId: string, body: string) => s.until(() => s.messagesIn(channelId).includes(body));

describe('the read rules on the socket', () => {
  it('never sends an agent a humans-only message, nor its edits, reactions, thread or deletion; people get them marked', async () => {
    const w = await createWorld(server.url);
    const pat = await w.person('member', 'Pat');
    const bot = await w.agent();
    const channelId = await w.channel(w.owner, { members: [pat.memberId, bot.memberId] });
    const [botSocket, patSocket] = [await connect(bot.token, w.orgId), await connect(pat.token, w.orgId)];

    const secret = await writeMessage(server, { channelId, authorId: pat.memberId, body: 'people only', audience: 'humans' });
    expect((await pat.api.patch(`/messages/${secret.id}`, { body: 'people only, edited' })).status).toBe(200);
    expect((await w.owner.api.put(`/messages/${secret.id}/reactions/eyes`)).status).toBe(204);
    await w.post(w.owner, channelId, 'a reply under it', { thread_root_id: secret.id });
    expect((await pat.api.delete(`/messages/${secret.id}`)).status).toBe(200);
    await w.post(w.owner, channelId, 'marker');

    await received(botSocket, channelId, 'marker');
    await received(patSocket, channelId, 'marker');
    const replyId = patSocket.eventsOf(channelId, 'message.created').map((e) => (e.type === 'message.created' ? e.payload.message : null)).find((m) => m?.body === 'a reply under it')?.id;
    // Nothing about the hidden root reaches the agent, nor the replies under it (a reply is read with its thread).
    expect(aboutMessages(botSocket, channelId).filter((id) => id === secret.id)).toEqual([]);
    expect(botSocket.messagesIn(channelId)).toEqual(['marker']);
    expect(aboutMessages(patSocket, channelId).filter((id) => id === secret.id)).toHaveLength(5);
    expect(replyId).toBeDefined();
    const created = patSocket.eventsOf(channelId, 'message.created')[0];
    expect(created?.type === 'message.created' && created.payload.message).toMatchObject({ id: secret.id, audience: 'humans' });
  });

  it('sends a mentions_only agent what concerns it, and everything once people open the channel', async () => {
    const w = await createWorld(server.url);
    const pat = await w.person('member', 'Pat');
    const bot = await w.agent();
    const channelId = await w.channel(w.owner, { members: [pat.memberId, bot.memberId], agent_access: 'mentions_only' });
    const taskRoot = await w.post(pat, channelId, 'Release notes need writing');
    await issueTaskToken(server, { orgId: w.orgId, channelId, agentId: bot.memberId, requesterId: pat.memberId, requestMessageId: taskRoot.id });
    const botSocket = await connect(bot.token, w.orgId);

    await w.post(pat, channelId, 'chatter');
    await w.post(pat, channelId, `@${bot.handle} a question for you`);
    await w.post(w.owner, channelId, 'the draft is in the doc', { thread_root_id: taskRoot.id });
    await w.post(w.owner, channelId, '@agents marker');
    await received(botSocket, channelId, '@agents marker');
    expect(botSocket.messagesIn(channelId)).toEqual([`@${bot.handle} a question for you`, 'the draft is in the doc', '@agents marker']);

    expect((await w.owner.api.patch(`/channels/${channelId}`, { agent_access: 'full' })).status).toBe(200);
    await w.post(pat, channelId, 'more chatter');
    await received(botSocket, channelId, 'more chatter');
    expect(botSocket.messagesIn(channelId).slice(3)).toEqual(['more chatter']);
  });

  it('keeps edits of messages beyond agent_history_days from agents, not from people', async () => {
    const w = await createWorld(server.url);
    const bot = await w.agent();
    const channelId = await w.channel(w.owner, { members: [bot.memberId], agent_history_days: 30 });
    const old = await w.post(w.owner, channelId, 'an old decision');
    await age(server, [old.id], 60);
    const [botSocket, ownerSocket] = [await connect(bot.token, w.orgId), await connect(w.owner.token, w.orgId)];

    expect((await w.owner.api.patch(`/messages/${old.id}`, { body: 'an old decision, revised' })).status).toBe(200);
    await w.post(w.owner, channelId, 'marker');
    await received(botSocket, channelId, 'marker');
    await ownerSocket.until(() => ownerSocket.eventsOf(channelId, 'message.edited').length === 1);
    expect(botSocket.eventsOf(channelId, 'message.edited')).toEqual([]);
  });

  it('follows reasoning_visibility for people and agents_see_reasoning for agents, as the settings change', async () => {
    const w = await createWorld(server.url);
    const [sam, pat, mo] = [await w.person('member', 'Sam'), await w.person('member', 'Pat'), await w.person('member', 'Mo')];
    const worker = await w.agent({ sponsor: sam });
    const peer = await w.agent();
    const channelId = await w.channel(w.owner, { members: [sam.memberId, pat.memberId, mo.memberId, worker.memberId, peer.memberId], reasoning_visibility: 'moderators' });
    expect((await w.owner.api.patch(`/channels/${channelId}/members/${mo.memberId}`, { role: 'moderator' })).status).toBe(204);
    const root = await w.post(pat, channelId, 'Why is the build slow?');
    const s = {
      sam: await connect(sam.token, w.orgId),
      pat: await connect(pat.token, w.orgId),
      mo: await connect(mo.token, w.orgId),
      worker: await connect(worker.token, w.orgId),
      peer: await connect(peer.token, w.orgId),
    };
    const sawStep = async (body: string, marker: string) => {
      await w.post(w.owner, channelId, marker);
      const seen: Record<string, boolean> = {};
      for (const [name, socket] of Object.entries(s)) {
        await received(socket, channelId, marker);
        seen[name] = socket.messagesIn(channelId).includes(body);
      }
      return seen;
    };

    await writeMessage(server, { channelId, authorId: worker.memberId, body: 'step one', kind: 'agent_reasoning', threadRootId: root.id });
    expect(await sawStep('step one', 'marker one')).toEqual({ sam: true, pat: false, mo: true, worker: true, peer: false });

    expect((await w.owner.api.patch(`/channels/${channelId}`, { reasoning_visibility: 'sponsor_only' })).status).toBe(200);
    await writeMessage(server, { channelId, authorId: worker.memberId, body: 'step two', kind: 'agent_tool', threadRootId: root.id });
    expect(await sawStep('step two', 'marker two')).toEqual({ sam: true, pat: false, mo: false, worker: true, peer: false });

    expect((await w.owner.api.patch(`/channels/${channelId}`, { reasoning_visibility: 'members', agents_see_reasoning: true })).status).toBe(200);
    await writeMessage(server, { channelId, authorId: worker.memberId, body: 'step three', kind: 'agent_reasoning', threadRootId: root.id });
    expect(await sawStep('step three', 'marker three')).toEqual({ sam: true, pat: true, mo: true, worker: true, peer: true });
  });

  it('replays to a resuming agent only what it may read now', async () => {
    const w = await createWorld(server.url);
    const bot = await w.agent();
    const channelId = await w.channel(w.owner, { members: [bot.memberId] });
    const first = await connect(bot.token, w.orgId);
    await w.post(w.owner, channelId, 'before');
    await received(first, channelId, 'before');
    const cursor = first.eventsOf(channelId).at(-1)?.seq ?? 0;
    first.close();

    await writeMessage(server, { channelId, authorId: w.owner.memberId, body: 'people only', audience: 'humans' });
    await w.post(w.owner, channelId, 'after');
    const resumed = await openSocket(server.url, bot.token, w.orgId, { cursors: { [channelId]: cursor } });
    sockets.push(resumed);
    await received(resumed, channelId, 'after');
    expect(resumed.messagesIn(channelId)).toEqual(['after']);
  });
});
