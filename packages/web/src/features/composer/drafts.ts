/** Unsent text per channel (and thread), kept in localStorage so it survives switching channels and reloads. */
const prefix = 'chorus.draft.';

export function loadDraft(key: string): string {
  return localStorage.getItem(prefix + key) ?? '';
}

export function saveDraft(key: string, text: string): void {
  if (text) localStorage.setItem(prefix + key, text);
  else localStorage.removeItem(prefix + key);
}
