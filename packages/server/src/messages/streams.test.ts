import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../server.js';
import { createWorld } from '../test/fixtures.js';
import { startTestServer } from '../test/server.js';
import { openSocket, type RecordingSocket } from '../test/sockets.js';
import { abandonStreams } from './streams.js';

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

const chunksOf = (s: RecordingSocket, messageId: string) => s.frames.filter((f) => f.type === 'stream' && f.message_id === messageId).map((f) => `${String(f.index)}:${String(f.text)}`);

describe('streamed replies', () => {
  it('grows live on readers’ sockets, and its final text is stored once, as one event', async () => {
    const w = await createWorld(server.url);
    const bot = await w.agent();
    const bob = await w.person('member', 'Bob');
    const channel = await w.channel(w.owner, { members: [bot.memberId, bob.memberId] });
    const bobSocket = await connect(bob.token, w.orgId);

    const opened = await bot.api.post(`/channels/${channel}/messages`, { body: 'Thinking', stream: true });
    expect(opened.status).toBe(201);
    const id = opened.body.message.id as string;
    expect(opened.body.message).toMatchObject({ body: 'Thinking', stream: 'open' });
    await bobSocket.until(() => bobSocket.eventsOf(channel, 'message.created').length === 1);

    for (const text of [' about', ' it.']) expect((await bot.api.post(`/messages/${id}/chunks`, { text })).status).toBe(200);
    await bobSocket.until(() => chunksOf(bobSocket, id).length === 2);
    expect(chunksOf(bobSocket, id)).toEqual(['2: about', '3: it.']);
    // The chunks are not events: the channel's log has only the message so far.
    expect(bobSocket.eventsOf(channel).filter((e) => e.type.startsWith('message.'))).toHaveLength(1);

    const ended = await bot.api.post(`/messages/${id}/end`, {});
    expect(ended.status).toBe(200);
    expect(ended.body.message).toMatchObject({ body: 'Thinking about it.', stream: 'ended', edited_at: null });
    const edited = await bobSocket.until(() => bobSocket.eventsOf(channel, 'message.edited')[0]);
    expect(edited.payload).toMatchObject({ message: { id, body: 'Thinking about it.', stream: 'ended' } });

    const history = (await bob.api.get(`/channels/${channel}/messages`)).body.messages.filter((m: any) => m.id === id);
    expect(history).toEqual([expect.objectContaining({ body: 'Thinking about it.', stream: 'ended' })]);
    expect((await bot.api.post(`/messages/${id}/chunks`, { text: ' late' })).body.error.code).toBe('stream_closed');
    expect((await bot.api.post(`/messages/${id}/end`, {})).body.error.code).toBe('stream_closed');
  });

  it('only its author appends; an open stream is not edited; a chunk past the size limit is refused', async () => {
    const w = await createWorld(server.url);
    const bob = await w.person('member', 'Bob');
    const opened = await w.owner.api.post(`/channels/${w.generalId}/messages`, { body: 'Draft', stream: true });
    const id = opened.body.message.id as string;
    expect((await bob.api.post(`/messages/${id}/chunks`, { text: 'hijack' })).body.error.code).toBe('not_author');
    expect((await w.owner.api.patch(`/messages/${id}`, { body: 'edit' })).body.error.code).toBe('stream_open');
    expect((await w.owner.api.post(`/messages/${id}/chunks`, { text: '' })).status).toBe(400);
    const big = 'x'.repeat(4_000);
    for (let i = 0; i < 9; i++) expect((await w.owner.api.post(`/messages/${id}/chunks`, { text: big })).status).toBe(200);
    const over = await w.owner.api.post(`/messages/${id}/chunks`, { text: big });
    expect(over.status).toBe(413);
    expect(over.body.error.code).toBe('stream_too_long');
    const ended = await w.owner.api.post(`/messages/${id}/end`, { body: 'Short and final.' });
    expect(ended.body.message.body).toBe('Short and final.');
  });

  it('is closed as abandoned, with the text it had, when its author stops sending', async () => {
    const w = await createWorld(server.url);
    const bob = await w.person('member', 'Bob');
    const bobSocket = await connect(bob.token, w.orgId);
    const id = (await w.owner.api.post(`/channels/${w.generalId}/messages`, { body: 'Half a', stream: true })).body.message.id as string;
    await w.owner.api.post(`/messages/${id}/chunks`, { text: ' thought' });
    expect(await abandonStreams(server.ctx)).not.toContain(id); // not yet past the timeout

    await server.ctx.db.updateTable('message_streams').set({ last_chunk_at: new Date(0) }).where('message_id', '=', id).execute();
    expect(await abandonStreams(server.ctx)).toContain(id);
    const edited = await bobSocket.until(() => bobSocket.eventsOf(w.generalId, 'message.edited').find((e) => e.type === 'message.edited' && e.payload.message.id === id));
    expect(edited.payload).toMatchObject({ message: { body: 'Half a thought', stream: 'abandoned' } });
    expect(await abandonStreams(server.ctx)).not.toContain(id);
  });

  it('never sends the chunks of a humans-only reply to an agent', async () => {
    const w = await createWorld(server.url);
    const bot = await w.agent();
    const bob = await w.person('member', 'Bob');
    const channel = await w.channel(w.owner, { members: [bot.memberId, bob.memberId] });
    const botSocket = await connect(bot.token, w.orgId);
    const bobSocket = await connect(bob.token, w.orgId);
    const open = (await w.owner.api.post(`/channels/${channel}/messages`, { body: 'For people:', stream: true })).body.message.id as string;
    const hidden = (await w.owner.api.post(`/channels/${channel}/messages`, { body: 'Between us:', stream: true, audience: 'humans' })).body.message.id as string;
    await w.owner.api.post(`/messages/${hidden}/chunks`, { text: ' the salary bands' });
    await w.owner.api.post(`/messages/${open}/chunks`, { text: ' lunch at noon' });

    await bobSocket.until(() => chunksOf(bobSocket, open).length === 1 && chunksOf(bobSocket, hidden).length === 1);
    // The agent got the open one's chunk, sent after the hidden one's: the hidden chunk was withheld, not late.
    await botSocket.until(() => chunksOf(botSocket, open).length === 1);
    expect(chunksOf(botSocket, hidden)).toEqual([]);
    expect(JSON.stringify(botSocket.frames)).not.toContain('salary');
  });
});
