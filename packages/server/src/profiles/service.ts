import { createHash } from 'node:crypto';
import type { ProfileUpdate } from '@chorus/protocol/views';
import { recordAction } from '../audit/record.js';
import { mutate, type AppContext } from '../context.js';
import type { Member } from '../db/schema.js';
import type { Mutation } from '../events/log.js';
import { AppError, badRequest, notFound } from '../http/errors.js';
import { presentMember } from '../orgs/presenters.js';
import type { Actor } from '../policy/actor.js';
import { enforce } from '../policy/decision.js';
import { canEditProfile } from '../policy/profile.js';
import { imageTypeOf } from './image-type.js';

/** Avatars are shown small: 256 KB holds a sharp 512×512 image in any of the accepted types. */
export const maxAvatarBytes = 256 * 1024;

/** The member, with its sponsor's id when it is an agent (who may edit an agent's profile depends on it). */
async function loadTarget(ctx: AppContext, orgId: string, memberId: string) {
  const target = await ctx.db
    .selectFrom('members')
    .leftJoin('agents', 'agents.member_id', 'members.id')
    .selectAll('members')
    .select('agents.sponsor_id')
    .where('members.id', '=', memberId)
    .where('members.org_id', '=', orgId)
    .executeTakeFirst();
  if (!target) throw notFound('member');
  const { sponsor_id, ...member } = target;
  return { member, sponsorId: sponsor_id };
}

/** Writes the change, records it, and tells every connection of the org, in one transaction. */
async function changeMember(ctx: AppContext, actor: Actor, target: Member, action: string, changes: Partial<Omit<Member, 'id'>>, write?: (m: Mutation) => Promise<void>) {
  return mutate(ctx, async (m) => {
    await write?.(m);
    const member = await m.trx.updateTable('members').set(changes).where('id', '=', target.id).returningAll().executeTakeFirstOrThrow();
    // A person's own profile is theirs; an agent's profile changed by its sponsor or an admin is an admin action.
    if (target.kind === 'agent') await recordAction(m.trx, actor, action, { targetType: 'agent', targetId: target.id, details: { changed: Object.keys(changes) } });
    m.signals.push({ kind: 'member', org_id: member.org_id, member: presentMember(member) });
    return member;
  });
}

/**
 * Changes a display name or the custom status. An emoji-only or text-only status is fine; an
 * empty one, or one that expires in the past, is refused rather than silently dropped.
 */
export async function updateProfile(ctx: AppContext, actor: Actor, orgId: string, memberId: string, input: ProfileUpdate): Promise<Member> {
  const { member: target, sponsorId } = await loadTarget(ctx, orgId, memberId);
  enforce(canEditProfile(actor, target, sponsorId));
  const changes: Partial<Member> = {};
  if (input.display_name !== undefined) {
    const name = input.display_name.trim();
    if (!name) throw badRequest('display_name_empty', 'A display name needs at least one visible character.');
    changes.display_name = name;
  }
  if (input.custom_status === null) Object.assign(changes, { status_emoji: null, status_text: null, status_expires_at: null });
  else if (input.custom_status !== undefined) {
    const { emoji, text, expires_at } = input.custom_status;
    if (!emoji.trim() && !text.trim()) throw badRequest('status_empty', 'A status needs an emoji or some text; send null to clear it.');
    const expires = expires_at ? new Date(expires_at) : null;
    if (expires && expires <= new Date()) throw badRequest('status_expired', 'The status would expire in the past.');
    Object.assign(changes, { status_emoji: emoji.trim(), status_text: text.trim(), status_expires_at: expires });
  }
  if (Object.keys(changes).length === 0) return target;
  return changeMember(ctx, actor, target, 'agent.profile_updated', changes);
}

/** Stores a new avatar: the type from the bytes (PNG, JPEG, GIF or WebP), at most {@link maxAvatarBytes}. */
export async function setAvatar(ctx: AppContext, actor: Actor, orgId: string, memberId: string, bytes: Buffer): Promise<Member> {
  const { member: target, sponsorId } = await loadTarget(ctx, orgId, memberId);
  enforce(canEditProfile(actor, target, sponsorId));
  if (bytes.length > maxAvatarBytes) throw new AppError(413, 'avatar_too_large', `An avatar may be at most ${maxAvatarBytes / 1024} KB; this one is ${Math.ceil(bytes.length / 1024)} KB.`);
  const type = await imageTypeOf(bytes);
  if (!type) throw badRequest('unsupported_image', 'An avatar must be a PNG, JPEG, GIF or WebP image.');
  const version = createHash('sha256').update(bytes).digest('hex').slice(0, 16);
  return changeMember(ctx, actor, target, 'agent.avatar_changed', { avatar_version: version }, async (m) => {
    await m.trx
      .insertInto('member_avatars')
      .values({ member_id: target.id, content_type: type, bytes, updated_by: actor.member.id })
      .onConflict((oc) => oc.column('member_id').doUpdateSet({ content_type: type, bytes, updated_by: actor.member.id, updated_at: new Date() }))
      .execute();
  });
}

export async function removeAvatar(ctx: AppContext, actor: Actor, orgId: string, memberId: string): Promise<Member> {
  const { member: target, sponsorId } = await loadTarget(ctx, orgId, memberId);
  enforce(canEditProfile(actor, target, sponsorId));
  if (!target.avatar_version) return target;
  return changeMember(ctx, actor, target, 'agent.avatar_changed', { avatar_version: null }, async (m) => {
    await m.trx.deleteFrom('member_avatars').where('member_id', '=', target.id).execute();
  });
}

/** The avatar's bytes and type, and its version (the ETag); `avatar_not_found` when the member has none. */
export async function readAvatar(ctx: AppContext, orgId: string, memberId: string) {
  const row = await ctx.db
    .selectFrom('member_avatars')
    .innerJoin('members', 'members.id', 'member_avatars.member_id')
    .select(['member_avatars.content_type', 'member_avatars.bytes', 'members.avatar_version'])
    .where('members.id', '=', memberId)
    .where('members.org_id', '=', orgId)
    .executeTakeFirst();
  if (!row?.avatar_version) throw notFound('avatar');
  return { type: row.content_type, bytes: row.bytes, version: row.avatar_version };
}
