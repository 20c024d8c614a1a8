import type { KeyboardEvent } from 'react';

/**
 * Roving focus for a toolbar (the WAI-ARIA toolbar pattern): the toolbar is one Tab stop, and
 * ←/→ (Home/End) move between its buttons. Give the first button tabIndex 0 and the others -1;
 * this moves the 0 along with the focus, so Tab comes back to the button last used.
 */
export function onToolbarKey(event: KeyboardEvent<HTMLElement>): void {
  const buttons = [...event.currentTarget.querySelectorAll<HTMLElement>('button:not([disabled])')];
  const at = buttons.indexOf(document.activeElement as HTMLElement);
  if (at < 0 || buttons.length === 0) return;
  const last = buttons.length - 1;
  const to = event.key === 'ArrowRight' ? (at === last ? 0 : at + 1)
    : event.key === 'ArrowLeft' ? (at === 0 ? last : at - 1)
    : event.key === 'Home' ? 0
    : event.key === 'End' ? last
    : null;
  if (to === null) return;
  event.preventDefault();
  for (const [i, b] of buttons.entries()) b.tabIndex = i === to ? 0 : -1;
  buttons[to]?.focus();
}
