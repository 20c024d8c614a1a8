import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { appendAudit } from '../audit/chain.js';
import { mutate, type AppContext } from '../context.js';
import { lockChannel } from '../channels/access.js';
import { appendEvent } from '../events/log.js';
import { every } from '../periodic.js';

/**
 * The retention job (docs/BACKUP.md, "Retention"). A thread is the unit: a
 * root and its replies expire together once the thread's last activity
 * (`coalesce(last_reply_at, created_at)`) is older than the channel's policy,
 * so a recent reply keeps its old root, and no reply outlives its root. A
 * thread is kept whole when any of its messages is pinned, was written by a
 * member under legal hold, or is still streaming; a channel under legal hold
 * keeps everything. Docs and experience are never touched.
 *
 * Each batch is one transaction holding the channel's lock (the lock sends
 * take) for at most `batchSize` threads, so a send waits for one batch at
 * most; the next batch continues after the last thread seen (keyset).
 */

export interface ChannelExpiry {
  channel_id: string;
  org_id: string;
  keep_days: number;
  threads: number;
  messages: number;
  batches: number;
}

export interface RetentionRun {
  run_id: string;
  channels: ChannelExpiry[];
  messages: number;
}

interface Expiring {
  channelId: string;
  orgId: string;
  keepDays: number;
}

/** Channels with a finite policy (their own, or else the org's) and no legal hold of their own. */
async function expiringChannels(ctx: AppContext): Promise<Expiring[]> {
  const rows = await sql<{ id: string; org_id: string; keep_days: number }>`
    select c.id, c.org_id, case when cp.org_id is not null then cp.keep_days else op.keep_days end as keep_days
    from channels c
    left join retention_policies cp on cp.channel_id = c.id
    left join retention_policies op on op.org_id = c.org_id and op.channel_id is null
    where (case when cp.org_id is not null then cp.keep_days else op.keep_days end) is not null
      and not exists (select 1 from legal_holds h where h.channel_id = c.id and h.released_at is null)
    order by c.id
  `.execute(ctx.db);
  return rows.rows.map((r) => ({ channelId: r.id, orgId: r.org_id, keepDays: r.keep_days }));
}

interface Cursor {
  activity: Date;
  id: string;
}

/**
 * Deletes one batch of the channel's expired threads, in one transaction:
 * replies and roots (mentions, reactions, idempotency keys, stream rows and the
 * search vector go with their rows), the bodies carried by the channel's
 * `message.*` events (redacted, so the event log keeps its seqs), the tasks'
 * links to them; then one `messages.expired` event and one audit entry.
 */
async function expireBatch(ctx: AppContext, ch: Expiring, cutoff: Date, after: Cursor | null, batchSize: number, runId: string, batch: number) {
  return mutate(ctx, async (m) => {
    // The channel's lock first, as sends, edits and pins take it: nothing can reply to, pin or edit a thread being deleted.
    await lockChannel(m.trx, ch.channelId);
    const activity = sql<Date>`coalesce(r.last_reply_at, r.created_at)`;
    const roots = await sql<{ id: string; activity: Date }>`
      select r.id, ${activity} as activity
      from messages r
      where r.channel_id = ${ch.channelId} and r.thread_root_id is null and ${activity} < ${cutoff}
        and not exists (select 1 from legal_holds h where h.channel_id = r.channel_id and h.released_at is null)
        ${after ? sql`and (${activity}, r.id) > (${after.activity}, ${after.id})` : sql``}
        and not exists (
          select 1 from messages x
          where (x.id = r.id or (x.thread_root_id = r.id and x.channel_id = r.channel_id))
            and (exists (select 1 from pins p where p.message_id = x.id)
                 or x.stream_state = 'open'
                 or exists (select 1 from legal_holds h where h.member_id = x.author_id and h.released_at is null))
        )
      order by ${activity}, r.id
      limit ${batchSize}
      for update of r skip locked
    `.execute(m.trx);
    const rootIds = roots.rows.map((r) => r.id);
    const last = roots.rows.at(-1);
    if (rootIds.length === 0) return { threads: 0, messages: 0, cursor: null };
    const replies = await m.trx.selectFrom('messages').select('id').where('thread_root_id', 'in', rootIds).execute();
    const ids = [...replies.map((r) => r.id), ...rootIds];
    // Outgoing webhooks keep the payload they sent (a redelivery sends it again): the request's content goes.
    await sql`
      update webhook_deliveries
         set payload = jsonb_set(jsonb_set(jsonb_set(payload, '{request,body}', '""'::jsonb), '{request,attachments}', '[]'::jsonb), '{request,sources}', '[]'::jsonb)
       where task_id in (select id from tasks where request_message_id = any(${ids}::uuid[]))
         and payload->'request'->>'id' = any(${ids}::text[])
    `.execute(m.trx);
    await m.trx.updateTable('tasks').set({ request_message_id: null }).where('request_message_id', 'in', ids).execute();
    await m.trx.updateTable('tasks').set({ result_message_id: null }).where('result_message_id', 'in', ids).execute();
    await m.trx.updateTable('tasks').set({ thread_root_id: null }).where('thread_root_id', 'in', ids).execute();
    // The log keeps the edits' seqs (clients resume by them); what they said goes. A message's created
    // event is its row (events/log.ts), so it leaves the log with the message.
    await sql`
      update channel_events set payload = jsonb_set(payload, '{message,body}', '""'::jsonb)
      where channel_id = ${ch.channelId} and type = 'message.edited'
        and payload->'message'->>'id' = any(${ids}::text[])
    `.execute(m.trx);
    // Replies and roots in one statement: the self-reference is checked at its end.
    await m.trx.deleteFrom('messages').where('id', 'in', ids).execute();
    await appendEvent(m, { orgId: ch.orgId, channelId: ch.channelId, type: 'messages.expired', actorId: null, payload: { message_ids: ids } });
    await appendAudit(m.trx, ch.orgId, [
      {
        actorId: null,
        actorKind: 'system',
        action: 'retention.deleted',
        targetType: 'channel',
        targetId: ch.channelId,
        channelId: ch.channelId,
        decision: 'allow',
        details: { run_id: runId, batch, keep_days: ch.keepDays, cutoff: cutoff.toISOString(), threads: rootIds.length, messages: ids.length },
      },
    ]);
    return { threads: rootIds.length, messages: ids.length, cursor: last ? { activity: last.activity, id: last.id } : null };
  });
}

/**
 * One run over every channel with a finite policy. `now` moves the clock for
 * tests; `batchSize` defaults to the configuration's.
 */
export async function runRetention(ctx: AppContext, options: { now?: Date; batchSize?: number } = {}): Promise<RetentionRun> {
  const now = options.now ?? new Date();
  const batchSize = options.batchSize ?? ctx.config.retention.batchSize;
  const run: RetentionRun = { run_id: randomUUID(), channels: [], messages: 0 };
  for (const ch of await expiringChannels(ctx)) {
    const cutoff = new Date(now.getTime() - ch.keepDays * 86_400_000);
    const done: ChannelExpiry = { channel_id: ch.channelId, org_id: ch.orgId, keep_days: ch.keepDays, threads: 0, messages: 0, batches: 0 };
    let after: Cursor | null = null;
    for (;;) {
      const batch = await expireBatch(ctx, ch, cutoff, after, batchSize, run.run_id, done.batches + 1);
      if (batch.threads === 0) break;
      done.batches += 1;
      done.threads += batch.threads;
      done.messages += batch.messages;
      if (batch.threads < batchSize) break;
      after = batch.cursor;
    }
    if (done.messages > 0) {
      run.channels.push(done);
      run.messages += done.messages;
    }
  }
  return run;
}

/** Runs retention every `intervalSeconds` (0: never), one run at a time. */
export function startRetentionJob(ctx: AppContext): { stop(): Promise<void> } {
  return every(
    ctx.config.retention.intervalSeconds,
    async () => {
      const run = await runRetention(ctx);
      if (run.messages > 0) ctx.log.info({ run_id: run.run_id, messages: run.messages, channels: run.channels.length }, 'retention run');
    },
    (err) => { ctx.log.error({ err }, 'retention run failed'); },
  );
}
