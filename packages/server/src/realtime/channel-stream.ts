import type { ChannelEvent } from '@chorus/protocol/events';

/** A connection's interest in one channel, as a stream delivers to it. */
export interface StreamSubscriber {
  /** Highest seq delivered to this subscriber; it never receives a seq at or below it. */
  delivered: number;
  /** Lowest seq it may ever see (history_for_new_members = since_join). */
  floor: number;
  /** Sends one event, already framed (encoded once, shared by every subscriber). */
  deliver(event: ChannelEvent, frame: Buffer): void;
  /** The gap is too large to replay: tell the client to refetch the channel. */
  resync(seq: number, reason: 'gap_too_old' | 'cursor_ahead'): void;
}

/**
 * Whether the subscriber may see the event: it comes after its floor, and it
 * does not carry a message from below the floor (an edit or deletion of hidden
 * history would reveal what `since_join` hides).
 */
function visibleTo(sub: StreamSubscriber, event: ChannelEvent): boolean {
  if (event.seq <= sub.floor) return false;
  if (event.type === 'message.edited' || event.type === 'message.deleted') return event.payload.message.seq > sub.floor;
  return true;
}

export interface StreamSource {
  /** Committed events of the channel in (after, upTo]. */
  read(after: number, upTo: number): Promise<ChannelEvent[]>;
  /** The channel's committed head seq. */
  head(): Promise<number>;
}

export interface StreamHooks<S extends StreamSubscriber> {
  /** Called for each event in order, before fan-out, so membership changes can add or drop subscribers. */
  beforeDispatch(stream: ChannelStream<S>, event: ChannelEvent): void;
  afterDispatch(stream: ChannelStream<S>, event: ChannelEvent): void;
  frame(event: ChannelEvent): Buffer;
  /** Loads what `mayRead` needs to judge these events; runs before they are delivered, in the stream's queue. */
  prepare?(stream: ChannelStream<S>, events: readonly ChannelEvent[]): Promise<void>;
  /** Whether this subscriber may read what the event carries (the channel's read rules), beyond its floor. */
  mayRead?(stream: ChannelStream<S>, sub: S, event: ChannelEvent): boolean;
}

/**
 * One channel's events on one node, delivered exactly once and in seq order to
 * every local subscriber. Bus events may arrive late, twice or out of order
 * (several nodes, several transactions); everything at or below `head` is
 * dropped, and a gap is filled from the channel's committed event log before
 * anything after it is delivered. All work for the channel runs on one queue,
 * so replays for resuming subscribers and live dispatch never interleave.
 */
export class ChannelStream<S extends StreamSubscriber> {
  readonly subscribers = new Set<S>();
  /** Highest seq dispatched in order on this node; null until known. */
  head: number | null;
  #queue: Promise<void> = Promise.resolve();
  #pendingReplays: { sub: S; maxReplay: number }[] = [];
  /** Bus events not yet dispatched; a group commit's events for the channel are dispatched as one batch. */
  #incoming: ChannelEvent[] = [];

  constructor(
    readonly channelId: string,
    readonly orgId: string,
    private readonly source: StreamSource,
    private readonly hooks: StreamHooks<S>,
    knownHead: number | null,
    private readonly onError: (err: unknown) => void,
  ) {
    this.head = knownHead;
  }

  #enqueue(task: () => Promise<void> | void): Promise<void> {
    const run = this.#queue.then(task).catch(this.onError);
    this.#queue = run;
    return run;
  }

  async #ensureHead(): Promise<number> {
    this.head ??= await this.source.head();
    return this.head;
  }

  /**
   * A committed event from the bus. Events that arrive while the stream is
   * busy are dispatched together: one gap check, one `prepare`, in seq order.
   */
  push(event: ChannelEvent): void {
    this.#incoming.push(event);
    if (this.#incoming.length > 1) return; // a drain is already queued and will take this one too
    void this.#enqueue(async () => {
      const arrived = this.#incoming;
      this.#incoming = [];
      const head = await this.#ensureHead();
      const fresh = arrived.filter((e) => e.seq > head).sort((x, y) => x.seq - y.seq);
      const last = fresh.at(-1);
      if (!last) return;
      // Anything missing below the newest event (another node's commit not yet here, a lost bus message) comes from the log.
      const contiguous = fresh.every((e, i) => e.seq === head + 1 + i);
      const batch = contiguous ? fresh : await this.source.read(head, last.seq);
      await this.hooks.prepare?.(this, batch);
      for (const e of batch) this.#dispatch(e);
    });
  }

  #dispatch(event: ChannelEvent): void {
    if (this.head !== null && event.seq <= this.head) return;
    this.head = event.seq;
    this.hooks.beforeDispatch(this, event);
    // History opened to all: nobody's floor hides anything from now on, as for REST.
    if (event.type === 'channel.updated' && event.payload.channel.settings.history_for_new_members === 'all') for (const sub of this.subscribers) sub.floor = 0;
    const frame = this.hooks.frame(event);
    for (const sub of this.subscribers) {
      if (event.seq > sub.delivered) {
        sub.delivered = event.seq;
        if (this.#visible(sub, event)) sub.deliver(event, frame);
      }
    }
    this.hooks.afterDispatch(this, event);
  }

  /**
   * Adds a subscriber that has seen everything up to `sub.delivered`, and
   * replays what it missed up to the head before it receives live events.
   * Replays queued together are served by one read of the log.
   */
  attach(sub: S, maxReplay: number): Promise<void> {
    this.#pendingReplays.push({ sub, maxReplay });
    return this.#enqueue(async () => {
      const batch = this.#pendingReplays;
      this.#pendingReplays = [];
      if (batch.length === 0) return;
      const head = await this.#ensureHead();
      const needs: S[] = [];
      for (const { sub: s, maxReplay: max } of batch) {
        const from = Math.max(s.delivered, s.floor);
        if (from > head) {
          s.delivered = head;
          s.resync(head, 'cursor_ahead');
        } else if (head - from > max) {
          s.delivered = head;
          s.resync(head, 'gap_too_old');
        } else {
          s.delivered = from;
          needs.push(s);
        }
        this.subscribers.add(s);
      }
      if (needs.length === 0) return;
      const from = Math.min(...needs.map((s) => s.delivered));
      const events = await this.source.read(from, head);
      await this.hooks.prepare?.(this, events);
      for (const event of events) {
        const frame = this.hooks.frame(event);
        for (const s of needs) {
          if (event.seq > s.delivered && this.subscribers.has(s)) {
            s.delivered = event.seq;
            if (this.#visible(s, event)) s.deliver(event, frame);
          }
        }
      }
      // Everything up to the head was committed before we read it; the log had it all.
      for (const s of needs) if (s.delivered < head) s.delivered = head;
    });
  }

  #visible(sub: S, event: ChannelEvent): boolean {
    return visibleTo(sub, event) && (this.hooks.mayRead?.(this, sub, event) ?? true);
  }

  /** Adds a subscriber that starts exactly at `event` (a member.joined being dispatched now). */
  attachAt(sub: S): void {
    this.subscribers.add(sub);
  }

  detach(sub: S): void {
    this.subscribers.delete(sub);
  }

  get idle(): boolean {
    return this.subscribers.size === 0 && this.#pendingReplays.length === 0;
  }
}
