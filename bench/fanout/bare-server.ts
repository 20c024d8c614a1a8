/**
 * The reference: a bare `ws` broadcast server with no auth and no storage.
 * A client names its rooms in the URL (`/?rooms=a,b`); a `send` frame is
 * framed once as an `event` (shaped like Chorus's message.created, a per-room
 * seq included), written to every member of the room, the sender included, and
 * answered with an `ack`. This is the ws README's broadcast loop: one encoded
 * buffer handed to `send` of each socket.
 *
 * Run as its own process by run.ts: PORT=… node --import tsx bench/fanout/bare-server.ts
 */
import { randomUUID } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';

const port = Number(process.env.PORT ?? '0');
// Variants for finding where a server's fan-out time goes (not used by the benchmark's own figures):
// BARE_SEND_AS=string hands ws the JSON string for every socket (as Chorus does) instead of one encoded buffer;
// BARE_PAD_BYTES=n adds n bytes to every event frame (Chorus's message.created frames are about 2× the bare ones).
const sendAsString = process.env.BARE_SEND_AS === 'string';
const pad = 'x'.repeat(Number(process.env.BARE_PAD_BYTES ?? '0'));
const rooms = new Map<string, Set<WebSocket>>();
const seqs = new Map<string, number>();

interface SendFrame {
  type: 'send';
  request_id: string;
  channel_id: string;
  body: string;
}

function isSend(value: unknown): value is SendFrame {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return v.type === 'send' && typeof v.request_id === 'string' && typeof v.channel_id === 'string' && typeof v.body === 'string';
}

const wss = new WebSocketServer({ host: '127.0.0.1', port, perMessageDeflate: false, maxPayload: 256 * 1024 });

wss.on('connection', (ws, request) => {
  const query = new URL(request.url ?? '/', 'http://bare').searchParams.get('rooms') ?? '';
  const mine = query.split(',').filter((r) => r.length > 0);
  for (const room of mine) {
    let members = rooms.get(room);
    if (!members) {
      members = new Set();
      rooms.set(room, members);
    }
    members.add(ws);
  }
  ws.on('message', (data) => {
    let frame: unknown;
    try {
      frame = JSON.parse((data as Buffer).toString('utf8'));
    } catch {
      return;
    }
    if (!isSend(frame)) return;
    const members = rooms.get(frame.channel_id);
    if (!members?.has(ws)) {
      ws.send(JSON.stringify({ type: 'error', request_id: frame.request_id, error: { code: 'not_a_member', message: 'Not in that room.' } }));
      return;
    }
    const seq = (seqs.get(frame.channel_id) ?? 0) + 1;
    seqs.set(frame.channel_id, seq);
    const now = new Date().toISOString();
    const id = randomUUID();
    const text = JSON.stringify({
      type: 'event',
      event: {
        channel_id: frame.channel_id,
        seq,
        type: 'message.created',
        created_at: now,
        payload: { message: { id, channel_id: frame.channel_id, seq, body: frame.body, created_at: now, ...(pad ? { pad } : {}) } },
      },
    });
    const event = sendAsString ? text : Buffer.from(text);
    for (const peer of members) if (peer.readyState === peer.OPEN) peer.send(event);
    ws.send(JSON.stringify({ type: 'ack', request_id: frame.request_id, message: { id, seq } }));
  });
  ws.on('close', () => {
    for (const room of mine) rooms.get(room)?.delete(ws);
  });
});

wss.on('listening', () => {
  const address = wss.address();
  const bound = typeof address === 'object' && address !== null ? address.port : port;
  console.log(`bare ws listening on ${bound}`);
});

const stop = () => {
  for (const ws of wss.clients) ws.terminate();
  wss.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 1_000).unref();
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
