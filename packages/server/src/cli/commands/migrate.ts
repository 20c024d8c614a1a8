import { migrate, migrationStatus } from '../../db/database.js';
import { defineCommand, ExitCode } from '../command.js';
import { commandConfig, openDatabase } from '../runtime.js';

export default defineCommand({
  name: 'migrate',
  summary: 'apply pending database migrations (or list them with --status)',
  description: 'Safe to run while other nodes serve, and from several nodes at once (a lock orders them).\nWith --status it changes nothing and exits 1 when migrations are pending.',
  options: {
    status: { type: 'boolean', help: 'list every migration and whether it is applied; exit 1 if any is pending' },
  },
  async run({ values, env, configFile, out }) {
    const config = commandConfig({ env, configFile });
    const { db, embedded } = await openDatabase(config);
    try {
      if (values.status) {
        const status = await migrationStatus(db);
        const pending = status.filter((m) => !m.applied).map((m) => m.name);
        out.result({ migrations: status, pending }, [...status.map((m) => `${m.applied ? 'applied ' : 'PENDING '} ${m.name}`), pending.length === 0 ? 'The database is up to date.' : `${pending.length} pending: run chorus migrate.`].join('\n'));
        return pending.length === 0 ? ExitCode.ok : ExitCode.failure;
      }
      const applied = await migrate(db);
      out.result({ applied }, applied.length === 0 ? 'Nothing to apply: the database is up to date.' : `Applied ${applied.join(', ')}.`);
      return ExitCode.ok;
    } finally {
      await db.destroy();
      await embedded?.stop();
    }
  },
});
