/** What a `chorus` command's exit status means (docs/BACKUP.md lists them for scripts). */
export const exitCodes = {
  ok: 0,
  /** Something failed that should not have: the message says what. */
  failed: 1,
  /** The command line was wrong: see --help. */
  usage: 2,
  /** The request was understood and refused: no such org or channel, a damaged archive, a target that is not empty. */
  refused: 3,
} as const;

/** An error the command reports in one line and answers with its exit code. */
export class CommandError extends Error {
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
  }
}
