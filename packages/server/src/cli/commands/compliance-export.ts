import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { complianceLines } from '../../export/compliance.js';
import { resolveScope } from '../../export/exporter.js';
import { refusedHelp, refusingWith3 } from '../archives.js';
import { checkOption, defineCommand, usageError } from '../command.js';
import { commandConfig, openDatabase } from '../runtime.js';

const isTime = (v: string) => !Number.isNaN(new Date(v).getTime());

export default defineCommand({
  name: 'compliance-export',
  summary: 'messages and agent activity in a time range, as JSON Lines',
  description: `Messages, agents' tasks and agents' audit events created in [from, to), for the org or one channel
(docs/BACKUP.md). The export is recorded in the org's audit log. Times are ISO 8601 (2026-01-31 or
2026-01-31T12:00:00Z). ${refusedHelp}`,
  options: {
    org: { type: 'string', placeholder: '<slug|id>', help: 'the org (its address or id)', required: true },
    channel: { type: 'string', placeholder: '<id>', help: 'only this channel' },
    from: { type: 'string', placeholder: '<time>', help: 'from this time (ISO 8601)', required: true },
    to: { type: 'string', placeholder: '<time>', help: 'before this time (ISO 8601)', required: true },
    out: { type: 'string', placeholder: '<file.jsonl>', help: 'the file to write', required: true },
  },
  async run({ values, env, configFile, out }) {
    checkOption('from', values.from, isTime, 'an ISO 8601 time');
    checkOption('to', values.to, isTime, 'an ISO 8601 time');
    const range = { from: new Date(values.from), to: new Date(values.to) };
    if (!(range.from < range.to)) throw usageError('--from must be before --to.');
    const { db, embedded } = await openDatabase(commandConfig({ env, configFile }));
    try {
      const lines = await refusingWith3(async () => {
        const scope = await resolveScope(db, values.org, values.channel);
        const file = createWriteStream(values.out);
        let count = 0;
        for await (const line of complianceLines(db, scope, range, { actorId: null, actorKind: 'system' })) {
          count += 1;
          if (!file.write(line)) await once(file, 'drain');
        }
        file.end();
        await finished(file);
        return count;
      });
      out.result({ file: values.out, lines }, `Wrote ${lines} lines to ${values.out}.`);
      return 0;
    } finally {
      await db.destroy();
      await embedded?.stop();
    }
  },
});
