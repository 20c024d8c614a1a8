import { sql } from 'kysely';
import { afterAll, describe, expect, it, inject } from 'vitest';
import { connect, type Db } from './database.js';

const pools: Db[] = [];
afterAll(async () => {
  for (const db of pools) await db.destroy();
});

describe('the connection pool', () => {
  it('survives PostgreSQL ending an idle connection: reported, dropped, and the next query runs on a new one', async () => {
    const url = new URL(inject('databaseUrl'));
    url.searchParams.set('application_name', 'chorus-idle-test');
    const lost: Error[] = [];
    let reported: () => void = () => undefined;
    const gone = new Promise<void>((resolve) => { reported = resolve; });
    const db = connect(url.toString(), 1, (err) => {
      lost.push(err);
      reported();
    });
    pools.push(db);
    const before = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(db);

    // Another connection ends the pool's idle one, as a restart or an administrator would.
    const admin = connect(inject('databaseUrl'), 1);
    pools.push(admin);
    await sql`select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'chorus-idle-test'`.execute(admin);
    await gone;

    expect(lost[0]?.message).toMatch(/terminating connection/);
    const after = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(db);
    expect(after.rows[0]?.pid).not.toBe(before.rows[0]?.pid);
  });
});
