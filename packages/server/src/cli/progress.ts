import type { Progress } from '../export/exporter.js';
import type { Output } from './commands/run.js';

/**
 * A one-line progress bar on a terminal (stderr), redrawn at most every 100 ms;
 * nothing when stderr is not a TTY or output is --json.
 */
export function progressBar(stream: Output, enabled: boolean, verb: string): { update(p: Progress): void; done(): void } {
  if (!enabled || !stream.isTTY) return { update: () => undefined, done: () => undefined };
  let last = 0;
  let shown = false;
  const width = 30;
  return {
    update(p) {
      const now = Date.now();
      if (now - last < 100 && p.allDone < p.allTotal) return;
      last = now;
      const ratio = p.allTotal === 0 ? 1 : p.allDone / p.allTotal;
      const filled = Math.round(ratio * width);
      stream.write(`\r${verb} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${Math.floor(ratio * 100)}% ${p.entity} ${p.done}/${p.total}\x1b[K`);
      shown = true;
    },
    done() {
      if (shown) stream.write('\n');
    },
  };
}
