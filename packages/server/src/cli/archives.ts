import { ArchiveError } from '../export/archive.js';
import { ScopeError } from '../export/exporter.js';
import { NotEmptyError } from '../export/importer.js';
import { CliError, ExitCode } from './command.js';

/** What the archive commands add to --help: their exit code 3 (docs/BACKUP.md). */
export const refusedHelp = 'Exit code 3: refused — no such org or channel, a damaged or unknown archive, a target that is not empty.';

/** Runs an archive command's work, answering its refusals with exit code 3. */
export async function refusingWith3<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ScopeError || error instanceof ArchiveError || error instanceof NotEmptyError) throw new CliError(error.message, ExitCode.refused);
    throw error;
  }
}
