import type { ChannelEvent } from './catalogue.js';

export type EventListener = (event: ChannelEvent) => void;

/**
 * Carries committed channel events to whoever listens on this node (the
 * realtime gateway). In-process by default; a Redis-backed bus shares events
 * between nodes of a cluster behind the same interface.
 */
export interface EventBus {
  publish(events: readonly ChannelEvent[]): void;
  subscribe(listener: EventListener): () => void;
  close(): Promise<void>;
}

export class InProcessBus implements EventBus {
  readonly #listeners = new Set<EventListener>();

  publish(events: readonly ChannelEvent[]): void {
    for (const event of events) {
      for (const listener of this.#listeners) listener(event);
    }
  }

  subscribe(listener: EventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  close(): Promise<void> {
    this.#listeners.clear();
    return Promise.resolve();
  }
}
