import type { Member } from '../db/schema.js';

/** What an agent token may be scoped to. People's sessions carry every scope. */
export const agentScopes = ['messages:read', 'messages:write', 'channels:read', 'context:read'] as const;
export type Scope = (typeof agentScopes)[number];

/** Who is asking, as a member of the org the request is about. */
export interface Actor {
  member: Member;
  /** `all` for a person's session; the token's scopes for an agent. */
  scopes: ReadonlySet<Scope> | 'all';
}

export const isHuman = (actor: Actor) => actor.member.kind === 'human';
export const isAgent = (actor: Actor) => actor.member.kind === 'agent';
export const isOrgAdmin = (actor: Actor) => actor.member.role === 'owner' || actor.member.role === 'admin';
export const hasScope = (actor: Actor, scope: Scope) => actor.scopes === 'all' || actor.scopes.has(scope);
