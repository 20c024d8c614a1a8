import { sql } from 'kysely';
import { mutate, type AppContext } from '../context.js';
import type { Trx } from '../db/database.js';
import type { Member, Org, OrgRole, User } from '../db/schema.js';
import { conflict, notFound } from '../http/errors.js';
import type { Actor } from '../policy/actor.js';
import { enforce } from '../policy/decision.js';
import { canEnterOrg, canManageMember } from '../policy/org.js';
import { bumpReadersOfMembers } from '../channels/readers.js';
import { createChannelIn } from '../channels/service.js';
import { withdrawSponsoredAgents } from '../channels/sponsor-access.js';
import { lockMembership } from './access.js';
import { recordAction } from '../audit/record.js';
import { freeHandle, slugifyHandle } from './handles.js';

/** Creates an org with its creator as owner, and a #general channel everyone starts in. */
export async function createOrg(
  ctx: AppContext,
  user: User,
  input: { name: string; slug?: string | undefined; handle?: string | undefined },
) {
  return mutate(ctx, async (m) => {
    const org = await claimSlug(m.trx, input.name.trim(), input.slug);
    const owner = await m.trx
      .insertInto('members')
      .values({
        org_id: org.id,
        kind: 'human',
        user_id: user.id,
        handle: input.handle ?? (await freeHandle(m.trx, org.id, user.email.split('@')[0] ?? user.display_name)),
        display_name: user.display_name,
        role: 'owner',
        status: 'active',
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const general = await createChannelIn(m, owner, { kind: 'public', name: 'general', topic: 'Everyone in the org.' });
    const withDefault = await m.trx.updateTable('orgs').set({ default_channel_id: general.id }).where('id', '=', org.id).returningAll().executeTakeFirstOrThrow();
    return { org: withDefault, member: owner };
  });
}

/**
 * Inserts the org under the address asked for (refused when taken) or, without one, the first free
 * address derived from its name (`acme`, `acme-2`…). The unique index decides races: a loser
 * refuses an explicit address and looks again for a derived one.
 */
async function claimSlug(trx: Trx, name: string, explicit: string | undefined): Promise<Org> {
  const base = explicit ?? slugifyHandle(name, 'org');
  for (;;) {
    const slug = explicit ?? (await freeSlug(trx, base));
    const org = await trx
      .insertInto('orgs')
      .values({ name, slug })
      .onConflict((oc) => oc.expression(sql`lower(slug)`).doNothing())
      .returningAll()
      .executeTakeFirst();
    if (org) return org;
    if (explicit) throw conflict('slug_taken', `The org address "${explicit}" is taken.`);
  }
}

async function freeSlug(trx: Trx, base: string): Promise<string> {
  const taken = await trx
    .selectFrom('orgs')
    .select('slug')
    .where((eb) => eb(eb.fn('lower', [eb.ref('slug')]), 'like', `${base}%`))
    .execute();
  const used = new Set(taken.map((t) => t.slug.toLowerCase()));
  if (!used.has(base)) return base;
  for (let n = 2; ; n++) {
    if (!used.has(`${base}-${n}`)) return `${base}-${n}`;
  }
}

export async function listMembers(
  ctx: AppContext,
  orgId: string,
  filter: { kind?: Member['kind'] | undefined; status?: Member['status'] | undefined },
) {
  let q = ctx.db.selectFrom('members').selectAll().where('org_id', '=', orgId);
  if (filter.kind) q = q.where('kind', '=', filter.kind);
  if (filter.status) q = q.where('status', '=', filter.status);
  return q.orderBy('handle').execute();
}

/**
 * Waits for any other membership change of the org, then decides again on the rows as they are
 * now: a decision on rows read before waiting could let an admin demote someone just made an
 * owner, or a member deactivated a moment ago still act.
 */
async function lockForChange(trx: Trx, actor: Actor, target: Member, newRole?: OrgRole): Promise<Member> {
  await lockMembership(trx, target.org_id);
  const rows = await trx.selectFrom('members').selectAll().where('id', 'in', [actor.member.id, target.id]).execute();
  const me = rows.find((r) => r.id === actor.member.id);
  const them = rows.find((r) => r.id === target.id);
  if (!me || !them) throw notFound('member');
  const now: Actor = { ...actor, member: me };
  enforce(canEnterOrg(now));
  enforce(canManageMember(now, them, newRole));
  return them;
}

/**
 * Locks the org's owners for the length of the transaction and fails if the
 * change would leave the org without an active owner.
 */
async function ensureAnotherOwner(trx: Trx, target: Member): Promise<void> {
  if (target.role !== 'owner' || target.status !== 'active') return;
  const owners = await trx
    .selectFrom('members')
    .select('id')
    .where('org_id', '=', target.org_id)
    .where('role', '=', 'owner')
    .where('status', '=', 'active')
    .forUpdate()
    .execute();
  if (owners.length <= 1) throw conflict('last_owner', 'The org must keep at least one active owner.');
}

export async function changeRole(ctx: AppContext, actor: Actor, target: Member, role: OrgRole): Promise<Member> {
  enforce(canManageMember(actor, target, role));
  return mutate(ctx, async (m) => {
    const current = await lockForChange(m.trx, actor, target, role);
    if (current.role === role) return current;
    if (role !== 'owner') await ensureAnotherOwner(m.trx, current);
    // Guests read only the channels they are in: every public channel of the org gains or loses a reader.
    const guestChanged = (current.role === 'guest') !== (role === 'guest');
    if (guestChanged) await bumpReadersOfMembers(m.trx, current.org_id, [], true);
    await recordAction(m.trx, actor, 'member.role_changed', { targetType: 'member', targetId: target.id, details: { from: current.role, to: role } });
    const changed = await m.trx.updateTable('members').set({ role }).where('id', '=', target.id).returningAll().executeTakeFirstOrThrow();
    // A sponsor made a guest takes their agents out of the public channels they are not in.
    if (guestChanged && role === 'guest') await withdrawSponsoredAgents(m, changed.id, actor);
    return changed;
  });
}

/** Deactivating a person also suspends every agent they sponsor, in the same transaction. */
export async function deactivate(ctx: AppContext, actor: Actor, target: Member): Promise<{ member: Member; suspended_agents: string[] }> {
  enforce(canManageMember(actor, target));
  return mutate(ctx, async (m) => {
    // The last owner hears the more fundamental reason: the org would be left without one.
    await ensureAnotherOwner(m.trx, await lockForChange(m.trx, actor, target));
    if (target.id === actor.member.id) throw conflict('cannot_deactivate_self', 'You cannot deactivate yourself.');
    const member = await m.trx.updateTable('members').set({ status: 'deactivated' }).where('id', '=', target.id).returningAll().executeTakeFirstOrThrow();
    const suspended = await m.trx
      .updateTable('members')
      .set({ status: 'suspended' })
      .where('status', '=', 'active')
      .where('id', 'in', (eb) => eb.selectFrom('agents').select('member_id').where('sponsor_id', '=', target.id))
      .returning('id')
      .execute();
    await bumpReadersOfMembers(m.trx, member.org_id, [member.id, ...suspended.map((s) => s.id)], readsPublicChannels(member));
    m.signals.push({ kind: 'access', member_ids: [member.id, ...suspended.map((s) => s.id)], reason: 'deactivated' });
    await recordAction(m.trx, actor, 'member.deactivated', { targetType: 'member', targetId: member.id, items: suspended.map((s) => s.id), details: { suspended_agents: suspended.length } });
    return { member, suspended_agents: suspended.map((s) => s.id) };
  });
}

export async function reactivate(ctx: AppContext, actor: Actor, target: Member): Promise<Member> {
  enforce(canManageMember(actor, target));
  return mutate(ctx, async (m) => {
    const current = await lockForChange(m.trx, actor, target);
    if (current.status !== 'active') await bumpReadersOfMembers(m.trx, current.org_id, [current.id], readsPublicChannels(current));
    await recordAction(m.trx, actor, 'member.reactivated', { targetType: 'member', targetId: target.id });
    return m.trx.updateTable('members').set({ status: 'active' }).where('id', '=', target.id).returningAll().executeTakeFirstOrThrow();
  });
}

/** People other than guests read every public channel of their org, member or not. */
const readsPublicChannels = (member: Member) => member.kind === 'human' && member.role !== 'guest';

/** Renames the org; the change is on the record with the name before and after. */
export async function renameOrg(ctx: AppContext, actor: Actor, name: string) {
  return ctx.db.transaction().execute(async (trx) => {
    const before = await trx.selectFrom('orgs').select('name').where('id', '=', actor.member.org_id).forUpdate().executeTakeFirstOrThrow();
    const org = await trx.updateTable('orgs').set({ name: name.trim() }).where('id', '=', actor.member.org_id).returningAll().executeTakeFirstOrThrow();
    await recordAction(trx, actor, 'org.updated', { targetType: 'org', targetId: org.id, details: { before: { name: before.name }, after: { name: org.name } } });
    return org;
  });
}
