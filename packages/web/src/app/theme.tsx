import { useEffect, useState } from 'react';

export type ThemeChoice = 'system' | 'light' | 'dark';
const key = 'chorus.theme';

/**
 * Light and dark themes: the system's preference (prefers-color-scheme, in CSS)
 * unless the person picked one; the pick sets `data-theme` on <html>.
 */
export function useTheme(): [ThemeChoice, (choice: ThemeChoice) => void] {
  const [choice, setChoice] = useState<ThemeChoice>(() => (localStorage.getItem(key) as ThemeChoice | null) ?? 'system');
  useEffect(() => {
    if (choice === 'system') {
      delete document.documentElement.dataset.theme;
      localStorage.removeItem(key);
    } else {
      document.documentElement.dataset.theme = choice;
      localStorage.setItem(key, choice);
    }
  }, [choice]);
  return [choice, setChoice];
}

/** Applies a stored choice before React renders, so the page does not flash. */
export function applyStoredTheme(): void {
  const stored = localStorage.getItem(key);
  if (stored === 'light' || stored === 'dark') document.documentElement.dataset.theme = stored;
}
