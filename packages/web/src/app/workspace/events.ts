import { useEffect, useRef } from 'react';
import type { ChannelEvent, ChannelEventType } from '@chorus/sdk';
import { useStore } from './provider.js';
import { useWorkspaceSelector } from './hooks.js';

/**
 * Calls `onEvent` for each socket event of the given types (in `channelId`, or any channel with null).
 * For data kept outside the message state (pins, docs, tasks, experience): a feature fetches it, then
 * refreshes or patches it on its events. Resubscribes when the socket is replaced (a new session).
 *
 * @example
 * useChannelEvents(channelId, ['pin.added', 'pin.removed'], () => { void reload(); });
 */
export function useChannelEvents(channelId: string | null, types: readonly ChannelEventType[], onEvent: (event: ChannelEvent) => void): void {
  const store = useStore();
  const ready = useWorkspaceSelector((v) => v.ready);
  const handler = useRef(onEvent);
  handler.current = onEvent;
  const key = types.join(' ');
  useEffect(() => {
    const socket = store.socket;
    if (!socket) return;
    const wanted = new Set(key.split(' '));
    return socket.on('event', (event) => {
      if (wanted.has(event.type) && (channelId === null || event.channel_id === channelId)) handler.current(event);
    });
  }, [store, ready, channelId, key]);
}
