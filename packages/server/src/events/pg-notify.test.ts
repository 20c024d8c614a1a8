import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../context.js';
import { actorIn, resolvePrincipal } from '../http/auth.js';
import { postMessageAs } from '../messages/service.js';
import type { RunningServer } from '../server.js';
import { createWorld, type World } from '../test/fixtures.js';
import { startTestServer } from '../test/server.js';
import { openSocket, type RecordingSocket } from '../test/sockets.js';
import { NotifyBus } from './pg-notify.js';

let server: RunningServer;
const sockets: RecordingSocket[] = [];
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await server.close();
});

/** A `chorus` command's context: the same database, and the bus commands use without Redis. */
function commandContext(): { ctx: AppContext; bus: NotifyBus } {
  const bus = new NotifyBus(server.ctx.db, server.ctx.log);
  return { ctx: { ...server.ctx, bus }, bus };
}

async function ownerIn(ctx: AppContext, w: World) {
  const principal = await resolvePrincipal(ctx, w.owner.token);
  const actor = principal ? await actorIn(ctx, principal, w.orgId) : null;
  if (!actor) throw new Error('the owner has no actor');
  return actor;
}

describe('commands beside a server without Redis', () => {
  it('reach its sockets: a message a command posts, a long one too, arrives live and once', async () => {
    const w = await createWorld(server.url);
    const channel = await w.channel(w.owner);
    const socket = await openSocket(server.url, w.owner.token, w.orgId);
    sockets.push(socket);
    const { ctx, bus } = commandContext();
    const owner = await ownerIn(ctx, w);

    await postMessageAs(ctx, owner, channel, { body: 'from a command' });
    const long = 'x'.repeat(20_000); // more than a NOTIFY carries: the server reads it from the log
    await postMessageAs(ctx, owner, channel, { body: long });
    await bus.close();
    await socket.until(() => socket.messagesIn(channel).length === 2);

    expect(socket.messagesIn(channel)).toEqual(['from a command', long]);
    await w.post(w.owner, channel, 'and then the API');
    await socket.until(() => socket.messagesIn(channel).length === 3);
    expect(socket.eventsOf(channel).map((e) => e.seq)).toEqual([1, 2, 3].map((i) => socket.eventsOf(channel)[0]!.seq + i - 1));
  });

  it('reach it again after its listening connection is lost', async () => {
    const w = await createWorld(server.url);
    const channel = await w.channel(w.owner);
    const socket = await openSocket(server.url, w.owner.token, w.orgId);
    sockets.push(socket);
    const listening = server.commands;
    const before = listening?.backend;
    if (!listening || !before) throw new Error('the server does not listen for commands');
    await sql`select pg_terminate_backend(${before}::int)`.execute(server.ctx.db);
    // It opens another connection (a second later); wait for it, by its state rather than a time.
    while (listening.backend === null || listening.backend === before) await new Promise((resolve) => setTimeout(resolve, 50));

    const { ctx, bus } = commandContext();
    await postMessageAs(ctx, await ownerIn(ctx, w), channel, { body: 'after the reconnect' });
    await bus.close();
    await socket.until(() => socket.messagesIn(channel).includes('after the reconnect'));
  });
});
