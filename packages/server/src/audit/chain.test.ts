import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../server.js';
import { createWorld } from '../test/fixtures.js';
import { startTestServer } from '../test/server.js';
import { appendAudit, verifyChain } from './chain.js';

let server: RunningServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

async function orgWithEvents(n: number): Promise<string> {
  const w = await createWorld(server.url);
  for (let i = 0; i < n; i++) {
    await server.ctx.db.transaction().execute((trx) =>
      appendAudit(trx, w.orgId, [
        { actorId: w.owner.memberId, actorKind: 'human', action: 'test.event', targetType: 'thing', targetId: String(i), items: [`item-${i}`], decision: i % 3 ? 'allow' : 'deny', reason: i % 3 ? null : 'because' },
      ]),
    );
  }
  return w.orgId;
}

async function tamper(orgId: string, seq: number, change: string): Promise<void> {
  // Only someone with the database's owner rights can do this: the product has no way to.
  await server.ctx.db.transaction().execute(async (trx) => {
    await sql`alter table audit_events disable trigger audit_events_append_only`.execute(trx);
    await sql.raw(`update audit_events set ${change} where org_id = '${orgId}' and seq = ${seq}`).execute(trx);
    await sql`alter table audit_events enable trigger audit_events_append_only`.execute(trx);
  });
}

describe('the audit chain', () => {
  it('verifies an untouched chain', async () => {
    const orgId = await orgWithEvents(5);
    const result = await verifyChain(server.ctx.db, orgId);
    expect(result).toMatchObject({ ok: true });
    expect(result.events).toBeGreaterThanOrEqual(5);
  });

  it('names the first event whose content was changed', async () => {
    const orgId = await orgWithEvents(6);
    const { events } = await verifyChain(server.ctx.db, orgId);
    await tamper(orgId, events - 2, `reason = 'nothing to see'`);
    expect(await verifyChain(server.ctx.db, orgId)).toMatchObject({ ok: false, broken_at: events - 2, problem: 'its content does not match its hash' });
  });

  it('notices an event removed from the middle, and from the end', async () => {
    const orgId = await orgWithEvents(6);
    const { events } = await verifyChain(server.ctx.db, orgId);
    await server.ctx.db.transaction().execute(async (trx) => {
      await sql`alter table audit_events disable trigger audit_events_append_only`.execute(trx);
      await sql`delete from audit_events where org_id = ${orgId} and seq = ${events}`.execute(trx);
      await sql`alter table audit_events enable trigger audit_events_append_only`.execute(trx);
    });
    expect(await verifyChain(server.ctx.db, orgId)).toMatchObject({ ok: false, broken_at: events, problem: 'events after this one were removed' });
    await server.ctx.db.transaction().execute(async (trx) => {
      await sql`alter table audit_events disable trigger audit_events_append_only`.execute(trx);
      await sql`delete from audit_events where org_id = ${orgId} and seq = 2`.execute(trx);
      await sql`alter table audit_events enable trigger audit_events_append_only`.execute(trx);
    });
    expect(await verifyChain(server.ctx.db, orgId)).toMatchObject({ ok: false, broken_at: 2, problem: 'event 2 is missing' });
  });

  it('refuses updates and deletes of audit events', async () => {
    const orgId = await orgWithEvents(1);
    await expect(sql`update audit_events set reason = 'x' where org_id = ${orgId}`.execute(server.ctx.db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from audit_events where org_id = ${orgId}`.execute(server.ctx.db)).rejects.toThrow(/append-only/);
  });

  it('keeps one unforked chain under concurrent appends', async () => {
    const w = await createWorld(server.url);
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        server.ctx.db.transaction().execute((trx) => appendAudit(trx, w.orgId, [{ actorId: null, actorKind: 'system', action: 'test.concurrent', targetId: String(i), decision: 'allow' }])),
      ),
    );
    const result = await verifyChain(server.ctx.db, w.orgId);
    expect(result.ok).toBe(true);
    expect(result.events).toBeGreaterThanOrEqual(20);
  });

  it('chains several appends of one transaction, each after the one before, while others append beside it', async () => {
    const w = await createWorld(server.url);
    const entry = (action: string, i: number) => ({ actorId: null, actorKind: 'system' as const, action, targetId: String(i), decision: 'allow' as const });
    await Promise.all([
      ...Array.from({ length: 5 }, (_, i) =>
        server.ctx.db.transaction().execute(async (trx) => {
          for (let k = 0; k < 3; k++) await appendAudit(trx, w.orgId, [entry('test.several', i * 10 + k), entry('test.several', i * 10 + k + 5)]);
        }),
      ),
      ...Array.from({ length: 5 }, (_, i) => server.ctx.db.transaction().execute((trx) => appendAudit(trx, w.orgId, [entry('test.beside', i)]))),
    ]);
    const result = await verifyChain(server.ctx.db, w.orgId);
    expect(result).toMatchObject({ ok: true });
    const rows = await server.ctx.db.selectFrom('audit_events').select('action').where('org_id', '=', w.orgId).where('action', 'in', ['test.several', 'test.beside']).execute();
    expect(rows).toHaveLength(5 * 3 * 2 + 5);
  });

  it('verifies while events are being appended: each verification sees the chain as of one moment', async () => {
    const w = await createWorld(server.url);
    const append = (i: number) =>
      server.ctx.db.transaction().execute((trx) => appendAudit(trx, w.orgId, [{ actorId: null, actorKind: 'system', action: 'test.during_verify', targetId: String(i), decision: 'allow' }]));
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 === 0 ? append(i).then(() => null) : verifyChain(server.ctx.db, w.orgId))));
    for (const result of results) if (result) expect(result).toMatchObject({ ok: true });
    expect(await verifyChain(server.ctx.db, w.orgId)).toMatchObject({ ok: true });
  });
});
