import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RunningServer } from '../../server.js';
import { createWorld } from '../../test/fixtures.js';
import { startTestServer } from '../../test/server.js';
import { complianceExportCommand } from './compliance-export.js';
import { exportCommand } from './export.js';
import { importCommand } from './import.js';
import type { Io } from './run.js';

/** The CLI commands as a script runs them: flags, --json output, exit codes; against the test run's database. */

let server: RunningServer;
let dir: string;
beforeAll(async () => {
  server = await startTestServer();
  dir = await mkdtemp(path.join(tmpdir(), 'chorus-cli-'));
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

function io(): Io & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: { write: (t: string) => (out += t) },
    stderr: { write: (t: string) => (err += t) },
    env: { DATABASE_URL: inject('databaseUrl') },
    out: () => out,
    err: () => err,
  };
}

describe('chorus export / import / compliance-export', () => {
  it('--help, usage errors (2), unknown orgs (3), a target that is not empty (3), --json results (0)', async () => {
    const w = await createWorld(server.url);
    await w.post(w.owner, w.generalId, 'hello from the CLI test');
    const help = io();
    expect(await exportCommand(['--help'], help)).toBe(0);
    expect(help.out()).toContain('chorus export --org');

    const missing = io();
    expect(await exportCommand(['--org', w.orgId], missing)).toBe(2);
    expect(missing.err()).toContain('--out is required');
    expect(await exportCommand(['--bogus'], io())).toBe(2);

    const unknown = io();
    expect(await exportCommand(['--org', 'no-such-org', '--out', path.join(dir, 'x.tar.gz'), '--json'], unknown)).toBe(3);
    expect(JSON.parse(unknown.out())).toMatchObject({ ok: false, exit_code: 3, error: 'No org no-such-org in this database.' });

    const file = path.join(dir, 'org.tar.gz');
    const exported = io();
    expect(await exportCommand(['--org', w.orgId, '--out', file, '--json'], exported)).toBe(0);
    const result = JSON.parse(exported.out());
    expect(result).toMatchObject({ ok: true, file, manifest: { format: 'chorus-archive', version: 1, scope: { kind: 'org', org_id: w.orgId } } });
    expect(exported.err()).toBe('');

    const refused = io();
    expect(await importCommand(['--in', file], refused)).toBe(3);
    expect(refused.err()).toContain('only into an empty Chorus instance');

    const damaged = io();
    await import('node:fs/promises').then((fs) => fs.writeFile(path.join(dir, 'junk.tar.gz'), 'not an archive'));
    expect(await importCommand(['--in', path.join(dir, 'junk.tar.gz')], damaged)).toBe(3);

    const compliance = path.join(dir, 'compliance.jsonl');
    const ran = io();
    expect(await complianceExportCommand(['--org', w.orgId, '--from', '2000-01-01', '--to', '2100-01-01', '--out', compliance, '--json'], ran)).toBe(0);
    const lines = (await readFile(compliance, 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.filter((l) => l.kind === 'message').map((l) => l.data.body)).toContain('hello from the CLI test');
    expect(await complianceExportCommand(['--org', w.orgId, '--from', 'yesterday', '--to', '2100-01-01', '--out', compliance], io())).toBe(2);
  });
});
