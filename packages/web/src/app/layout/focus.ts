import { useEffect, useLayoutEffect, useRef, type RefObject } from 'react';

/** Focuses `el`; an element inside a message (whose actions show only while it holds focus) via the message first. */
function focusBack(el: HTMLElement): boolean {
  if (!el.isConnected) return false;
  el.closest<HTMLElement>('article[tabindex]')?.focus({ preventScroll: true });
  el.focus();
  return document.activeElement === el;
}

const focusIsLost = () => document.activeElement === null || document.activeElement === document.body;

/**
 * Where focus goes as the right-hand panel and the phone drawer open and close:
 * - a panel that opens takes focus (its heading, unless its content focused something, as the
 *   thread's composer does); when it closes, focus returns to what opened it (or, for a thread,
 *   to its root message), else to the main column;
 * - the drawer moves focus to its first control when it opens, and back to the menu button when it
 *   closes with focus inside it.
 */
export function usePanelFocus(panelKey: string | null, drawer: boolean): { panelRef: RefObject<HTMLElement | null>; menuRef: RefObject<HTMLButtonElement | null> } {
  const panelRef = useRef<HTMLElement>(null);
  const menuRef = useRef<HTMLButtonElement>(null);
  const opener = useRef<HTMLElement | null>(null);
  const previous = useRef<string | null>(null);

  useLayoutEffect(() => {
    const before = previous.current;
    previous.current = panelKey;
    if (panelKey !== null && before === null) {
      // Still the element that asked for the panel: the panel's own effects have not moved focus yet.
      const active = document.activeElement;
      opener.current = active instanceof HTMLElement && active !== document.body && !panelRef.current?.contains(active) ? active : null;
    }
    if (panelKey === null && before !== null && focusIsLost()) {
      const threadRoot = before.startsWith('thread:') ? document.querySelector<HTMLElement>(`article[data-message-id="${CSS.escape(before.slice(7))}"]`) : null;
      if (!(opener.current && focusBack(opener.current)) && !(threadRoot && focusBack(threadRoot))) document.getElementById('main')?.focus();
      opener.current = null;
    }
  }, [panelKey]);

  useEffect(() => {
    if (panelKey === null) return;
    const panel = panelRef.current;
    if (panel && !panel.contains(document.activeElement)) panel.querySelector<HTMLElement>('#panel-title')?.focus();
  }, [panelKey]);

  useEffect(() => {
    const sidebar = document.getElementById('sidebar');
    if (drawer) {
      // After the drawer becomes visible (it is hidden, so unfocusable, while closed).
      requestAnimationFrame(() => { sidebar?.querySelector<HTMLElement>('select, button, a[href]')?.focus(); });
    } else if (sidebar?.contains(document.activeElement) && getComputedStyle(sidebar).position === 'fixed') {
      menuRef.current?.focus();
    }
  }, [drawer]);

  return { panelRef, menuRef };
}
