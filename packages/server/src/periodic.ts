/**
 * Runs `task` every `seconds` (0: never), one run at a time: a tick that finds
 * the previous run still going is skipped. A failure goes to `onError` and the
 * next tick tries again. The timer does not keep the process alive; `stop()`
 * clears it and waits for a run in progress.
 */
export function every(seconds: number, task: () => Promise<unknown>, onError: (err: unknown) => void): { stop(): Promise<void> } {
  if (seconds === 0) return { stop: () => Promise.resolve() };
  let running: Promise<unknown> = Promise.resolve();
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    running = task()
      .catch(onError)
      .finally(() => {
        busy = false;
      });
  }, seconds * 1000);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
