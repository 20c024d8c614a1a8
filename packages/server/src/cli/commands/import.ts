import { migrate } from '../../db/database.js';
import { fileBlobs } from '../../export/file-blobs.js';
import { importArchive } from '../../export/importer.js';
import { refusedHelp, refusingWith3 } from '../archives.js';
import { defineCommand } from '../command.js';
import { progressBar } from '../progress.js';
import { commandConfig, openDatabase } from '../runtime.js';

export default defineCommand({
  name: 'import',
  summary: 'restore an archive made by chorus export into an empty instance',
  description: `Migrations are applied first; a database that already holds orgs or users is refused. Everything
is imported in one transaction, the files' bytes into the configured store. Agents come back without
tokens (issue new ones); people sign in again. ${refusedHelp}`,
  options: {
    in: { type: 'string', placeholder: '<file.tar.gz>', help: 'the archive to read', required: true },
  },
  async run({ values, env, configFile, out }) {
    const config = commandConfig({ env, configFile });
    const { db, embedded } = await openDatabase(config);
    const blobs = fileBlobs(config.files);
    const bar = progressBar(process.stderr, !out.json, 'importing');
    try {
      await migrate(db);
      const result = await refusingWith3(() => importArchive(db, values.in, (p) => { bar.update(p); }, blobs));
      bar.done();
      const rows = Object.values(result.counts).reduce((a, b) => a + b, 0);
      const audit = result.audit ? (result.audit.ok ? `; audit chain verified (${result.audit.events} events)` : `; AUDIT CHAIN BROKEN: ${result.audit.problem}`) : '';
      out.result(
        { scope: result.manifest.scope, counts: result.counts, dropped_references: result.dropped_references, audit: result.audit },
        `Restored ${rows} rows of org ${result.manifest.scope.org_id}${audit}.`,
      );
      return 0;
    } finally {
      blobs.close();
      await db.destroy();
      await embedded?.stop();
    }
  },
});
