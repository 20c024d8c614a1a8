import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ArchiveError } from '../../export/archive.js';
import { ScopeError } from '../../export/exporter.js';
import { NotEmptyError } from '../../export/importer.js';
import { CommandError, exitCodes } from '../exit-codes.js';

/** Where a command writes (process.stdout and stderr, or a test's buffers) and the environment it reads. */
export interface Output {
  write(text: string): unknown;
  isTTY?: boolean;
}
export interface Io {
  stdout: Output;
  stderr: Output;
  env: NodeJS.ProcessEnv;
}

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * Parses a command's flags (`--help` and `--json` for every command), runs it,
 * and turns what it throws into a one-line message and an exit code: with
 * --json, `{"ok": false, "error": …}` on stdout instead.
 */
export async function runCommand(
  argv: string[],
  io: Io,
  spec: { help: string; options: Options },
  body: (values: Record<string, string | boolean | undefined>, json: boolean) => Promise<unknown>,
): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({ args: argv, options: { ...spec.options, help: { type: 'boolean' }, json: { type: 'boolean' } }, strict: true, allowPositionals: false }).values;
  } catch (error) {
    io.stderr.write(`chorus: ${error instanceof Error ? error.message : String(error)}\n\n${spec.help}`);
    return exitCodes.usage;
  }
  if (values.help) {
    io.stdout.write(spec.help);
    return exitCodes.ok;
  }
  const json = values.json === true;
  try {
    const result = await body(values, json);
    if (json) io.stdout.write(`${JSON.stringify({ ok: true, ...(result as object) })}\n`);
    return exitCodes.ok;
  } catch (error) {
    const code =
      error instanceof CommandError ? error.code
      : error instanceof ScopeError || error instanceof ArchiveError || error instanceof NotEmptyError ? exitCodes.refused
      : exitCodes.failed;
    const message = error instanceof Error ? error.message : String(error);
    if (json) io.stdout.write(`${JSON.stringify({ ok: false, error: message, exit_code: code })}\n`);
    else io.stderr.write(`chorus: ${message}\n${code === exitCodes.usage ? `\n${spec.help}` : ''}`);
    return code;
  }
}

/** A required flag, or a usage error naming it. */
export function required(values: Record<string, string | boolean | undefined>, name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value.length === 0) throw new CommandError(`--${name} is required.`, exitCodes.usage);
  return value;
}
