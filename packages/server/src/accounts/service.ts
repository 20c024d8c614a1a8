import { sql } from 'kysely';
import type { AppContext } from '../context.js';
import type { User } from '../db/schema.js';
import { AppError, conflict } from '../http/errors.js';
import { decoyHash, hashPassword, newToken, verifyPassword } from './secrets.js';

export interface SessionGrant {
  token: string;
  expires_at: Date;
}

async function openSession(ctx: AppContext, userId: string): Promise<SessionGrant> {
  const { token, hash } = newToken('chs');
  const expires_at = new Date(Date.now() + ctx.config.sessionTtlHours * 3600_000);
  await ctx.db.insertInto('sessions').values({ user_id: userId, token_hash: hash, expires_at }).execute();
  return { token, expires_at };
}

/** A new account and a session on it: what signing up on the web does. */
export async function signUp(
  ctx: AppContext,
  input: { email: string; password: string; display_name: string },
): Promise<{ user: User; session: SessionGrant }> {
  const user = await createUser(ctx, input);
  return { user, session: await openSession(ctx, user.id) };
}

/** A new account with no session, for an operator creating it on someone's behalf (`chorus org create`). */
export async function createUser(ctx: AppContext, input: { email: string; password: string; display_name: string }): Promise<User> {
  const email = input.email.trim();
  const password_hash = await hashPassword(input.password);
  const user = await ctx.db
    .insertInto('users')
    .values({ email, password_hash, display_name: input.display_name.trim() })
    .onConflict((oc) => oc.expression(sql`lower(email)`).doNothing())
    .returningAll()
    .executeTakeFirst();
  if (!user) throw conflict('email_taken', 'An account with this email already exists.');
  return user;
}

export async function logIn(ctx: AppContext, input: { email: string; password: string }): Promise<{ user: User; session: SessionGrant }> {
  const user = await ctx.db
    .selectFrom('users')
    .selectAll()
    .where((eb) => eb(eb.fn('lower', [eb.ref('email')]), '=', input.email.trim().toLowerCase()))
    .executeTakeFirst();
  const ok = await verifyPassword(input.password, user?.password_hash ?? decoyHash);
  if (!user || !ok) throw new AppError(401, 'invalid_credentials', 'The email or password is wrong.');
  return { user, session: await openSession(ctx, user.id) };
}

async function memberIdsOf(ctx: AppContext, userId: string): Promise<string[]> {
  return (await ctx.db.selectFrom('members').select('id').where('user_id', '=', userId).execute()).map((m) => m.id);
}

export async function logOut(ctx: AppContext, user: User, sessionId: string): Promise<void> {
  await ctx.db.deleteFrom('sessions').where('id', '=', sessionId).execute();
  ctx.bus.signal({ kind: 'access', member_ids: await memberIdsOf(ctx, user.id), reason: 'session_revoked', credential_id: sessionId });
}

/** Ends every session of the user, on every device, including the current one. */
export async function logOutEverywhere(ctx: AppContext, userId: string): Promise<number> {
  const result = await ctx.db.deleteFrom('sessions').where('user_id', '=', userId).executeTakeFirst();
  ctx.bus.signal({ kind: 'access', member_ids: await memberIdsOf(ctx, userId), reason: 'session_revoked' });
  return Number(result.numDeletedRows);
}

export async function membershipsOf(ctx: AppContext, userId: string) {
  return ctx.db
    .selectFrom('members')
    .innerJoin('orgs', 'orgs.id', 'members.org_id')
    .selectAll('members')
    .select(['orgs.name as org_name', 'orgs.slug as org_slug'])
    .where('members.user_id', '=', userId)
    .orderBy('orgs.created_at')
    .execute();
}
