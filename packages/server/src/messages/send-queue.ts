import { mutate, type AppContext } from '../context.js';
import { AppError } from '../http/errors.js';
import { writeSends, type SendOutcome, type SendRequest } from './send-batch.js';

interface Pending {
  request: SendRequest;
  resolve: (outcome: SendOutcome) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit for sends. Sends that arrive while a batch is being written
 * wait and go together in the next transaction, so under load one commit
 * carries many messages; with no load a send is written at once, alone. No
 * timer decides a batch: it is whatever queued while the previous one was
 * writing.
 *
 * One writer at a time while few sends wait. A second one beside it would
 * split what queues into two small batches, each paying a whole
 * transaction's round trips and commit, and the two would queue for the
 * org's audit chain anyway (measured on 2 cores at 500 messages/s: a quarter
 * less PostgreSQL CPU with one writer, and a lower p50; docs/PERFORMANCE.md). Two once
 * `splitAt` sends wait: batches are large then, and one writer's work in
 * Node overlaps the other's in PostgreSQL. And a batch still writing after
 * `stallMs` is waiting for something (a channel locked by a long change) and
 * stops counting: another writer starts, so one busy channel never holds up
 * the node's other sends.
 *
 * Batches written at the same time never share a channel. A batch holds its
 * channels' locks until it commits, so a second batch with one channel in
 * common would wait that long holding the locks of all its others; instead a
 * send to a channel being written waits in the queue (where it would have
 * waited for the lock anyway) and the other writer takes the channels that
 * are free. A channel's sends still go in arrival order, one batch at a time.
 */
export class SendQueue {
  #pending: Pending[] = [];
  #active = 0;
  /** Batches writing for longer than `stallMs`: they no longer count against `writers`. */
  #stalled = 0;
  /** Channels of the batches being written. */
  readonly #writing = new Set<string>();
  #idle: (() => void)[] = [];
  #unsettled = 0;

  constructor(
    private readonly ctx: AppContext,
    private readonly maxBatch = 500,
    private readonly writers = 1,
    private readonly splitAt = 64,
    private readonly stallMs = 100,
    /** However many are stalled, at most this many transactions (pool connections) write sends. */
    private readonly maxWriters = 4,
  ) {}

  submit(request: SendRequest): Promise<SendOutcome> {
    const timer = this.ctx.metrics?.sendLatency.startTimer();
    this.#unsettled += 1;
    const sent = new Promise<SendOutcome>((resolve, reject) => {
      this.#pending.push({ request, resolve, reject });
      this.#pump();
    });
    sent.then(
      (outcome) => {
        this.#unsettled -= 1;
        timer?.({ outcome: outcome.kind });
      },
      () => {
        this.#unsettled -= 1;
        timer?.({ outcome: 'error' });
      },
    );
    return sent;
  }

  /** Sends submitted and not yet written: waiting for a batch, or in one being written (a metric). */
  get depth(): number {
    return this.#unsettled;
  }

  /** Resolves once every send submitted so far is written (or failed): graceful shutdown waits for it. */
  drain(): Promise<void> {
    if (this.#active === 0 && this.#pending.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  #pump(): void {
    while (this.#active - this.#stalled < this.#writersNow() && this.#active < this.maxWriters && this.#pending.length > 0) {
      const batch = this.#take();
      if (batch.length === 0) break; // every waiting send is for a channel being written
      const channels = new Set(batch.map((p) => p.request.channelId));
      for (const id of channels) this.#writing.add(id);
      this.#active += 1;
      let stalled = false;
      const stall = setTimeout(() => {
        stalled = true;
        this.#stalled += 1;
        this.#pump();
      }, this.stallMs);
      void this.#write(batch).finally(() => {
        clearTimeout(stall);
        if (stalled) this.#stalled -= 1;
        for (const id of channels) this.#writing.delete(id);
        this.#active -= 1;
        this.#pump();
      });
    }
    if (this.#active === 0 && this.#pending.length === 0) for (const resolve of this.#idle.splice(0)) resolve();
  }

  /** Writers that may write now, not counting stalled ones: one more while many sends wait. */
  #writersNow(): number {
    return this.#pending.length >= this.splitAt ? this.writers + 1 : this.writers;
  }

  /**
   * The next batch: waiting sends, oldest first, to channels no batch is
   * writing, up to the batch size. A channel being written keeps all its
   * sends waiting, and a full batch leaves every later send, so each
   * channel's sends are written in the order they came.
   */
  #take(): Pending[] {
    const batch: Pending[] = [];
    const rest: Pending[] = [];
    for (const p of this.#pending) {
      if (batch.length < this.maxBatch && !this.#writing.has(p.request.channelId)) batch.push(p);
      else rest.push(p);
    }
    this.#pending = rest;
    return batch;
  }

  async #write(batch: Pending[]): Promise<void> {
    try {
      const outcomes = await mutate(this.ctx, (m) => writeSends(m, batch.map((p) => p.request)));
      batch.forEach((p, i) => {
        p.resolve(outcomes[i] ?? { kind: 'refused', error: new AppError(500, 'internal_error', 'Something went wrong on the server.') });
      });
    } catch (error) {
      if (batch.length === 1) {
        batch[0]?.reject(error);
        return;
      }
      // Something in the batch failed the whole transaction (a constraint, a deadlock):
      // write each send on its own, so only the one at fault fails.
      this.ctx.log.warn({ err: error, size: batch.length }, 'send batch failed; retrying one by one');
      for (const p of batch) await this.#write([p]);
    }
  }
}

const queues = new WeakMap<AppContext, SendQueue>();

/** The process's send queue for this context. */
export function sendQueue(ctx: AppContext): SendQueue {
  let queue = queues.get(ctx);
  if (!queue) {
    queue = new SendQueue(ctx);
    queues.set(ctx, queue);
  }
  return queue;
}
