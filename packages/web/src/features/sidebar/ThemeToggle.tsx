import { useTheme, type ThemeChoice } from '../../app/theme.js';

const next: Record<ThemeChoice, ThemeChoice> = { system: 'light', light: 'dark', dark: 'system' };

export function ThemeToggle() {
  const [theme, setTheme] = useTheme();
  return (
    <button type="button" className="link-button" aria-label={`Theme: ${theme}. Switch to ${next[theme]}`} onClick={() => { setTheme(next[theme]); }}>
      Theme: {theme}
    </button>
  );
}
