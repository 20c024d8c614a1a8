import type { AppContext } from '../context.js';
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

/** Loads a member of the org; members of other orgs do not exist from here. */
export async function memberOf(ctx: AppContext, orgId: string, memberId: string) {
  const member = await ctx.db.selectFrom('members').selectAll().where('id', '=', memberId).where('org_id', '=', orgId).executeTakeFirst();
  if (!member) throw notFound('member');
  return member;
}
