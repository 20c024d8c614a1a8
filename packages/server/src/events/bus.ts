import type { ChannelEvent } from '@chorus/protocol/events';
import type { Signal } from './signals.js';

export type EventListener = (event: ChannelEvent) => void;
export type SignalListener = (signal: Signal) => void;

/**
 * Carries committed channel events, and ephemeral signals, to every node's
 * listeners (the realtime gateway). In-process by default; the Redis bus shares
 * them between the nodes of a cluster behind the same interface.
 */
export interface EventBus {
  publish(events: readonly ChannelEvent[]): void;
  subscribe(listener: EventListener): () => void;
  signal(signal: Signal): void;
  onSignal(listener: SignalListener): () => void;
  close(): Promise<void>;
}

/** Fans out to this process's listeners; what both bus implementations deliver locally. */
export class LocalFanout {
  readonly #events = new Set<EventListener>();
  readonly #signals = new Set<SignalListener>();

  deliverEvents(events: readonly ChannelEvent[]): void {
    for (const event of events) {
      for (const listener of this.#events) listener(event);
    }
  }

  deliverSignal(signal: Signal): void {
    for (const listener of this.#signals) listener(signal);
  }

  subscribe(listener: EventListener): () => void {
    this.#events.add(listener);
    return () => this.#events.delete(listener);
  }

  onSignal(listener: SignalListener): () => void {
    this.#signals.add(listener);
    return () => this.#signals.delete(listener);
  }

  clear(): void {
    this.#events.clear();
    this.#signals.clear();
  }
}

export class InProcessBus implements EventBus {
  readonly #local = new LocalFanout();

  publish(events: readonly ChannelEvent[]): void {
    this.#local.deliverEvents(events);
  }

  subscribe(listener: EventListener): () => void {
    return this.#local.subscribe(listener);
  }

  signal(signal: Signal): void {
    this.#local.deliverSignal(signal);
  }

  onSignal(listener: SignalListener): () => void {
    return this.#local.onSignal(listener);
  }

  close(): Promise<void> {
    this.#local.clear();
    return Promise.resolve();
  }
}
