import { parseArgs } from 'node:util';
import { ConfigError } from '../config.js';
import { AppError } from '../http/errors.js';
import { CliError, ExitCode, commonOptions, helpText, parseArgsOptions, type Command, type Output } from './command.js';
import { findCommand, loadCommands, loadNamed } from './registry.js';

function overview(commands: Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length)) + 2;
  return [
    'chorus — run and administer Chorus',
    '',
    'Usage: chorus <command> [options]        chorus <command> --help for its options',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)} ${c.summary}`),
    '',
    'Every command takes --json (machine-readable output) and --config <file>.',
    'Exit codes: 0 ok, 1 failure, 2 usage or configuration error.',
    '',
  ].join('\n');
}

function output(json: boolean): Output {
  return {
    json,
    result(data, text) {
      process.stdout.write(json ? `${JSON.stringify(data, null, 2)}\n` : text.endsWith('\n') ? text : `${text}\n`);
    },
    note(text) {
      if (!json) process.stderr.write(`${text}\n`);
    },
  };
}

/** Runs `chorus <argv…>`; resolves to the exit code. */
export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const first = argv[0];
  if (first === undefined || first === 'help' || first === '--help' || first === '-h') {
    process.stdout.write(overview(await loadCommands()));
    return ExitCode.ok;
  }
  const found = (await loadNamed(argv)) ?? findCommand(await loadCommands(), argv);
  if (!found) {
    const commands = await loadCommands();
    const group = commands.filter((c) => c.name.startsWith(`${first} `));
    process.stderr.write(group.length > 0
      ? `chorus ${first}: say which one:\n${group.map((c) => `  chorus ${c.name}  ${c.summary}`).join('\n')}\n`
      : `chorus: unknown command "${first}". Run chorus --help for the list.\n`);
    return ExitCode.usage;
  }
  const { command, rest } = found;
  const json = rest.includes('--json');
  const out = output(json);
  try {
    let parsed;
    try {
      parsed = parseArgs({ args: rest, options: parseArgsOptions({ ...command.options, ...commonOptions }), allowPositionals: command.positionals !== undefined, strict: true });
    } catch (error) {
      throw new CliError(error instanceof Error ? error.message : String(error), ExitCode.usage, `chorus ${command.name} --help lists the options.`);
    }
    const values = parsed.values as Record<string, string | boolean | undefined>;
    if (values.help) {
      process.stdout.write(helpText(command));
      return ExitCode.ok;
    }
    const missing = Object.entries(command.options).filter(([name, spec]) => spec.required && values[name] === undefined).map(([name]) => `--${name}`);
    if (missing.length > 0) throw new CliError(`missing ${missing.join(', ')}`, ExitCode.usage, `chorus ${command.name} --help lists the options.`);
    for (const [name, spec] of Object.entries(command.options)) if (spec.type === 'boolean') values[name] ??= false;
    const configFile = typeof values.config === 'string' ? values.config : undefined;
    return (await command.run({ values: values as never, positionals: parsed.positionals, out, configFile, env })) ?? ExitCode.ok;
  } catch (error) {
    const { code, message, hint } = describe(error);
    if (json) process.stderr.write(`${JSON.stringify({ error: { message, ...(hint ? { hint } : {}) } })}\n`);
    else process.stderr.write(`chorus ${command.name}: ${message}\n${hint ? `  ${hint}\n` : ''}`);
    return code;
  }
}

function describe(error: unknown): { code: number; message: string; hint?: string } {
  if (error instanceof CliError) return { code: error.exitCode, message: error.message, ...(error.hint ? { hint: error.hint } : {}) };
  if (error instanceof ConfigError) return { code: ExitCode.usage, message: `invalid configuration: ${error.message}`, hint: 'Fix the setting in the environment or the config file (README: Configuration).' };
  if (error instanceof AppError) return { code: ExitCode.failure, message: `${error.code}: ${error.message}` };
  return { code: ExitCode.failure, message: error instanceof Error ? error.message : String(error) };
}
