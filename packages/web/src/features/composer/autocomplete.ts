/** What the composer completes: `@handle` anywhere, `/command` at the start of the message. */
export interface Trigger {
  kind: 'mention' | 'command';
  /** What was typed after the `@` or `/`. */
  query: string;
  /** Where the `@` or `/` is. */
  start: number;
}

export interface Suggestion {
  /** What replaces the trigger (without the trailing space). */
  insert: string;
  label: string;
  detail: string;
  agent: boolean;
}

/** The completion being typed at `caret`, if any. */
export function findTrigger(text: string, caret: number): Trigger | null {
  const before = text.slice(0, caret);
  const command = /^\/([a-z0-9_-]*)$/i.exec(before);
  if (command) return { kind: 'command', query: command[1] ?? '', start: 0 };
  const mention = /(^|[\s(])@([\w.-]*)$/.exec(before);
  if (mention) return { kind: 'mention', query: mention[2] ?? '', start: before.length - (mention[2] ?? '').length - 1 };
  return null;
}

/** The text with the trigger replaced by the suggestion and a space, and where the caret goes. */
export function applySuggestion(text: string, caret: number, trigger: Trigger, suggestion: Suggestion): { text: string; caret: number } {
  const inserted = `${suggestion.insert} `;
  const next = text.slice(0, trigger.start) + inserted + text.slice(caret).replace(/^ /, '');
  return { text: next, caret: trigger.start + inserted.length };
}

/** Candidates whose handle or name starts with the query (any word of the name), best first, at most `limit`. */
export function rankSuggestions(candidates: readonly Suggestion[], query: string, limit = 8): Suggestion[] {
  const q = query.toLowerCase();
  const score = (s: Suggestion) => {
    const handle = s.insert.slice(1).toLowerCase();
    if (handle.startsWith(q)) return 0;
    if (s.label.toLowerCase().split(/\s+/).some((w) => w.startsWith(q))) return 1;
    return handle.includes(q) ? 2 : 3;
  };
  return candidates
    .map((s) => ({ s, score: score(s) }))
    .filter((x) => x.score < 3)
    .sort((a, b) => a.score - b.score || a.s.insert.localeCompare(b.s.insert))
    .slice(0, limit)
    .map((x) => x.s);
}
