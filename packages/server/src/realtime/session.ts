import { CloseCode, type HelloFrame } from '@chorus/protocol/frames';
import type { MemberView } from '@chorus/protocol/views';
import type { AppContext } from '../context.js';
import { actorIn, deadAgentToken, deadTokenMessage, resolvePrincipal } from '../http/auth.js';
import { recordDeadToken } from '../audit/denials.js';
import { presentMember } from '../orgs/presenters.js';
import type { Actor } from '../policy/actor.js';
import { canReadMessages, historyFloor } from '../policy/channel.js';
import { canEnterOrg } from '../policy/org.js';

export type HelloResult =
  | { ok: true; actor: Actor; member: MemberView; credentialId: string }
  | { ok: false; code: string; message: string; close: number };

/** The hello's token, as an active member of the org it names (or the agent's own org). */
export async function authenticate(ctx: AppContext, hello: HelloFrame): Promise<HelloResult> {
  const principal = await resolvePrincipal(ctx, hello.token);
  if (!principal) {
    const dead = await deadAgentToken(ctx, hello.token);
    if (dead) await recordDeadToken(ctx, dead, 'WS hello');
    return { ok: false, code: 'unauthorized', message: dead ? deadTokenMessage(dead) : 'The token is invalid, expired or revoked.', close: CloseCode.Unauthorized };
  }
  let orgId = hello.org_id;
  if (!orgId && principal.type === 'agent') orgId = principal.agent.org_id;
  if (!orgId && principal.type === 'user') {
    const orgs = await ctx.db.selectFrom('members').select('org_id').where('user_id', '=', principal.user.id).where('status', '=', 'active').execute();
    if (orgs.length !== 1) return { ok: false, code: 'org_required', message: 'Say which org to connect to (org_id).', close: CloseCode.ProtocolError };
    orgId = orgs[0]?.org_id;
  }
  const actor = orgId ? await actorIn(ctx, principal, orgId) : null;
  const decision = canEnterOrg(actor);
  if (!decision.allowed || !actor) {
    return { ok: false, code: decision.allowed ? 'org_not_found' : decision.code, message: decision.allowed ? 'No such org.' : decision.message, close: CloseCode.Forbidden };
  }
  if (!canReadAnything(actor)) return { ok: false, code: 'insufficient_scope', message: 'This token lacks the messages:read scope.', close: CloseCode.Forbidden };
  const credentialId = principal.type === 'agent' ? principal.tokenId : principal.sessionId;
  return { ok: true, actor, member: presentMember(actor.member), credentialId };
}

function canReadAnything(actor: Actor): boolean {
  return actor.scopes === 'all' || actor.scopes.has('messages:read');
}

export interface Followable {
  id: string;
  org_id: string;
  last_seq: number;
  /** Lowest seq the member may see here. */
  floor: number;
  /** The seq before the member's current membership began (its `member.joined`); null when it reads without belonging. */
  joined_seq: number | null;
}

/** The channels a connection follows from the start: every channel its member belongs to. */
export async function channelsOf(ctx: AppContext, actor: Actor): Promise<Followable[]> {
  const rows = await ctx.db
    .selectFrom('channel_members as cm')
    .innerJoin('channels as c', 'c.id', 'cm.channel_id')
    .selectAll('c')
    .select(['cm.joined_seq', 'cm.role as member_role', 'cm.joined_at', 'cm.last_read_seq'])
    .where('cm.member_id', '=', actor.member.id)
    .execute();
  return rows.map(({ joined_seq, member_role, joined_at, last_read_seq, ...channel }) => {
    const membership = { channel_id: channel.id, member_id: actor.member.id, role: member_role, joined_seq, joined_at, last_read_seq };
    return { id: channel.id, org_id: channel.org_id, last_seq: channel.last_seq, floor: historyFloor({ actor, channel, membership }), joined_seq };
  });
}

/** A channel the member may read without belonging to it (public, for people), or null. */
export async function mayFollow(ctx: AppContext, actor: Actor, channelId: string): Promise<Followable | null> {
  const channel = await ctx.db.selectFrom('channels').selectAll().where('id', '=', channelId).where('org_id', '=', actor.member.org_id).executeTakeFirst();
  if (!channel) return null;
  const membership =
    (await ctx.db.selectFrom('channel_members').selectAll().where('channel_id', '=', channelId).where('member_id', '=', actor.member.id).executeTakeFirst()) ?? null;
  if (!canReadMessages({ actor, channel, membership }).allowed) return null;
  return { id: channel.id, org_id: channel.org_id, last_seq: channel.last_seq, floor: historyFloor({ actor, channel, membership }), joined_seq: membership?.joined_seq ?? null };
}
