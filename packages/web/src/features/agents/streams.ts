import { useEffect, useSyncExternalStore } from 'react';
import type { ChorusSocket, MessageView } from '@chorus/sdk';
import { useStore } from '../../app/workspace/provider.js';
import type { WorkspaceStore } from '../../app/workspace/workspace-store.js';

/**
 * The chunks of open streamed replies, from the socket's `stream` frames. Chunks are not stored by
 * the server (a refetch gives only the opening body) and frames are never replayed, so they are kept
 * from the moment the workspace shows a channel, for every message, before any pane shows it.
 * The opening body is chunk 1 (`message.body`); the text shown is the body and the following chunks
 * while they are contiguous — a gap waits for the final text, which comes as `message.edited`.
 */
export class StreamTexts {
  readonly #chunks = new Map<string, string[]>();
  readonly #listeners = new Set<() => void>();
  #socket: ChorusSocket | null = null;
  #off: (() => void) | null = null;
  #version = 0;

  constructor(private readonly store: WorkspaceStore) {}

  /** Listens to the store's socket (again, when it was replaced). */
  attach(): void {
    const socket = this.store.socket;
    if (!socket || socket === this.#socket) return;
    this.#off?.();
    this.#socket = socket;
    this.#off = socket.on('stream', (frame) => { this.#chunk(frame.message_id, frame.index, frame.text); });
  }

  readonly subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => { this.#listeners.delete(listener); };
  };

  readonly version = (): number => this.#version;

  /** The text so far of an open stream: its body, then the contiguous chunks after it. */
  text(message: MessageView): string {
    const chunks = this.#chunks.get(message.id);
    let text = message.body;
    for (let i = 2, chunk = chunks?.[i]; chunk !== undefined; chunk = chunks?.[++i]) text += chunk;
    return text;
  }

  #chunk(messageId: string, index: number, text: string): void {
    if (index < 2) return;
    const chunks = this.#chunks.get(messageId) ?? [];
    chunks[index] = text;
    this.#chunks.set(messageId, chunks);
    this.#version += 1;
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

/** Starts keeping stream chunks for the workspace (called where a channel is shown). */
export function useFollowStreams(): void {
  const store = useStore();
  useEffect(() => { streamTexts(store); });
}

/** The live text of a message while its stream is open; its body otherwise. */
export function useStreamText(store: WorkspaceStore, message: MessageView): string {
  const t = streamTexts(store);
  useSyncExternalStore(t.subscribe, t.version);
  return message.stream === 'open' ? t.text(message) : message.body;
}
