import { sql } from 'kysely';
import type { AppContext } from '../context.js';
import type { WebhookDelivery } from '../db/schema.js';
import { guardedFetch, requestFailure, type Fetch } from '../outbound/fetch.js';
import { OutboundRules } from '../outbound/rules.js';
import { signBody } from './signing.js';

/**
 * The delivery worker: takes due deliveries from the `webhook_deliveries`
 * outbox and POSTs them, each on its own (a hanging or failing endpoint holds
 * only its own delivery). A delivery is claimed with `FOR UPDATE SKIP LOCKED`
 * and leased by pushing its `next_attempt_at` past the request timeout, so
 * several nodes never send the same attempt, and a node that dies mid-flight
 * leaves the delivery due again when the lease runs out. Requests go out
 * through the outbound guard (outbound/): no internal address unless the
 * operator allows it.
 */

/** The delay before retry `attempt + 1`: base × 3^(attempt−1), with half of it random (jitter). */
export function retryDelayMs(baseMs: number, attempt: number, random = Math.random): number {
  const delay = baseMs * 3 ** Math.max(0, attempt - 1);
  return Math.round(delay / 2 + random() * (delay / 2));
}

/** What the receiving endpoint gets: the event, with the delivery's id as its idempotency key. */
export function deliveryBody(d: Pick<WebhookDelivery, 'id' | 'event' | 'org_id' | 'agent_id' | 'created_at' | 'payload'>): string {
  return JSON.stringify({ id: d.id, type: d.event, created_at: d.created_at.toISOString(), org_id: d.org_id, agent_id: d.agent_id, data: d.payload });
}

/** Claims up to `limit` due deliveries for one attempt each. */
async function claimDue(ctx: AppContext, limit: number): Promise<WebhookDelivery[]> {
  const leaseMs = ctx.config.webhooks.timeoutMs + 30_000;
  const claimed = await sql<WebhookDelivery>`
    update webhook_deliveries
       set attempts = attempts + 1,
           last_attempt_at = now(),
           next_attempt_at = now() + ${`${leaseMs} milliseconds`}::interval
     where id in (select id from webhook_deliveries
                   where status = 'pending' and next_attempt_at <= now()
                   order by next_attempt_at
                   limit ${limit}
                   for update skip locked)
    returning *`.execute(ctx.db);
  return claimed.rows;
}

/** One attempt: sign, POST with a timeout, record the outcome (only if the claim is still ours). */
async function attempt(ctx: AppContext, fetch: Fetch, d: WebhookDelivery): Promise<void> {
  const { timeoutMs, maxAttempts, retryBaseMs } = ctx.config.webhooks;
  const hook = await ctx.db
    .selectFrom('agent_webhooks')
    .innerJoin('members', 'members.id', 'agent_webhooks.agent_id')
    .select(['agent_webhooks.url', 'agent_webhooks.secret', 'members.status'])
    .where('agent_webhooks.agent_id', '=', d.agent_id)
    .executeTakeFirst();
  const started = Date.now();
  let responseStatus: number | null = null;
  let error: string | null = null;
  let final = false;
  if (!hook) {
    error = 'the agent has no webhook any more';
    final = true;
  } else if (hook.status !== 'active') {
    error = `the agent is ${hook.status}`;
    final = true;
  } else {
    const body = deliveryBody(d);
    const timestamp = Math.floor(Date.now() / 1000);
    try {
      const res = await fetch(hook.url, {
        method: 'POST',
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Chorus-Webhooks/1',
          'x-chorus-delivery': d.id,
          'x-chorus-event': d.event,
          'x-chorus-timestamp': String(timestamp),
          'x-chorus-signature': signBody(hook.secret, timestamp, body),
        },
        body,
      });
      responseStatus = res.status;
      await res.body?.cancel();
      if (res.status < 200 || res.status >= 300) error = `the endpoint answered HTTP ${res.status}`;
    } catch (err) {
      const name = err instanceof Error ? err.name : '';
      error = name === 'TimeoutError' || name === 'AbortError' ? `no answer within ${timeoutMs} ms` : `the request failed: ${requestFailure(err)}`;
    }
  }
  const duration = Date.now() - started;
  const outcome =
    error === null
      ? { status: 'delivered' as const, delivered_at: new Date(), last_error: null }
      : final || d.attempts >= maxAttempts
        ? { status: 'failed' as const, last_error: error }
        : { status: 'pending' as const, last_error: error, next_attempt_at: new Date(Date.now() + retryDelayMs(retryBaseMs, d.attempts)) };
  await ctx.db
    .updateTable('webhook_deliveries')
    .set({ ...outcome, response_status: responseStatus, duration_ms: duration })
    .where('id', '=', d.id)
    .where('attempts', '=', d.attempts)
    .where('status', '=', 'pending')
    .execute();
}

export class DeliveryWorker {
  readonly #inFlight = new Set<Promise<void>>();
  #timer: NodeJS.Timeout | null = null;
  #polling: Promise<void> | null = null;
  readonly #outbound: ReturnType<typeof guardedFetch>;

  constructor(private readonly ctx: AppContext) {
    this.#outbound = guardedFetch(new OutboundRules(ctx.config.outbound.allow));
  }

  /**
   * Starts the attempts that are due, as many as there is room for, without
   * waiting for them to finish; returns how many it started.
   */
  async poll(): Promise<number> {
    const room = this.ctx.config.webhooks.concurrency - this.#inFlight.size;
    if (room <= 0) return 0;
    const due = await claimDue(this.ctx, room);
    for (const d of due) {
      const running: Promise<void> = attempt(this.ctx, this.#outbound.fetch, d)
        .catch((err: unknown) => { this.ctx.log.error({ err, delivery: d.id }, 'webhook delivery failed to record'); })
        .finally(() => this.#inFlight.delete(running));
      this.#inFlight.add(running);
    }
    return due.length;
  }

  /** Polls every `pollMs` (0: never). The timer does not keep the process alive. */
  start(): void {
    const ms = this.ctx.config.webhooks.pollMs;
    if (ms === 0) return;
    this.#timer = setInterval(() => {
      if (this.#polling) return;
      this.#polling = this.poll()
        .then(() => undefined)
        .catch((err: unknown) => { this.ctx.log.error({ err }, 'webhook poll failed'); })
        .finally(() => { this.#polling = null; });
    }, ms);
    this.#timer.unref();
  }

  /** Stops polling and waits for the attempts in flight (each bounded by the request timeout). */
  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    await this.#polling;
    await Promise.all([...this.#inFlight]);
    await this.#outbound.close();
  }
}
