import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { complianceLines } from '../../export/compliance.js';
import { resolveScope } from '../../export/exporter.js';
import { withDatabase } from '../database.js';
import { CommandError, exitCodes } from '../exit-codes.js';
import { required, runCommand, type Io } from './run.js';

export const complianceHelp = `chorus compliance-export --org <id|slug> [--channel <id>] --from <time> --to <time> --out <file.jsonl> [--json]

  Messages, agents' tasks and agents' audit events created in [from, to), for
  the org or one channel, as JSON Lines (docs/BACKUP.md). The export is recorded
  in the org's audit log. Times are ISO 8601 (2026-01-31 or 2026-01-31T12:00:00Z).

  exit: 0 written, 2 bad usage, 3 no such org or channel, 1 failed
`;

function time(value: string, name: string): Date {
  const at = new Date(value);
  if (Number.isNaN(at.getTime())) throw new CommandError(`--${name} is not a time: ${value}`, exitCodes.usage);
  return at;
}

export function complianceExportCommand(argv: string[], io: Io): Promise<number> {
  const options = { org: { type: 'string' }, channel: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, out: { type: 'string' } } as const;
  return runCommand(argv, io, { help: complianceHelp, options }, async (values, json) => {
    const org = required(values, 'org');
    const out = required(values, 'out');
    const range = { from: time(required(values, 'from'), 'from'), to: time(required(values, 'to'), 'to') };
    if (!(range.from < range.to)) throw new CommandError('--from must be before --to.', exitCodes.usage);
    const channel = typeof values.channel === 'string' ? values.channel : undefined;
    const lines = await withDatabase(io.env, async (db) => {
      const scope = await resolveScope(db, org, channel);
      const file = createWriteStream(out);
      let count = 0;
      for await (const line of complianceLines(db, scope, range, { actorId: null, actorKind: 'system' })) {
        count += 1;
        if (!file.write(line)) await once(file, 'drain');
      }
      file.end();
      await finished(file);
      return count;
    });
    if (!json) io.stdout.write(`chorus compliance-export: wrote ${lines} lines to ${out}\n`);
    return { file: out, lines };
  });
}
