import { randomBytes, timingSafeEqual } from 'node:crypto';
import { mutate, type AppContext } from '../context.js';
import type { IncomingWebhook } from '../db/schema.js';
import { hashToken } from '../accounts/secrets.js';
import { recordAction } from '../audit/record.js';
import { accessChannel, lockChannel } from '../channels/access.js';
import { bumpReadersOfMembers } from '../channels/readers.js';
import { addMemberIn } from '../channels/service.js';
import type { Principal } from '../http/auth.js';
import { notFound } from '../http/errors.js';
import type { MessageView } from '../messages/presenters.js';
import { postMessage } from '../messages/service.js';
import { lockMembership } from '../orgs/access.js';
import type { Actor } from '../policy/actor.js';
import { canManage, canSee } from '../policy/channel.js';

/**
 * Incoming webhooks: a secret URL that posts into one channel. Each hook
 * posts as its own integration member, an agent (DESIGN: members are people
 * or agents) sponsored by the person who made the hook, with
 * `card.integration = "incoming_webhook"`, added to the channel. Being an agent
 * it is accountable to a sponsor, audited like any agent write, and leaves the
 * channel when its sponsor loses access; it never takes tasks.
 */

export const integrationKind = 'incoming_webhook';

/** A channel moderator (or an org admin who sees the channel) makes a hook; its secret URL is shown once. */
export async function createIncoming(ctx: AppContext, principal: Principal, channelId: string, name: string): Promise<{ hook: IncomingWebhook; secret: string }> {
  const a = await accessChannel(ctx, principal, channelId, canManage);
  const secret = `chh_${randomBytes(32).toString('base64url')}`;
  const hook = await mutate(ctx, async (m) => {
    await lockMembership(m.trx, a.channel.org_id);
    const channel = await lockChannel(m.trx, a.channel.id);
    const member = await m.trx
      .insertInto('members')
      .values({ org_id: channel.org_id, kind: 'agent', user_id: null, handle: `hook-${randomBytes(5).toString('hex')}`, display_name: name, role: 'member', status: 'active' })
      .returningAll()
      .executeTakeFirstOrThrow();
    await m.trx
      .insertInto('agents')
      .values({ member_id: member.id, sponsor_id: a.actor.member.id, description: `Posts what the incoming webhook "${name}" receives.`, card: JSON.stringify({ integration: integrationKind }) })
      .execute();
    await addMemberIn(m, channel, member, 'member', a.actor.member.id);
    const created = await m.trx
      .insertInto('incoming_webhooks')
      .values({ org_id: channel.org_id, channel_id: channel.id, member_id: member.id, name, secret_hash: hashToken(secret), created_by: a.actor.member.id })
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAction(m.trx, a.actor, 'integration.incoming_webhook_created', { targetType: 'incoming_webhook', targetId: created.id, channelId: channel.id, details: { name, member_id: member.id } });
    return created;
  });
  return { hook, secret };
}

export async function listIncoming(ctx: AppContext, principal: Principal, channelId: string): Promise<IncomingWebhook[]> {
  const a = await accessChannel(ctx, principal, channelId, canManage);
  return ctx.db.selectFrom('incoming_webhooks').selectAll().where('channel_id', '=', a.channel.id).orderBy('created_at').orderBy('id').execute();
}

/** Revokes the hook: its URL stops working and its integration member is retired. */
export async function revokeIncoming(ctx: AppContext, principal: Principal, channelId: string, hookId: string): Promise<void> {
  const a = await accessChannel(ctx, principal, channelId, canManage);
  await mutate(ctx, async (m) => {
    const hook = await m.trx.selectFrom('incoming_webhooks').selectAll().where('id', '=', hookId).where('channel_id', '=', a.channel.id).forUpdate().executeTakeFirst();
    if (!hook) throw notFound('incoming_webhook');
    if (hook.revoked_at) return;
    await m.trx.updateTable('incoming_webhooks').set({ revoked_at: new Date() }).where('id', '=', hook.id).execute();
    await m.trx.updateTable('members').set({ status: 'retired' }).where('id', '=', hook.member_id).execute();
    await bumpReadersOfMembers(m.trx, hook.org_id, [hook.member_id], false);
    await recordAction(m.trx, a.actor, 'integration.incoming_webhook_revoked', { targetType: 'incoming_webhook', targetId: hook.id, channelId: hook.channel_id, details: { member_id: hook.member_id } });
  });
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The hook a secret URL names, or 404 alike for an unknown hook, a wrong secret and a revoked hook. */
async function hookFor(ctx: AppContext, hookId: string, secret: string): Promise<IncomingWebhook> {
  const hook = uuidPattern.test(hookId) ? await ctx.db.selectFrom('incoming_webhooks').selectAll().where('id', '=', hookId).executeTakeFirst() : undefined;
  const given = Buffer.from(hashToken(secret), 'hex');
  const stored = Buffer.from(hook?.secret_hash ?? '0'.repeat(64), 'hex');
  const matches = timingSafeEqual(given, stored);
  if (!hook || !matches || hook.revoked_at) throw notFound('incoming_webhook');
  return hook;
}

/**
 * Posts `text` into the hook's channel as its integration member, through the
 * normal send path (events, mentions and tasks as for any post).
 */
export async function postViaHook(ctx: AppContext, hookId: string, secret: string, text: string): Promise<MessageView> {
  const hook = await hookFor(ctx, hookId, secret);
  const member = await ctx.db.selectFrom('members').selectAll().where('id', '=', hook.member_id).executeTakeFirstOrThrow();
  const actor: Actor = { member, scopes: new Set(['messages:read', 'messages:write', 'channels:read'] as const) };
  const a = await accessChannel(ctx, actor, hook.channel_id, canSee);
  return (await postMessage(ctx, a, { body: text })).message;
}
