import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../server.js';
import { chorus, dataDir } from '../test/cli.js';
import { createWorld } from '../test/fixtures.js';
import { startTestServer } from '../test/server.js';

/** The archive commands as a script runs them: flags, --json, exit codes; the real CLI against the test run's database. */

let server: RunningServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

describe('chorus export / import / compliance-export', { timeout: 600_000 }, () => {
  it('explain themselves, refuse bad usage (2), unknown orgs, damaged archives and non-empty targets (3), and answer --json', async () => {
    const w = await createWorld(server.url);
    await w.post(w.owner, w.generalId, 'hello from the CLI test');
    const file = path.join(dataDir, `${w.orgId}.tar.gz`);
    const junk = path.join(dataDir, 'junk.tar.gz');
    await writeFile(junk, 'not an archive');
    const compliance = path.join(dataDir, `${w.orgId}.jsonl`);

    const [help, missing, unknown, exported, badTime, ran] = await Promise.all([
      chorus(['export', '--help']),
      chorus(['export', '--org', w.orgId]),
      chorus(['export', '--org', 'no-such-org', '--out', path.join(dataDir, 'x.tar.gz'), '--json']),
      chorus(['export', '--org', w.orgId, '--out', file, '--json']),
      chorus(['compliance-export', '--org', w.orgId, '--from', 'yesterday', '--to', '2100-01-01', '--out', compliance]),
      chorus(['compliance-export', '--org', w.orgId, '--from', '2000-01-01', '--to', '2100-01-01', '--out', compliance, '--json']),
    ]);
    expect([help.code, help.stdout]).toEqual([0, expect.stringContaining('chorus export [options]')]);
    expect(help.stdout).toContain('Exit code 3');
    expect([missing.code, missing.stderr]).toEqual([2, expect.stringContaining('missing --out')]);
    expect([unknown.code, unknown.stderr]).toEqual([3, expect.stringContaining('No org no-such-org in this database.')]);
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.json).toMatchObject({ file, manifest: { format: 'chorus-archive', version: 1, scope: { kind: 'org', org_id: w.orgId } } });
    expect(badTime.code).toBe(2);
    expect(ran.code, ran.stderr).toBe(0);
    const lines = (await readFile(compliance, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { kind: string; data: { body?: string } });
    expect(lines.filter((l) => l.kind === 'message').map((l) => l.data.body)).toContain('hello from the CLI test');

    // The test database holds orgs: an import there is refused, and so is a damaged archive.
    const [refused, damaged] = await Promise.all([chorus(['import', '--in', file]), chorus(['import', '--in', junk])]);
    expect([refused.code, refused.stderr]).toEqual([3, expect.stringContaining('only into an empty Chorus instance')]);
    expect(damaged.code).toBe(3);
  });
});
