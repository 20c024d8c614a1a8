import { sql } from 'kysely';
import { mutate, type AppContext } from '../context.js';
import type { Invite, OrgRole, User } from '../db/schema.js';
import { hashToken, newToken } from '../accounts/secrets.js';
import { conflict, notFound } from '../http/errors.js';
import type { Actor } from '../policy/actor.js';
import { enforce } from '../policy/decision.js';
import { canInvite, canManageInvites } from '../policy/org.js';
import { recordAction } from '../audit/record.js';
import { lockChannel } from '../channels/access.js';
import { bumpReadersOfMembers } from '../channels/readers.js';
import { addMemberIn } from '../channels/service.js';
import { lockMembership } from './access.js';
import { freeHandle, handleTaken } from './handles.js';

export async function createInvite(
  ctx: AppContext,
  actor: Actor,
  input: { role: Exclude<OrgRole, 'owner'>; expires_in_hours: number; max_uses: number },
): Promise<{ invite: Invite; token: string; url: string }> {
  enforce(canInvite(actor, input.role));
  const { token, hash } = newToken('chi');
  const invite = await mutate(ctx, async (m) => {
    const created = await m.trx
      .insertInto('invites')
      .values({
        org_id: actor.member.org_id,
        token_hash: hash,
        role: input.role,
        created_by: actor.member.id,
        expires_at: new Date(Date.now() + input.expires_in_hours * 3600_000),
        max_uses: input.max_uses,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAction(m.trx, actor, 'invite.created', { targetType: 'invite', targetId: created.id, details: { role: created.role, max_uses: created.max_uses } });
    return created;
  });
  return { invite, token, url: `${ctx.config.publicUrl}/invite/${token}` };
}

export async function listInvites(ctx: AppContext, actor: Actor): Promise<Invite[]> {
  enforce(canManageInvites(actor));
  return ctx.db.selectFrom('invites').selectAll().where('org_id', '=', actor.member.org_id).orderBy('created_at', 'desc').execute();
}

export async function revokeInvite(ctx: AppContext, actor: Actor, inviteId: string): Promise<void> {
  const invite = await ctx.db.selectFrom('invites').selectAll().where('id', '=', inviteId).where('org_id', '=', actor.member.org_id).executeTakeFirst();
  if (!invite) throw notFound('invite');
  if (invite.created_by !== actor.member.id) enforce(canManageInvites(actor));
  await mutate(ctx, async (m) => {
    const revoked = await m.trx.updateTable('invites').set({ revoked_at: new Date() }).where('id', '=', inviteId).where('revoked_at', 'is', null).executeTakeFirst();
    if (Number(revoked.numUpdatedRows) > 0) await recordAction(m.trx, actor, 'invite.revoked', { targetType: 'invite', targetId: inviteId });
  });
}

function usable(invite: Invite): void {
  if (invite.revoked_at) throw conflict('invite_revoked', 'This invite was revoked.');
  if (invite.expires_at <= new Date()) throw conflict('invite_expired', 'This invite has expired.');
  if (invite.uses >= invite.max_uses) throw conflict('invite_used_up', 'This invite has been used as many times as allowed.');
}

/** What an invite link leads to, shown before accepting. Reveals only the org's name. */
export async function previewInvite(ctx: AppContext, token: string) {
  const row = await ctx.db
    .selectFrom('invites')
    .innerJoin('orgs', 'orgs.id', 'invites.org_id')
    .selectAll('invites')
    .select(['orgs.name as org_name', 'orgs.slug as org_slug'])
    .where('invites.token_hash', '=', hashToken(token))
    .executeTakeFirst();
  if (!row) throw notFound('invite');
  usable(row);
  return row;
}

/** Joins the org through an invite. Uses are counted atomically, so a single-use link admits one person. */
export async function acceptInvite(ctx: AppContext, user: User, token: string, input: { handle?: string | undefined; display_name?: string | undefined }) {
  return mutate(ctx, async (m) => {
    const invite = await m.trx.selectFrom('invites').selectAll().where('token_hash', '=', hashToken(token)).forUpdate().executeTakeFirst();
    if (!invite) throw notFound('invite');
    usable(invite);
    const existing = await m.trx.selectFrom('members').select('id').where('org_id', '=', invite.org_id).where('user_id', '=', user.id).executeTakeFirst();
    if (existing) throw conflict('already_member', 'You are already a member of this org.');
    await lockMembership(m.trx, invite.org_id);
    if (input.handle && (await handleTaken(m.trx, invite.org_id, input.handle))) {
      throw conflict('handle_taken', `The handle @${input.handle} is taken in this org.`);
    }
    await m.trx.updateTable('invites').set({ uses: sql`uses + 1` }).where('id', '=', invite.id).execute();
    const member = await m.trx
      .insertInto('members')
      .values({
        org_id: invite.org_id,
        kind: 'human',
        user_id: user.id,
        handle: input.handle ?? (await freeHandle(m.trx, invite.org_id, user.email.split('@')[0] ?? user.display_name)),
        display_name: input.display_name ?? user.display_name,
        role: invite.role,
        status: 'active',
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const org = await m.trx.selectFrom('orgs').selectAll().where('id', '=', invite.org_id).executeTakeFirstOrThrow();
    // A new person who is not a guest reads every public channel (all locked in one sorted pass, before #general alone).
    if (member.role !== 'guest') await bumpReadersOfMembers(m.trx, member.org_id, [], true);
    if (org.default_channel_id && member.role !== 'guest') {
      // As in Slack, everyone but guests starts in the org's default channel.
      const general = await lockChannel(m.trx, org.default_channel_id);
      if (!general.archived_at) await addMemberIn(m, general, member, 'member', null);
    }
    await recordAction(m.trx, { member, scopes: 'all' }, 'invite.accepted', { targetType: 'invite', targetId: invite.id, details: { role: member.role } });
    return { org, member };
  });
}
