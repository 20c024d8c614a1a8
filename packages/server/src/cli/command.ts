import type { ParseArgsConfig } from 'node:util';

/**
 * One `chorus` command. A command is one file in `cli/commands/` whose default export is
 * `defineCommand({...})`; the registry finds it there (see cli/registry.ts and docs in README).
 */
export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** One line for --help. */
  help: string;
  /** The value's name in --help, e.g. `<email>`. */
  placeholder?: string;
  /** Refused with exit code 2 when missing. */
  required?: boolean;
}

export type Options = Record<string, OptionSpec>;

type ValueOf<S extends OptionSpec> = S['type'] extends 'boolean' ? boolean : S['required'] extends true ? string : string | undefined;
export type Values<O extends Options> = { [K in keyof O]: ValueOf<O[K]> };

/** How a command talks to its caller: a human sentence, or JSON with `--json`. */
export interface Output {
  readonly json: boolean;
  /** The command's answer: `data` as one JSON document with --json, `text` otherwise (stdout). */
  result(data: unknown, text: string): void;
  /** Progress and notes for people (stderr; silent with --json). */
  note(text: string): void;
}

export interface RunInput<O extends Options> {
  values: Values<O>;
  positionals: string[];
  out: Output;
  /** --config, when given (the config file; CHORUS_CONFIG otherwise). */
  configFile: string | undefined;
  env: NodeJS.ProcessEnv;
}

export interface Command<O extends Options = Options> {
  /** The words that invoke it: `migrate`, `org create`. */
  name: string;
  summary: string;
  /** More about what it does, for --help. */
  description?: string;
  options: O;
  /** Positional arguments, for --help (`<file>`); none are accepted when absent. */
  positionals?: string;
  /** Exit code (0 when it returns nothing); long-running commands resolve when they are stopped. */
  run(input: RunInput<O>): Promise<number | undefined>;
}

/** Declares a command with its options typed from the declaration. */
export function defineCommand<const O extends Options>(command: Command<O>): Command<O> {
  return command;
}

/** Exit codes, documented in README (CLI). */
/** `refused` (3): the archive commands' refusals (no such org, a damaged archive, a target that is not empty). */
export const ExitCode = { ok: 0, failure: 1, usage: 2, refused: 3 } as const;

/** A failure the CLI reports as one sentence, with a hint on how to fix it, and its exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = ExitCode.failure,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export const usageError = (message: string, hint?: string) => new CliError(message, ExitCode.usage, hint);

/** The options every command takes. */
export const commonOptions = {
  help: { type: 'boolean', short: 'h', help: 'show this help' },
  json: { type: 'boolean', help: 'print the result as JSON (for scripts)' },
  config: { type: 'string', placeholder: '<file>', help: 'a JSON config file (default: CHORUS_CONFIG)' },
} satisfies Options;

export function parseArgsOptions(options: Options): NonNullable<ParseArgsConfig['options']> {
  return Object.fromEntries(Object.entries(options).map(([name, spec]) => [name, spec.short ? { type: spec.type, short: spec.short } : { type: spec.type }]));
}

export function helpText(command: Command): string {
  const all: Options = { ...command.options, ...commonOptions };
  const lines = Object.entries(all).map(([name, spec]) => {
    const flag = `${spec.short ? `-${spec.short}, ` : '    '}--${name}${spec.type === 'string' ? ` ${spec.placeholder ?? '<value>'}` : ''}`;
    return `  ${flag.padEnd(34)} ${spec.help}${spec.required ? ' (required)' : ''}`;
  });
  return [
    `chorus ${command.name}${command.positionals ? ` ${command.positionals}` : ''} [options]`,
    '',
    `  ${command.summary}`,
    ...(command.description ? ['', ...command.description.split('\n').map((l) => `  ${l}`)] : []),
    '',
    'Options:',
    ...lines,
    '',
    'Exit codes: 0 ok, 1 failure, 2 usage or configuration error.',
    '',
  ].join('\n');
}

/** Refuses an option value that fails `valid` (exit code 2), naming the option and what it takes. */
export function checkOption(name: string, value: string | undefined, valid: (value: string) => boolean, expected: string): void {
  if (value !== undefined && !valid(value)) throw usageError(`--${name}: expected ${expected}, got "${value}"`);
}

/** An integer option, or the fallback when absent. */
export function intOption(name: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw usageError(`--${name}: expected an integer from ${min} to ${max}, got "${value}"`);
  return n;
}

/** A handle or an org address, as the API's schemas accept them (http/schemas.ts Handle). */
export const handlePattern = /^[a-z0-9][a-z0-9._-]{0,31}$/;
