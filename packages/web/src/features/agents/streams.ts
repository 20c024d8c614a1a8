import { useEffect, useSyncExternalStore } from 'react';
import type { MessageView } from '@chorus/sdk';
import type { WorkspaceStore } from '../../app/workspace/workspace-store.js';

/** What a streamed reply shows so far: its text and the index of the last chunk appended. */
interface Live {
  text: string;
  index: number;
}

/**
 * The text of open streamed replies, grown by the socket's `stream` frames (not events: never replayed).
 * The opening body is chunk 1 (`message.body` when the message arrived). A gap in the indices (a chunk
 * missed, e.g. while the pane was closed) is repaired by refetching the message, whose `body` holds the
 * text so far. The final text comes as `message.edited` (stream `ended`): the message body then wins.
 */
export class StreamTexts {
  readonly #live = new Map<string, Live>();
  readonly #listeners = new Set<() => void>();
  #detach: (() => void) | null = null;

  constructor(private readonly store: WorkspaceStore) {}

  /** Listens to the store's socket (again, if it was replaced). */
  attach(): void {
    const socket = this.store.socket;
    if (!socket || this.#detach) return;
    const off = socket.on('stream', (frame) => { this.#chunk(frame.channel_id, frame.message_id, frame.index, frame.text); });
    this.#detach = () => { off(); this.#detach = null; };
  }

  readonly subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => { this.#listeners.delete(listener); };
  };

  /** The text so far of an open stream (at least the body the message arrived with). */
  text(message: MessageView): string {
    const live = this.#live.get(message.id);
    return live && live.text.length >= message.body.length ? live.text : message.body;
  }

  #chunk(channelId: string, messageId: string, index: number, text: string): void {
    const held = this.store.getSnapshot().ws.channels[channelId]?.messages[messageId];
    // The opening body (chunk 1) is the body the message arrived with.
    const live = this.#live.get(messageId) ?? (held?.stream === 'open' ? { text: held.body, index: 1 } : undefined);
    if (live && index === live.index + 1) this.#set(messageId, { text: live.text + text, index });
    else if (!live || index > live.index + 1) void this.#repair(messageId, index);
  }

  /** Refetches the body so far after a gap; chunks that arrive meanwhile are kept in order by index. */
  async #repair(messageId: string, index: number): Promise<void> {
    try {
      const { message } = await this.store.rest.message(messageId);
      const live = this.#live.get(messageId);
      if (!live || live.index < index) this.#set(messageId, { text: message.body, index });
    } catch {
      // The final text arrives as message.edited anyway.
    }
  }

  #set(messageId: string, live: Live): void {
    this.#live.set(messageId, live);
    for (const l of this.#listeners) l();
  }
}

const texts = new WeakMap<WorkspaceStore, StreamTexts>();

export function streamTexts(store: WorkspaceStore): StreamTexts {
  let t = texts.get(store);
  if (!t) {
    t = new StreamTexts(store);
    texts.set(store, t);
  }
  t.attach();
  return t;
}

/** The live text of a message while its stream is open; its body otherwise. */
export function useStreamText(store: WorkspaceStore, message: MessageView): string {
  const t = streamTexts(store);
  useEffect(() => { t.attach(); }, [t]);
  const text = useSyncExternalStore(t.subscribe, () => t.text(message));
  return message.stream === 'open' ? text : message.body;
}
