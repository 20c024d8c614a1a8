/**
 * The bundle's shared budget, filled in priority order: messages (the thread,
 * pins, history) count one each towards `maxMessages`; every body, docs'
 * included, counts its characters towards `maxChars`.
 */
export class Budget {
  messages = 0;
  chars = 0;
  constructor(
    readonly maxMessages: number,
    readonly maxChars: number,
  ) {}

  /** Takes a message if it fits. */
  fits(m: { body: string }): boolean {
    if (this.messages + 1 > this.maxMessages || this.chars + m.body.length > this.maxChars) return false;
    this.messages += 1;
    this.chars += m.body.length;
    return true;
  }

  /** Takes a doc's body if it fits whole. */
  fitsText(text: string): boolean {
    if (this.chars + text.length > this.maxChars) return false;
    this.chars += text.length;
    return true;
  }

  /** Takes as much of `text` as is left (the guide, which is served even when cut). */
  cut(text: string): string {
    const taken = text.slice(0, Math.max(0, this.maxChars - this.chars));
    this.chars += taken.length;
    return taken;
  }

  /** The longest prefix of `rows` that fits; a section stops at its first message that does not. */
  takeWhile<T extends { body: string }>(rows: T[]): T[] {
    const taken: T[] = [];
    for (const row of rows) {
      if (!this.fits(row)) break;
      taken.push(row);
    }
    return taken;
  }
}
