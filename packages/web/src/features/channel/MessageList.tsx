import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { MessageView } from '@chorus/sdk';
import { MessageItem } from '../messages/MessageItem.js';
import { withoutCollapsedSteps } from '../agents/Reasoning.js';
import { buildRows } from './rows.js';
import { messageListHint, onMessageListKey } from '../messages/keyboard.js';

export interface MessageListProps {
  label: string;
  messages: readonly MessageView[];
  /** The seq read up to when the channel was opened (the divider goes after it); null for none. */
  lastReadSeq: number | null;
  me: string | null;
  hasMoreBefore: boolean;
  loadingOlder: boolean;
  onLoadOlder: () => void;
  /** Called once the first page is on screen (for the performance figures). */
  onFirstPaint?: () => void;
}

const nearBottomPx = 80;

/**
 * The channel's history, virtualised: only the rows near the viewport are in
 * the DOM, so a channel of any length scrolls smoothly. It sticks to the bottom
 * while the reader is there, keeps the reader's place when older pages are
 * prepended, asks for the older page as the top comes near, and offers
 * "jump to latest" when the reader has scrolled up.
 */
export function MessageList(props: MessageListProps) {
  const { messages, lastReadSeq, me, hasMoreBefore, loadingOlder, onLoadOlder, onFirstPaint } = props;
  const scroller = useRef<HTMLDivElement>(null);
  // An agent's reasoning steps show collapsed under its reply (the reasoning footer), not as rows too.
  const rows = useMemo(() => buildRows(withoutCollapsedSteps(messages), lastReadSeq, me, !hasMoreBefore), [messages, lastReadSeq, me, hasMoreBefore]);
  const atBottom = useRef(true);
  const [showJump, setShowJump] = useState(false);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: (i) => (rows[i]?.kind === 'divider' ? 28 : rows[i]?.kind === 'message' && rows[i].compact ? 28 : 60),
    getItemKey: (i) => rows[i]?.key ?? i,
    overscan: 8,
    // Until the list is measured (and where nothing lays out, as in component tests).
    initialRect: { width: 800, height: 600 },
  });

  const scrollToEnd = useCallback(() => {
    if (rows.length > 0) virtualizer.scrollToIndex(rows.length - 1, { align: 'end' });
  }, [rows.length, virtualizer]);

  // Keep the reader's place when older messages are prepended; follow new ones when at the bottom.
  const firstKey = useRef<string | null>(null);
  const painted = useRef(false);
  useLayoutEffect(() => {
    const el = scroller.current;
    const first = rows[0]?.key ?? null;
    const previousFirst = firstKey.current;
    firstKey.current = first;
    if (!el || rows.length === 0) return;
    if (previousFirst !== null && previousFirst !== first) {
      const index = rows.findIndex((r) => r.key === previousFirst);
      const start = index > 0 ? virtualizer.measurementsCache[index]?.start : undefined;
      if (start !== undefined) {
        el.scrollTop += start;
        return;
      }
    }
    if (atBottom.current) scrollToEnd();
    if (!painted.current) {
      painted.current = true;
      onFirstPaint?.();
    }
  }, [rows, virtualizer, scrollToEnd, onFirstPaint]);

  const items = virtualizer.getVirtualItems();
  // Only part of the history is in the DOM: each message says where it sits among those loaded.
  const positions = useMemo(() => {
    const at = new Map<string, number>();
    for (const row of rows) if (row.kind === 'message') at.set(row.key, at.size + 1);
    return at;
  }, [rows]);
  const setSize = hasMoreBefore ? -1 : positions.size;
  const firstIndex = items[0]?.index ?? 0;
  useEffect(() => {
    if (firstIndex <= 3 && hasMoreBefore && !loadingOlder && rows.length > 0) onLoadOlder();
  }, [firstIndex, hasMoreBefore, loadingOlder, rows.length, onLoadOlder]);

  const onScroll = () => {
    const el = scroller.current;
    if (!el) return;
    const bottom = el.scrollHeight - el.scrollTop - el.clientHeight < nearBottomPx;
    atBottom.current = bottom;
    setShowJump(!bottom);
  };

  return (
    <div className="message-list-wrap">
      <div ref={scroller} className="message-list" role="log" aria-label={props.label} aria-describedby="message-list-hint" aria-busy={loadingOlder} tabIndex={0} onScroll={onScroll} onKeyDown={onMessageListKey}>
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative', width: '100%' }}>
          {items.map((item) => {
            const row = rows[item.index];
            if (!row) return null;
            return (
              <div key={item.key} data-index={item.index} ref={virtualizer.measureElement} className="row" style={{ position: 'absolute', top: 0, left: 0, width: '100%', transform: `translateY(${item.start}px)` }}>
                {row.kind === 'divider' ? <div className="unread-divider" role="separator" aria-label="New messages"><span>New messages</span></div>
                  : row.kind === 'start' ? <div className="history-start">This is the beginning of the conversation.</div>
                  : <MessageItem message={row.message} compact={row.compact} position={{ index: positions.get(row.key) ?? 0, size: setSize }} />}
              </div>
            );
          })}
        </div>
      </div>
      <p id="message-list-hint" className="visually-hidden">{messageListHint}</p>
      {loadingOlder && <div className="loading-older" role="status">Loading older messages…</div>}
      {showJump && (
        <button type="button" className="jump-latest" onClick={() => { atBottom.current = true; setShowJump(false); scrollToEnd(); }}>
          Jump to latest ↓
        </button>
      )}
    </div>
  );
}
