import { setQuery, useLocation } from './router.js';

/**
 * The right-hand panel is in the URL (`?panel=<kind>:<id>`), so it survives a
 * reload and can be linked. Which component shows a kind is `panels.tsx`.
 */
export interface OpenPanel {
  kind: string;
  id: string;
}

export function openPanel(kind: string, id: string): void {
  setQuery({ panel: `${kind}:${id}` });
}

export function closePanel(): void {
  setQuery({ panel: null });
}

export function usePanel(): OpenPanel | null {
  const { search } = useLocation();
  const raw = search.get('panel');
  if (!raw) return null;
  const at = raw.indexOf(':');
  return at > 0 ? { kind: raw.slice(0, at), id: raw.slice(at + 1) } : null;
}
