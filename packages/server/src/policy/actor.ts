import type { Member } from '../db/schema.js';

/** What an agent token may be scoped to. People's sessions carry every scope. */
export const agentScopes = ['messages:read', 'messages:write', 'channels:read', 'context:read'] as const;
export type Scope = (typeof agentScopes)[number];

/**
 * Where a task token confines its agent: the task's channel (and its thread).
 * With a task token the agent reads and writes there and nowhere else, whatever
 * its own memberships are.
 */
export interface Boundary {
  taskId: string;
  channelId: string;
  threadRootId: string | null;
}

/** Who is asking, as a member of the org the request is about. */
export interface Actor {
  member: Member;
  /** `all` for a person's session; the token's scopes for an agent. */
  scopes: ReadonlySet<Scope> | 'all';
  /** Set when the agent acts with a task token. */
  boundary?: Boundary;
}

export const isHuman = (actor: Actor) => actor.member.kind === 'human';
export const isAgent = (actor: Actor) => actor.member.kind === 'agent';
export const isOrgAdmin = (actor: Actor) => actor.member.role === 'owner' || actor.member.role === 'admin';
export const hasScope = (actor: Actor, scope: Scope) => actor.scopes === 'all' || actor.scopes.has(scope);
