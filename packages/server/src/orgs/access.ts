import type { AppContext } from '../context.js';
import type { Trx } from '../db/database.js';
import { actorIn, type Principal } from '../http/auth.js';
import { notFound } from '../http/errors.js';
import type { Actor } from '../policy/actor.js';
import { canEnterOrg } from '../policy/org.js';
import { enforce } from '../policy/decision.js';

/**
 * The principal as an active member of the org, or the error that says why not.
 * `hiddenAs` names the resource a non-member asked for, so its 404 speaks of that resource.
 */
export async function enterOrg(ctx: AppContext, principal: Principal, orgId: string, hiddenAs?: string): Promise<Actor> {
  const actor = await actorIn(ctx, principal, orgId);
  if (!actor && hiddenAs) throw notFound(hiddenAs);
  enforce(canEnterOrg(actor));
  return actor as Actor;
}

/**
 * Queues changes to the org's membership — new members and their handles, roles, deactivation —
 * one after another for the rest of the transaction, so that a check and the write that follows
 * cannot interleave with another change. `for no key update` leaves inserts that merely
 * reference the org (messages, channels) unblocked.
 */
export async function lockMembership(trx: Trx, orgId: string): Promise<void> {
  await trx.selectFrom('orgs').select('id').where('id', '=', orgId).forNoKeyUpdate().execute();
}

/** Loads a member of the org; members of other orgs do not exist from here. */
export async function memberOf(ctx: AppContext, orgId: string, memberId: string) {
  const member = await ctx.db.selectFrom('members').selectAll().where('id', '=', memberId).where('org_id', '=', orgId).executeTakeFirst();
  if (!member) throw notFound('member');
  return member;
}
