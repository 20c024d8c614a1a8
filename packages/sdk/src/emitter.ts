type Listener = (...args: never[]) => void;

/** A minimal typed event emitter, so the SDK runs the same in browsers and Node. */
export class Emitter<Events extends Record<string, unknown[]>> {
  readonly #listeners = new Map<keyof Events, Set<Listener>>();

  /** Adds a listener; returns a function that removes it. */
  on<K extends keyof Events>(name: K, listener: (...args: Events[K]) => void): () => void {
    const set = this.#listeners.get(name) ?? new Set<Listener>();
    const stored = listener as unknown as Listener;
    set.add(stored);
    this.#listeners.set(name, set);
    return () => set.delete(stored);
  }

  protected emit<K extends keyof Events>(name: K, ...args: Events[K]): void {
    for (const listener of this.#listeners.get(name) ?? []) (listener as unknown as (...a: Events[K]) => void)(...args);
  }
}
