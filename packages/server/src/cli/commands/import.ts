import { migrate } from '../../db/database.js';
import { importArchive } from '../../export/importer.js';
import { withDatabase } from '../database.js';
import { progressBar } from '../progress.js';
import { required, runCommand, type Io } from './run.js';

export const importHelp = `chorus import --in <file.tar.gz> [--json]

  Restores an archive made by \`chorus export\` into an EMPTY Chorus instance
  (a fresh database: migrations are applied first). Refuses a database that
  already holds orgs or users. Everything is imported in one transaction.
  Agents come back without tokens: issue new ones. People sign in again.

  --in    the archive to read
  --json  print the result as JSON, no progress bar
  exit: 0 imported, 2 bad usage, 3 refused (not empty, damaged or newer archive), 1 failed
`;

export function importCommand(argv: string[], io: Io): Promise<number> {
  return runCommand(argv, io, { help: importHelp, options: { in: { type: 'string' } } }, async (values, json) => {
    const file = required(values, 'in');
    const bar = progressBar(io.stderr, !json, 'importing');
    const result = await withDatabase(io.env, async (db) => {
      await migrate(db);
      return importArchive(db, file, (p) => { bar.update(p); });
    });
    bar.done();
    if (!json) {
      const rows = Object.values(result.counts).reduce((a, b) => a + b, 0);
      const audit = result.audit ? (result.audit.ok ? `; audit chain verified (${result.audit.events} events)` : `; AUDIT CHAIN BROKEN: ${result.audit.problem}`) : '';
      io.stdout.write(`chorus import: restored ${rows} rows of org ${result.manifest.scope.org_id}${audit}\n`);
    }
    return { scope: result.manifest.scope, counts: result.counts, dropped_references: result.dropped_references, audit: result.audit };
  });
}
