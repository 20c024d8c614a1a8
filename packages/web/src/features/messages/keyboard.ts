import type { KeyboardEvent } from 'react';

/** What a screen reader is told a message list does with keys (the lists' aria-describedby). */
export const messageListHint = 'Up and down arrows move between messages; Tab from a message reaches its actions.';

/**
 * ↑/↓ in a message list (the channel's, virtualised, or a thread's): from the list itself, to the
 * last (↑) or first (↓) message in view; from a message, to the one before or after it. Only
 * rendered messages are candidates, which is enough: the virtualiser keeps neighbours rendered
 * (overscan), and focusing one scrolls it into view, which renders the next.
 */
export function onMessageListKey(event: KeyboardEvent<HTMLElement>): void {
  if (event.key !== 'ArrowUp' && event.key !== 'ArrowDown') return;
  const list = event.currentTarget;
  const target = event.target as HTMLElement;
  const fromMessage = target.matches('article[data-message-id]');
  if (target !== list && !fromMessage) return; // keys inside a message's controls are theirs
  const messages = [...list.querySelectorAll<HTMLElement>('article[data-message-id]')]
    .sort((a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top);
  if (messages.length === 0) return;
  let next: HTMLElement | undefined;
  if (fromMessage) {
    const at = messages.indexOf(target);
    next = messages[event.key === 'ArrowUp' ? at - 1 : at + 1];
  } else {
    const view = list.getBoundingClientRect();
    const inView = messages.filter((m) => { const r = m.getBoundingClientRect(); return r.bottom > view.top && r.top < view.bottom; });
    next = event.key === 'ArrowUp' ? inView.at(-1) ?? messages.at(-1) : inView[0] ?? messages[0];
  }
  if (!next) return;
  event.preventDefault();
  next.focus({ preventScroll: true });
  next.scrollIntoView({ block: 'nearest' });
}
