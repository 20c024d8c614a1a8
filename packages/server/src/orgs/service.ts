import { mutate, type AppContext } from '../context.js';
import type { Trx } from '../db/database.js';
import type { Member, OrgRole, User } from '../db/schema.js';
import { conflict } from '../http/errors.js';
import type { Actor } from '../policy/actor.js';
import { enforce } from '../policy/decision.js';
import { canManageMember } from '../policy/org.js';
import { createChannelIn } from '../channels/service.js';
import { freeHandle, slugifyHandle } from './handles.js';

/** Creates an org with its creator as owner, and a #general channel everyone starts in. */
export async function createOrg(
  ctx: AppContext,
  user: User,
  input: { name: string; slug?: string | undefined; handle?: string | undefined },
) {
  return mutate(ctx, async (m) => {
    const wantedSlug = slugifyHandle(input.slug ?? input.name);
    let slug = wantedSlug;
    for (let n = 2; await m.trx.selectFrom('orgs').select('id').where((eb) => eb(eb.fn('lower', [eb.ref('slug')]), '=', slug)).executeTakeFirst(); n++) {
      if (input.slug) throw conflict('slug_taken', `The org address "${input.slug}" is taken.`);
      slug = `${wantedSlug}-${n}`;
    }
    const org = await m.trx.insertInto('orgs').values({ name: input.name.trim(), slug }).returningAll().executeTakeFirstOrThrow();
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
  if (target.role === role) return target;
  return mutate(ctx, async (m) => {
    if (role !== 'owner') await ensureAnotherOwner(m.trx, target);
    return m.trx.updateTable('members').set({ role }).where('id', '=', target.id).returningAll().executeTakeFirstOrThrow();
  });
}

/** Deactivating a person also suspends every agent they sponsor, in the same transaction. */
export async function deactivate(ctx: AppContext, actor: Actor, target: Member): Promise<{ member: Member; suspended_agents: string[] }> {
  enforce(canManageMember(actor, target));
  if (target.id === actor.member.id) throw conflict('cannot_deactivate_self', 'You cannot deactivate yourself.');
  return mutate(ctx, async (m) => {
    await ensureAnotherOwner(m.trx, target);
    const member = await m.trx.updateTable('members').set({ status: 'deactivated' }).where('id', '=', target.id).returningAll().executeTakeFirstOrThrow();
    const suspended = await m.trx
      .updateTable('members')
      .set({ status: 'suspended' })
      .where('status', '=', 'active')
      .where('id', 'in', (eb) => eb.selectFrom('agents').select('member_id').where('sponsor_id', '=', target.id))
      .returning('id')
      .execute();
    return { member, suspended_agents: suspended.map((s) => s.id) };
  });
}

export async function reactivate(ctx: AppContext, actor: Actor, target: Member): Promise<Member> {
  enforce(canManageMember(actor, target));
  return ctx.db.updateTable('members').set({ status: 'active' }).where('id', '=', target.id).returningAll().executeTakeFirstOrThrow();
}

export async function renameOrg(ctx: AppContext, orgId: string, name: string) {
  return ctx.db.updateTable('orgs').set({ name: name.trim() }).where('id', '=', orgId).returningAll().executeTakeFirstOrThrow();
}
