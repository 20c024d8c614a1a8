import { mutate, type AppContext } from '../context.js';
import type { AgentWebhook, Message, Task, WebhookDelivery } from '../db/schema.js';
import type { Mutation } from '../events/log.js';
import { appendAudit } from '../audit/chain.js';
import { recordAction } from '../audit/record.js';
import { badRequest, notFound } from '../http/errors.js';
import { viewsOf } from '../messages/views.js';
import type { AgentRow } from '../agents/presenters.js';
import type { Actor } from '../policy/actor.js';
import { readerOf, mayRead } from '../policy/agent-reads.js';
import { enforce } from '../policy/decision.js';
import { canManageAgent } from '../policy/org.js';
import { OutboundRules } from '../outbound/rules.js';
import { presentTask } from '../tasks/presenters.js';
import { newWebhookSecret } from './signing.js';

/**
 * Outgoing webhooks: an agent's sponsor (or an org admin) sets a URL; every
 * task created for the agent is written to the `webhook_deliveries` outbox in
 * the transaction that creates the task, and the delivery worker POSTs it.
 */

/** Only http(s) URLs, without credentials in them, and not to an internal address the operator has not allowed. */
function checkUrl(raw: string, rules: OutboundRules): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw badRequest('invalid_url', 'The webhook URL is not a valid URL.');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw badRequest('invalid_url', 'The webhook URL must start with https:// or http://.');
  if (url.username || url.password) throw badRequest('invalid_url', 'The webhook URL must not carry credentials; Chorus signs each delivery instead.');
  const refused = rules.refusalForUrl(url);
  if (refused) throw badRequest('internal_url', refused);
  return url.toString();
}

export async function findWebhook(ctx: AppContext, actor: Actor, agent: AgentRow): Promise<AgentWebhook> {
  enforce(canManageAgent(actor, agent.sponsor_id));
  const hook = await ctx.db.selectFrom('agent_webhooks').selectAll().where('agent_id', '=', agent.id).executeTakeFirst();
  if (!hook) throw notFound('webhook');
  return hook;
}

/**
 * Sets (or changes) the agent's webhook URL. The first time, a signing secret
 * is made and returned once; changing the URL keeps the secret.
 */
export async function setWebhook(ctx: AppContext, actor: Actor, agent: AgentRow, rawUrl: string): Promise<{ webhook: AgentWebhook; secret: string | null }> {
  enforce(canManageAgent(actor, agent.sponsor_id));
  const url = checkUrl(rawUrl, new OutboundRules(ctx.config.outbound.allow));
  return mutate(ctx, async (m) => {
    const existing = await m.trx.selectFrom('agent_webhooks').selectAll().where('agent_id', '=', agent.id).forUpdate().executeTakeFirst();
    await recordAction(m.trx, actor, 'agent.webhook_set', { targetType: 'agent', targetId: agent.id, details: { url, previous_url: existing?.url ?? null } });
    if (existing) {
      const webhook = await m.trx.updateTable('agent_webhooks').set({ url, updated_at: new Date() }).where('agent_id', '=', agent.id).returningAll().executeTakeFirstOrThrow();
      return { webhook, secret: null };
    }
    const secret = newWebhookSecret();
    const webhook = await m.trx.insertInto('agent_webhooks').values({ agent_id: agent.id, url, secret, created_by: actor.member.id }).returningAll().executeTakeFirstOrThrow();
    return { webhook, secret };
  });
}

/** A new signing secret, returned once; deliveries sent from now on are signed with it. */
export async function rotateSecret(ctx: AppContext, actor: Actor, agent: AgentRow): Promise<{ webhook: AgentWebhook; secret: string }> {
  enforce(canManageAgent(actor, agent.sponsor_id));
  const secret = newWebhookSecret();
  return mutate(ctx, async (m) => {
    const webhook = await m.trx
      .updateTable('agent_webhooks')
      .set({ secret, secret_rotated_at: new Date(), updated_at: new Date() })
      .where('agent_id', '=', agent.id)
      .returningAll()
      .executeTakeFirst();
    if (!webhook) throw notFound('webhook');
    await recordAction(m.trx, actor, 'agent.webhook_secret_rotated', { targetType: 'agent', targetId: agent.id });
    return { webhook, secret };
  });
}

/** Removes the webhook; deliveries still pending fail at their next attempt. */
export async function removeWebhook(ctx: AppContext, actor: Actor, agent: AgentRow): Promise<void> {
  enforce(canManageAgent(actor, agent.sponsor_id));
  await mutate(ctx, async (m) => {
    const removed = await m.trx.deleteFrom('agent_webhooks').where('agent_id', '=', agent.id).returning('url').executeTakeFirst();
    if (!removed) throw notFound('webhook');
    await recordAction(m.trx, actor, 'agent.webhook_removed', { targetType: 'agent', targetId: agent.id, details: { url: removed.url } });
  });
}

/** The agent's deliveries, newest first. */
export async function listDeliveries(ctx: AppContext, actor: Actor, agent: AgentRow, limit: number): Promise<WebhookDelivery[]> {
  enforce(canManageAgent(actor, agent.sponsor_id));
  return ctx.db.selectFrom('webhook_deliveries').selectAll().where('agent_id', '=', agent.id).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
}

/** Sends a delivery's payload again, as a new delivery (the log keeps both). */
export async function redeliver(ctx: AppContext, actor: Actor, agent: AgentRow, deliveryId: string): Promise<WebhookDelivery> {
  enforce(canManageAgent(actor, agent.sponsor_id));
  return mutate(ctx, async (m) => {
    const original = await m.trx.selectFrom('webhook_deliveries').selectAll().where('id', '=', deliveryId).where('agent_id', '=', agent.id).executeTakeFirst();
    if (!original) throw notFound('delivery');
    const copy = await m.trx
      .insertInto('webhook_deliveries')
      .values({ org_id: original.org_id, agent_id: original.agent_id, event: original.event, task_id: original.task_id, payload: JSON.stringify(original.payload), next_attempt_at: new Date(), redelivery_of: original.id })
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAction(m.trx, actor, 'agent.webhook_redelivered', { targetType: 'webhook_delivery', targetId: copy.id, details: { agent_id: agent.id, redelivery_of: original.id } });
    return copy;
  });
}

/**
 * Writes a `task.created` delivery for each new task whose agent has a
 * webhook, in the mutation that creates the tasks (the outbox: the delivery
 * exists exactly when the task does). The payload carries the task, its
 * channel's id, name and kind, and the request message only if the agent may
 * read it under the channel's rules (`policy/agent-reads.ts`); nothing from
 * any other channel. What a payload hands the agent is on the record with
 * the delivery (`agent.webhook.payload`, items = the message ids), as every
 * agent read is. Costs one query when no agent has a webhook.
 */
export async function enqueueTaskDeliveries(m: Mutation, tasks: Task[], requests: Message[]): Promise<void> {
  if (tasks.length === 0) return;
  const hooked = await m.trx.selectFrom('agent_webhooks').select('agent_id').where('agent_id', 'in', [...new Set(tasks.map((t) => t.agent_id))]).execute();
  const withHook = new Set(hooked.map((h) => h.agent_id));
  const due = tasks.filter((t) => withHook.has(t.agent_id));
  if (due.length === 0) return;

  const channelIds = [...new Set(due.map((t) => t.channel_id))];
  const [channels, agents, roles, mentions] = await Promise.all([
    m.trx.selectFrom('channels').selectAll().where('id', 'in', channelIds).execute(),
    m.trx.selectFrom('members').selectAll().where('id', 'in', [...withHook]).execute(),
    m.trx.selectFrom('channel_members').select(['channel_id', 'member_id', 'role']).where('channel_id', 'in', channelIds).where('member_id', 'in', [...withHook]).execute(),
    m.trx.selectFrom('message_mentions').select(['message_id', 'member_id']).where('message_id', 'in', requests.map((r) => r.id)).execute(),
  ]);
  const views = new Map((await viewsOf(m.trx, requests)).map((v) => [v.id, v]));
  const now = new Date();
  const rows = due.map((task) => {
    const channel = channels.find((c) => c.id === task.channel_id);
    const agent = agents.find((a) => a.id === task.agent_id);
    const request = requests.find((r) => r.id === task.request_message_id);
    if (!channel || !agent) throw new Error('unreachable: the task names its channel and agent');
    const role = roles.find((r) => r.channel_id === channel.id && r.member_id === agent.id)?.role ?? null;
    const readable =
      request !== undefined &&
      mayRead(
        { reader: readerOf(agent, role), rules: channel },
        { ...request, mentioned: mentions.filter((x) => x.message_id === request.id).map((x) => x.member_id) },
        { now, taskMessageIds: new Set([task.request_message_id, task.thread_root_id].filter((id): id is string => id !== null)), sponsorOf: () => null },
      );
    const payload = {
      task: presentTask(task, []),
      channel: { id: channel.id, name: channel.name, kind: channel.kind },
      request: readable ? (views.get(request.id) ?? null) : null,
    };
    return { org_id: task.org_id, agent_id: task.agent_id, event: 'task.created', task_id: task.id, payload: JSON.stringify(payload), next_attempt_at: now, served: payload.request ? [payload.request.id] : [], channel_id: channel.id };
  });
  const inserted = await m.trx
    .insertInto('webhook_deliveries')
    .values(rows.map(({ served: _served, channel_id: _channel, ...row }) => row))
    .returning(['id', 'task_id'])
    .execute();
  const deliveryOf = new Map(inserted.map((d) => [d.task_id, d.id]));
  for (const orgId of new Set(rows.map((r) => r.org_id))) {
    await appendAudit(
      m.trx,
      orgId,
      rows.flatMap((r) =>
        r.org_id !== orgId
          ? []
          : [{ actorId: r.agent_id, actorKind: 'agent' as const, action: 'agent.webhook.payload', targetType: 'webhook_delivery', targetId: deliveryOf.get(r.task_id), channelId: r.channel_id, items: r.served, decision: 'allow' as const, details: { task_id: r.task_id } }],
      ),
    );
  }
}
