import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import type { Command } from './command.js';

const commandsDir = new URL('./commands/', import.meta.url);
const extension = import.meta.url.endsWith('.ts') ? '.ts' : '.js';

async function load(file: string): Promise<Command> {
  const module = (await import(new URL(file, commandsDir).href)) as { default?: Command };
  if (!module.default?.name || typeof module.default.run !== 'function') throw new Error(`cli/commands/${file} does not export a command (export default defineCommand({...}))`);
  return module.default;
}

/**
 * The command argv names, loading only its file: a command's file is its words joined by "-"
 * (`org create` → org-create.ts), so running one command does not load every other command's
 * modules. Null when no file matches (then the caller loads them all, for the overview).
 */
export async function loadNamed(argv: string[]): Promise<{ command: Command; rest: string[] } | null> {
  for (const words of [argv.slice(0, 2), argv.slice(0, 1)]) {
    if (words.length === 0 || words.some((w) => !/^[a-z][a-z0-9-]*$/.test(w))) continue;
    const file = `${words.join('-')}${extension}`;
    if (!existsSync(new URL(file, commandsDir))) continue;
    const command = await load(file);
    if (command.name === words.join(' ')) return { command, rest: argv.slice(words.length) };
  }
  return null;
}

/**
 * Every command: each file in `cli/commands/` (compiled `.js`, or `.ts` when run from the sources)
 * default-exports one, and is named after it (`org create` → org-create.ts). Adding a command is
 * adding a file; nothing else lists them.
 */
export async function loadCommands(): Promise<Command[]> {
  const files = (await readdir(commandsDir)).filter((f) => /\.(js|ts)$/.test(f) && !/\.(test|d)\.(js|ts)$/.test(f)).sort();
  const commands: Command[] = [];
  for (const file of files) commands.push(await load(file));
  return commands.sort((a, b) => a.name.localeCompare(b.name));
}

/** The command named by the first words of argv (the longest match), and the arguments after its name. */
export function findCommand(commands: Command[], argv: string[]): { command: Command; rest: string[] } | null {
  let best: { command: Command; rest: string[] } | null = null;
  for (const command of commands) {
    const words = command.name.split(' ');
    if (words.every((w, i) => argv[i] === w) && (!best || words.length > best.command.name.split(' ').length)) {
      best = { command, rest: argv.slice(words.length) };
    }
  }
  return best;
}
