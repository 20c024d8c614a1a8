import { exportArchive, resolveScope } from '../../export/exporter.js';
import { withDatabase } from '../database.js';
import { progressBar } from '../progress.js';
import { required, runCommand, type Io } from './run.js';

export const exportHelp = `chorus export --org <id|slug> [--channel <id>] --out <file.tar.gz> [--json]

  Writes the org (or one of its channels) to a portable archive: JSON Lines per
  table, a manifest with counts and checksums, packed as .tar.gz (docs/BACKUP.md).
  Reads DATABASE_URL, or the embedded database in CHORUS_DATA_DIR (stop the
  server first). Tokens, sessions and webhook secrets are not exported.

  --org      the org's id or slug
  --channel  only this channel (with the people its rows name)
  --out      the archive to write
  --json     print the manifest as JSON, no progress bar
  exit: 0 written, 2 bad usage, 3 no such org or channel, 1 failed
`;

export function exportCommand(argv: string[], io: Io): Promise<number> {
  return runCommand(argv, io, { help: exportHelp, options: { org: { type: 'string' }, channel: { type: 'string' }, out: { type: 'string' } } }, async (values, json) => {
    const org = required(values, 'org');
    const out = required(values, 'out');
    const channel = typeof values.channel === 'string' ? values.channel : undefined;
    const bar = progressBar(io.stderr, !json, 'exporting');
    const manifest = await withDatabase(io.env, async (db) => exportArchive(db, await resolveScope(db, org, channel), out, (p) => { bar.update(p); }));
    bar.done();
    if (!json) {
      const rows = manifest.entities.reduce((a, e) => a + e.count, 0);
      io.stdout.write(`chorus export: wrote ${out} (${rows} rows in ${manifest.entities.length} tables)\n`);
    }
    return { file: out, manifest };
  });
}
