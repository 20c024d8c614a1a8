import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../server.js';
import { createWorld, type World } from '../test/fixtures.js';
import { startTestServer } from '../test/server.js';
import { appendAudit, type AuditEntry } from './chain.js';

let server: RunningServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

/** Writes events straight into the chain: these tests are about reading, filtering and verifying it. */
async function record(orgId: string, entries: AuditEntry[]): Promise<void> {
  await server.ctx.db.transaction().execute((trx) => appendAudit(trx, orgId, entries));
}

async function setting(): Promise<{ w: World; bob: Awaited<ReturnType<World['person']>>; bobsChannel: string }> {
  const w = await createWorld(server.url);
  const bob = await w.person('member', 'Bob');
  const bobsChannel = await w.channel(bob, { kind: 'private' });
  await record(w.orgId, [
    { actorId: w.owner.memberId, actorKind: 'human', action: 'test.general', channelId: w.generalId, decision: 'allow' },
    { actorId: bob.memberId, actorKind: 'human', action: 'test.bobs', channelId: bobsChannel, items: ['x', 'y'], decision: 'allow' },
    { actorId: w.owner.memberId, actorKind: 'human', action: 'test.denied', channelId: bobsChannel, decision: 'deny', reason: 'audience_violation' },
  ]);
  return { w, bob, bobsChannel };
}

describe('the audit API', () => {
  it('lets org admins read and filter the whole log, oldest first', async () => {
    const { w, bob, bobsChannel } = await setting();
    const all = await w.owner.api.get(`/orgs/${w.orgId}/audit`);
    expect(all.status).toBe(200);
    const actions = all.body.events.map((e: any) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['test.general', 'test.bobs', 'test.denied']));
    const seqs = all.body.events.map((e: any) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));

    const byActor = await w.owner.api.get(`/orgs/${w.orgId}/audit?actor_id=${bob.memberId}&action=test.bobs`);
    expect(byActor.body.events).toHaveLength(1);
    expect(byActor.body.events[0]).toMatchObject({ items: ['x', 'y'], decision: 'allow', channel_id: bobsChannel });
    const denied = await w.owner.api.get(`/orgs/${w.orgId}/audit?channel_id=${bobsChannel}&action=test.denied`);
    expect(denied.body.events[0]).toMatchObject({ decision: 'deny', reason: 'audience_violation' });
    const future = await w.owner.api.get(`/orgs/${w.orgId}/audit?since=${encodeURIComponent(new Date(Date.now() + 3600_000).toISOString())}`);
    expect(future.body.events).toEqual([]);
  });

  it('pages with after and next_after', async () => {
    const { w } = await setting();
    const first = await w.owner.api.get(`/orgs/${w.orgId}/audit?limit=2`);
    expect(first.body.events).toHaveLength(2);
    expect(first.body.next_after).toBe(first.body.events[1].seq);
    const second = await w.owner.api.get(`/orgs/${w.orgId}/audit?limit=2&after=${first.body.next_after}`);
    expect(second.body.events[0].seq).toBeGreaterThan(first.body.next_after);
  });

  it("shows a channel owner their own channel's events and nothing else", async () => {
    const { w, bob, bobsChannel } = await setting();
    const mine = await bob.api.get(`/orgs/${w.orgId}/audit`);
    expect(mine.status).toBe(200);
    expect(new Set(mine.body.events.map((e: any) => e.channel_id))).toEqual(new Set([bobsChannel]));
    const general = await bob.api.get(`/orgs/${w.orgId}/audit?channel_id=${w.generalId}`);
    expect(general.status).toBe(403);
    expect(general.body.error.code).toBe('audit_not_allowed');
  });

  it('exports JSON Lines, and the export is itself on the record', async () => {
    const { w } = await setting();
    const res = await fetch(`${server.url}/api/v1/orgs/${w.orgId}/audit/export`, { headers: { authorization: `Bearer ${w.owner.token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/x-ndjson');
    const lines = (await res.text()).trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.action)).toEqual(expect.arrayContaining(['test.general', 'test.bobs', 'test.denied', 'audit.export']));
    for (const line of lines) expect(line.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('verifies the chain, and names the first event changed behind its back', async () => {
    const { w } = await setting();
    const ok = await w.owner.api.post(`/orgs/${w.orgId}/audit/verify`);
    expect(ok.body).toMatchObject({ ok: true, head: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const target = (await w.owner.api.get(`/orgs/${w.orgId}/audit?action=test.bobs`)).body.events[0].seq;
    await server.ctx.db.transaction().execute(async (trx) => {
      await sql`alter table audit_events disable trigger audit_events_append_only`.execute(trx);
      await sql`update audit_events set items = '["x"]'::jsonb where org_id = ${w.orgId} and seq = ${target}`.execute(trx);
      await sql`alter table audit_events enable trigger audit_events_append_only`.execute(trx);
    });
    const broken = await w.owner.api.post(`/orgs/${w.orgId}/audit/verify`);
    expect(broken.body).toMatchObject({ ok: false, broken_at: target, problem: 'its content does not match its hash' });
  });
});
