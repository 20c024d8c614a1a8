import { readdir } from 'node:fs/promises';
import type { Command } from './command.js';

const commandsDir = new URL('./commands/', import.meta.url);

/**
 * Every command: each file in `cli/commands/` (compiled `.js`, or `.ts` when run from the sources)
 * default-exports one. Adding a command is adding a file; nothing else lists them.
 */
export async function loadCommands(): Promise<Command[]> {
  const files = (await readdir(commandsDir)).filter((f) => /\.(js|ts)$/.test(f) && !/\.(test|d)\.(js|ts)$/.test(f)).sort();
  const commands: Command[] = [];
  for (const file of files) {
    const module = (await import(new URL(file, commandsDir).href)) as { default?: Command };
    if (!module.default?.name || typeof module.default.run !== 'function') throw new Error(`cli/commands/${file} does not export a command (export default defineCommand({...}))`);
    commands.push(module.default);
  }
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
