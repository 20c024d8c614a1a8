import { recordAction } from '../audit/record.js';
import { lockChannel } from '../channels/access.js';
import type { AppContext } from '../context.js';
import type { LegalHold, RetentionPolicy } from '../db/schema.js';
import { badRequest, notFound } from '../http/errors.js';
import type { Actor } from '../policy/actor.js';
import type { ChannelAccess } from '../policy/channel.js';
import { enforce } from '../policy/decision.js';
import { canManageLegalHolds, canManageRetention, canSetChannelRetention } from '../policy/retention.js';

/** Policies and legal holds (docs/BACKUP.md). Every change is audited in its own transaction. */

export interface RetentionView {
  /** The org's policy: days to keep messages, null = forever. */
  keep_days: number | null;
  channels: { channel_id: string; keep_days: number | null }[];
}

export async function orgRetention(ctx: AppContext, actor: Actor): Promise<RetentionView> {
  enforce(canManageRetention(actor));
  const rows = await ctx.db.selectFrom('retention_policies').selectAll().where('org_id', '=', actor.member.org_id).orderBy('updated_at').execute();
  return presentPolicies(rows);
}

export function presentPolicies(rows: RetentionPolicy[]): RetentionView {
  return {
    keep_days: rows.find((r) => r.channel_id === null)?.keep_days ?? null,
    channels: rows.flatMap((r) => (r.channel_id === null ? [] : [{ channel_id: r.channel_id, keep_days: r.keep_days }])),
  };
}

export async function setOrgRetention(ctx: AppContext, actor: Actor, keepDays: number | null): Promise<RetentionView> {
  enforce(canManageRetention(actor));
  const orgId = actor.member.org_id;
  await ctx.db.transaction().execute(async (trx) => {
    await trx.deleteFrom('retention_policies').where('org_id', '=', orgId).where('channel_id', 'is', null).execute();
    await trx.insertInto('retention_policies').values({ org_id: orgId, channel_id: null, keep_days: keepDays, updated_by: actor.member.id }).execute();
    await recordAction(trx, actor, 'retention.set', { targetType: 'org', targetId: orgId, details: { keep_days: keepDays } });
  });
  return orgRetention(ctx, actor);
}

/** A channel's own policy (`keep_days` null: forever, whatever the org's), or `undefined` to follow the org's again. */
export async function setChannelRetention(ctx: AppContext, a: ChannelAccess, keepDays: number | null | undefined): Promise<{ channel_id: string; keep_days: number | null; inherited: boolean }> {
  enforce(canSetChannelRetention(a));
  const channelId = a.channel.id;
  await ctx.db.transaction().execute(async (trx) => {
    await trx.deleteFrom('retention_policies').where('channel_id', '=', channelId).execute();
    if (keepDays !== undefined) {
      await trx.insertInto('retention_policies').values({ org_id: a.channel.org_id, channel_id: channelId, keep_days: keepDays, updated_by: a.actor.member.id }).execute();
    }
    await recordAction(trx, a.actor, keepDays === undefined ? 'retention.cleared' : 'retention.set', {
      targetType: 'channel',
      targetId: channelId,
      channelId,
      details: { keep_days: keepDays ?? null },
    });
  });
  return effectiveRetention(ctx, a);
}

/** The policy that applies to the channel, and whether it is the org's. */
export async function effectiveRetention(ctx: AppContext, a: ChannelAccess): Promise<{ channel_id: string; keep_days: number | null; inherited: boolean }> {
  const rows = await ctx.db
    .selectFrom('retention_policies')
    .select(['channel_id', 'keep_days'])
    .where('org_id', '=', a.channel.org_id)
    .where((eb) => eb.or([eb('channel_id', '=', a.channel.id), eb('channel_id', 'is', null)]))
    .execute();
  const own = rows.find((r) => r.channel_id === a.channel.id);
  return { channel_id: a.channel.id, keep_days: own ? own.keep_days : (rows.find((r) => r.channel_id === null)?.keep_days ?? null), inherited: !own };
}

export interface HoldInput {
  channel_id?: string | undefined;
  member_id?: string | undefined;
  reason: string;
}

export async function placeHold(ctx: AppContext, actor: Actor, input: HoldInput): Promise<LegalHold> {
  enforce(canManageLegalHolds(actor));
  if ((input.channel_id === undefined) === (input.member_id === undefined)) throw badRequest('hold_target', 'A legal hold names exactly one of channel_id and member_id.');
  const orgId = actor.member.org_id;
  if (input.channel_id !== undefined) {
    const channel = await ctx.db.selectFrom('channels').select('id').where('id', '=', input.channel_id).where('org_id', '=', orgId).executeTakeFirst();
    if (!channel) throw notFound('channel');
  } else if (input.member_id !== undefined) {
    const member = await ctx.db.selectFrom('members').select('id').where('id', '=', input.member_id).where('org_id', '=', orgId).executeTakeFirst();
    if (!member) throw notFound('member');
  }
  return ctx.db.transaction().execute(async (trx) => {
    // A channel's lock, as each retention batch holds it: a batch under way finishes first, and every later one sees the hold.
    if (input.channel_id !== undefined) await lockChannel(trx, input.channel_id);
    const hold = await trx
      .insertInto('legal_holds')
      .values({ org_id: orgId, channel_id: input.channel_id ?? null, member_id: input.member_id ?? null, reason: input.reason, created_by: actor.member.id })
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAction(trx, actor, 'legal_hold.placed', {
      targetType: 'legal_hold',
      targetId: hold.id,
      channelId: hold.channel_id,
      details: { channel_id: hold.channel_id, member_id: hold.member_id, reason: hold.reason },
    });
    return hold;
  });
}

export async function releaseHold(ctx: AppContext, actor: Actor, holdId: string): Promise<LegalHold> {
  enforce(canManageLegalHolds(actor));
  return ctx.db.transaction().execute(async (trx) => {
    const hold = await trx
      .updateTable('legal_holds')
      .set({ released_at: new Date(), released_by: actor.member.id })
      .where('id', '=', holdId)
      .where('org_id', '=', actor.member.org_id)
      .where('released_at', 'is', null)
      .returningAll()
      .executeTakeFirst();
    if (!hold) throw notFound('legal_hold');
    await recordAction(trx, actor, 'legal_hold.released', { targetType: 'legal_hold', targetId: hold.id, channelId: hold.channel_id, details: { channel_id: hold.channel_id, member_id: hold.member_id } });
    return hold;
  });
}

export async function listHolds(ctx: AppContext, actor: Actor, includeReleased: boolean): Promise<LegalHold[]> {
  enforce(canManageLegalHolds(actor));
  let query = ctx.db.selectFrom('legal_holds').selectAll().where('org_id', '=', actor.member.org_id);
  if (!includeReleased) query = query.where('released_at', 'is', null);
  return query.orderBy('created_at').orderBy('id').execute();
}

export function presentHold(h: LegalHold) {
  return {
    id: h.id,
    channel_id: h.channel_id,
    member_id: h.member_id,
    reason: h.reason,
    created_by: h.created_by,
    created_at: h.created_at.toISOString(),
    released_by: h.released_by,
    released_at: h.released_at?.toISOString() ?? null,
  };
}
