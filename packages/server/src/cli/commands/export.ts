import { exportArchive, resolveScope } from '../../export/exporter.js';
import { fileBlobs } from '../../export/file-blobs.js';
import { refusedHelp, refusingWith3 } from '../archives.js';
import { defineCommand } from '../command.js';
import { progressBar } from '../progress.js';
import { commandConfig, openDatabase } from '../runtime.js';

export default defineCommand({
  name: 'export',
  summary: 'write an org (or one channel) to a portable archive (.tar.gz of JSON Lines and files)',
  description: `JSON Lines per table, the files' bytes, and a manifest with counts and checksums (docs/BACKUP.md).
Works on DATABASE_URL, or the embedded database of CHORUS_DATA_DIR. Tokens, sessions and webhook
secrets are not exported. ${refusedHelp}`,
  options: {
    org: { type: 'string', placeholder: '<slug|id>', help: 'the org (its address or id)', required: true },
    channel: { type: 'string', placeholder: '<id>', help: 'only this channel (with the people its rows name)' },
    out: { type: 'string', placeholder: '<file.tar.gz>', help: 'the archive to write', required: true },
  },
  async run({ values, env, configFile, out }) {
    const config = commandConfig({ env, configFile });
    const { db, embedded } = await openDatabase(config);
    const blobs = fileBlobs(config.files);
    const bar = progressBar(process.stderr, !out.json, 'exporting');
    try {
      const manifest = await refusingWith3(async () => exportArchive(db, await resolveScope(db, values.org, values.channel), values.out, (p) => { bar.update(p); }, blobs));
      bar.done();
      const rows = manifest.entities.reduce((a, e) => a + e.count, 0);
      out.result({ file: values.out, manifest }, `Wrote ${values.out}: ${rows} rows in ${manifest.entities.length} tables.`);
      return 0;
    } finally {
      blobs.close();
      await db.destroy();
      await embedded?.stop();
    }
  },
});
