import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../server.js';
import { createWorld } from '../test/fixtures.js';
import { startTestServer } from '../test/server.js';
import { assign, finish } from '../test/tasks.js';

let server: RunningServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

/** The JSON Lines a compliance export answers. */
async function exported(api: { get(path: string): Promise<{ status: number; body: unknown; headers: Headers }> }, path: string) {
  const res = await api.get(path);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expect(res.headers.get('content-type')).toContain('application/x-ndjson');
  return String(res.body)
    .trim()
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as { kind: string; data: Record<string, unknown> });
}

describe('compliance export', () => {
  it("the owner gets a range's messages, agents' tasks and agents' audited reads and writes, for the org or a channel; the export is audited", async () => {
    const w = await createWorld(server.url);
    const bot = await w.agent();
    const room = await w.channel(w.owner, { members: [bot.memberId] });
    const early = await w.post(w.owner, room, 'before the range');
    await server.ctx.db.updateTable('messages').set({ created_at: new Date('2020-06-01T00:00:00Z') }).where('id', '=', early.id).execute();
    await w.post(w.owner, w.generalId, 'in general');
    const task = await assign(w.owner, room, bot.memberId, 'Summarise, please');
    await finish(bot, task.task.id, 'The summary');
    const from = new Date(Date.now() - 3_600_000).toISOString();
    const to = new Date(Date.now() + 3_600_000).toISOString();

    const all = await exported(w.owner.api, `/orgs/${w.orgId}/compliance-export?from=${from}&to=${to}`);
    const bodies = all.filter((l) => l.kind === 'message').map((l) => l.data.body);
    expect(bodies).toEqual(expect.arrayContaining(['in general', 'Summarise, please', 'The summary']));
    expect(bodies).not.toContain('before the range');
    expect(all.filter((l) => l.kind === 'task').map((l) => l.data.id)).toEqual([task.task.id]);
    const agentActions = all.filter((l) => l.kind === 'agent_audit');
    expect(agentActions.length).toBeGreaterThan(0);
    expect(agentActions.every((l) => l.data.actor_id === bot.memberId)).toBe(true);
    expect(all.every((l) => !('search_tsv' in l.data))).toBe(true);

    const onlyRoom = await exported(w.owner.api, `/orgs/${w.orgId}/compliance-export?from=${from}&to=${to}&channel_id=${room}`);
    expect(onlyRoom.filter((l) => l.kind === 'message').map((l) => l.data.body)).not.toContain('in general');
    expect(onlyRoom.every((l) => l.data.channel_id === room)).toBe(true);

    expect((await w.owner.api.get(`/orgs/${w.orgId}/compliance-export?from=${to}&to=${from}`)).status).toBe(400);
    const audit = await w.owner.api.get(`/orgs/${w.orgId}/audit?action=compliance.exported`);
    expect(audit.body.events.map((e: any) => [e.actor_id, e.channel_id])).toEqual([
      [w.owner.memberId, null],
      [w.owner.memberId, room],
    ]);
  });
});
