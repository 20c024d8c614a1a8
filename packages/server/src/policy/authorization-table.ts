import { tinyPng } from '../test/fixtures.js';

/**
 * The authorization table: every route × every kind of caller, and the status
 * (with the error code, for refusals) that caller sees. `authorization.test.ts`
 * runs it over real HTTP and fails when a registered route has no row here.
 *
 * Every row runs in a fresh org (its {@link Cast}). A GET row arranges its
 * target once and every caller asks for it; any other row arranges a fresh
 * target for each caller, so no cell sees what another cell's request changed.
 * Each caller appears once per row, so changes to the caller itself (joining,
 * logging out) stay within its own cell. Callers without a token get
 * `401 unauthorized` on every route here; the test adds that column itself.
 */

export const actors = ['owner', 'admin', 'member', 'guest', 'agent', 'nonMember', 'deactivated'] as const;
export type ActorName = (typeof actors)[number];

/** A success status, or a refusal as `"<status> <error code>"`. */
export type Cell = 200 | 201 | 204 | `${401 | 403 | 404 | 409} ${string}`;
export type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
export type Route = `${Method} /${string}`;

export interface Req {
  path: string;
  body?: unknown;
}

/** A channel and a top-level message in it. */
export interface Room {
  channelId: string;
  messageId: string;
}

/**
 * A row's world, a fresh org:
 * - owner: created the org; channel owner of #room and #secret.
 * - admin: org admin, in #general only.
 * - member: org member, in #general and #room.
 * - guest: org guest, in #secret only.
 * - agent: sponsored by the owner, a token with every scope; in #room and #secret, not in #general.
 * - nonMember: owns another org and is not in this one.
 * - deactivated: was an org member in #general, #room and #secret, then was deactivated.
 * - helper: a second agent sponsored by the owner, used as a target (never a caller).
 */
export interface Cast {
  orgId: string;
  generalId: string;
  /** Member ids in this org (the non-member's is in its own org). */
  ids: Record<ActorName, string>;
  helperId: string;
  /** Public #room; message by the owner. */
  room: Room;
  /** Private #secret; message by the owner. */
  secret: Room;
  /** A message by the owner in #general (where the agent is not). */
  generalMessageId: string;
  /**
   * A fresh public channel made by the owner, with the member and the agent added (the deactivated
   * person can no longer be added), and a message by `author`.
   */
  newRoom(options?: { author?: 'owner' | 'member'; archived?: boolean; withHelper?: boolean; stream?: boolean }): Promise<Room>;
  /** A fresh person who joined the org as a member; deactivated by the owner when asked. */
  newPerson(options?: { deactivated?: boolean }): Promise<string>;
  /** A fresh single-use member invite made by the owner. */
  newInvite(): Promise<{ id: string; token: string }>;
  /** A fresh token of the helper agent, issued by the owner. */
  newHelperToken(): Promise<string>;
  /**
   * A fresh task for the agent in a fresh room (as {@link newRoom} makes it), assigned by the owner
   * (the room's owner) and taken as far as `state`: `queued`; `running`, claimed with the agent's
   * token; or `done`, with a result message the agent posted.
   */
  newTask(options?: { state?: 'queued' | 'running' | 'done' }): Promise<{ taskId: string; channelId: string }>;
  /**
   * A fresh doc by the owner: in #room, #secret or #general, or (`fresh`, the default) in a fresh room
   * as {@link newRoom} makes it; with `revisions` saves in all (default 1); archived when asked.
   */
  newDoc(options?: { in?: 'room' | 'secret' | 'general' | 'fresh'; revisions?: number; archived?: boolean }): Promise<{ docId: string; channelId: string }>;
  /** The owner's message in a fresh room, pinned by the owner. */
  newPinned(): Promise<Room>;
  /**
   * A fresh file the owner uploaded: in #room, #secret or #general, or (`fresh`, the default) in a fresh
   * room as {@link newRoom} makes it; attached to a message of the owner's unless `pending`.
   */
  newFile(options?: { in?: 'room' | 'secret' | 'general' | 'fresh'; pending?: boolean }): Promise<{ fileId: string; channelId: string }>;
  /**
   * A fresh experience entry the owner distilled from one of its messages: in a fresh room (as
   * {@link newRoom} makes it), in #secret, or in the channel given; endorsed by `endorsedBy`.
   */
  newEntry(options?: { in?: 'secret' | { channelId: string }; endorsedBy?: ActorName[] }): Promise<string>;
  /** Each of these callers rates the task's result (3 of 5). */
  rate(taskId: string, by: ActorName[]): Promise<void>;
  /** Adds the reaction of each of these callers to the message. */
  react(messageId: string, emoji: string, by: ActorName[]): Promise<void>;
  unique(prefix: string): string;
  /** The owner uploads an avatar for this member (the owner, or an agent it sponsors). */
  setAvatar(memberId: string): Promise<void>;
  /** The owner sets a webhook URL (nothing listens there) for this agent (the agent or the helper). */
  setWebhook(agentId: string): Promise<void>;
  /** A fresh task for the agent (as {@link newTask}) with its webhook set: returns the task's webhook delivery. */
  newDelivery(): Promise<string>;
  /** A fresh incoming webhook in the channel, made by the owner. */
  newIncomingWebhook(channelId: string): Promise<{ id: string; secret: string }>;
  /** A fresh legal hold on #room, placed by the owner. */
  newLegalHold(): Promise<string>;
}

export interface Row {
  route: Route;
  /** What the target is and who is in it, when the row's answer depends on it. */
  given?: string;
  arrange: (c: Cast) => Req | Promise<Req>;
  expect: Record<ActorName, Cell>;
  /** The request ends the caller's sessions, so the row's people are freshly signed up rather than shared. */
  endsSessions?: true;
}

const agentsNotAllowed = '403 agents_not_allowed';
const agentsOnly = '403 agents_only';
const deactivated = '403 member_deactivated';
const noOrg = '404 org_not_found';
const noChannel = '404 channel_not_found';
const noMessage = '404 message_not_found';
const noAgent = '404 agent_not_found';
const adminRequired = '403 admin_required';
const notSponsor = '403 not_sponsor';

/** Routes about a person's account: any signed-in person, whatever their org memberships. */
const accountRows: Row[] = [
  {
    route: 'POST /auth/logout',
    endsSessions: true,
    arrange: () => ({ path: '/auth/logout' }),
    expect: { owner: 204, admin: 204, member: 204, guest: 204, agent: agentsNotAllowed, nonMember: 204, deactivated: 204 },
  },
  {
    route: 'POST /auth/logout-all',
    endsSessions: true,
    arrange: () => ({ path: '/auth/logout-all' }),
    expect: { owner: 200, admin: 200, member: 200, guest: 200, agent: agentsNotAllowed, nonMember: 200, deactivated: 200 },
  },
  {
    route: 'GET /me',
    arrange: () => ({ path: '/me' }),
    expect: { owner: 200, admin: 200, member: 200, guest: 200, agent: 200, nonMember: 200, deactivated: 200 },
  },
  {
    route: 'POST /orgs',
    arrange: () => ({ path: '/orgs', body: { name: 'Another org' } }),
    expect: { owner: 201, admin: 201, member: 201, guest: 201, agent: agentsNotAllowed, nonMember: 201, deactivated: 201 },
  },
];

const orgRows: Row[] = [
  {
    route: 'GET /orgs/:orgId',
    arrange: (c) => ({ path: `/orgs/${c.orgId}` }),
    expect: { owner: 200, admin: 200, member: 200, guest: 200, agent: 200, nonMember: noOrg, deactivated },
  },
  {
    route: 'PATCH /orgs/:orgId',
    arrange: (c) => ({ path: `/orgs/${c.orgId}`, body: { name: 'Renamed' } }),
    expect: { owner: 200, admin: 200, member: adminRequired, guest: adminRequired, agent: agentsNotAllowed, nonMember: noOrg, deactivated },
  },
  {
    route: 'GET /orgs/:orgId/members',
    arrange: (c) => ({ path: `/orgs/${c.orgId}/members` }),
    expect: { owner: 200, admin: 200, member: 200, guest: 200, agent: 200, nonMember: noOrg, deactivated },
  },
  {
    route: 'GET /orgs/:orgId/presence',
    arrange: (c) => ({ path: `/orgs/${c.orgId}/presence` }),
    expect: { owner: 200, admin: 200, member: 200, guest: 200, agent: 200, nonMember: noOrg, deactivated },
  },
  {
    route: 'GET /orgs/:orgId/audit',
    given: 'the member and the guest own no channel',
    arrange: (c) => ({ path: `/orgs/${c.orgId}/audit` }),
    expect: { owner: 200, admin: 200, member: '403 audit_not_allowed', guest: '403 audit_not_allowed', agent: agentsNotAllowed, nonMember: noOrg, deactivated },
  },
  {
    route: 'GET /orgs/:orgId/audit/export',
    given: 'the member and the guest own no channel',
    arrange: (c) => ({ path: `/orgs/${c.orgId}/audit/export` }),
    expect: { owner: 200, admin: 200, member: '403 audit_not_allowed', guest: '403 audit_not_allowed', agent: agentsNotAllowed, nonMember: noOrg, deactivated },
  },
  {
    route: 'POST /orgs/:orgId/audit/verify',
    arrange: (c) => ({ path: `/orgs/${c.orgId}/audit/verify`, body: {} }),
    expect: { owner: 200, admin: 200, member: adminRequired, guest: adminRequired, agent: adminRequired, nonMember: noOrg, deactivated },
  },
  {
    route: 'GET /orgs/:orgId/members/:memberId',
    given: 'the member',
    arrange: (c) => ({ path: `/orgs/${c.orgId}/members/${c.ids.member}` }),
    expect: { owner: 200, admin: 200, member: 200, guest: 200, agent: 200, nonMember: noOrg, deactivated },
  },
  {
    route: 'PATCH /orgs/:orgId/members/:memberId',
    given: 'a fresh member, made admin',
    arrange: async (c) => ({ path: `/orgs/${c.orgId}/members/${await c.newPerson()}`, body: { role: 'admin' } }),
    expect: { owner: 200, admin: 200, member: adminRequired, guest: adminRequired, agent: agentsNotAllowed, nonMember: noOrg, deactivated },
  },
  {
    route: 'POST /orgs/:orgId/members/:memberId/deactivate',
    given: 'a fresh member',
    arrange: async (c) => ({ path: `/orgs/${c.orgId}/members/${await c.newPerson()}/deactivate` }),
    expect: { owner: 200, admin: 200, member: adminRequired, guest: adminRequired, agent: agentsNotAllowed, nonMember: noOrg, deactivated },
  },
  {
    route: 'POST /orgs/:orgId/members/:memberId/reactivate',
    given: 'a fresh deactivated member',
    arrange: async (c) => ({ path: `/orgs/${c.orgId}/members/${await c.newPerson({ deactivated: true })}/reactivate` }),
    expect: { owner: 200, admin: 200, member: adminRequired, guest: adminRequired, agent: agentsNotAllowed, nonMember: noOrg, deactivated },
  },
];

const inviteRows: Row[] = [
  {
    route: 'POST /orgs/:orgId/invites',
    given: 'a member invite',
    arrange: (c) => ({ path: `/orgs/${c.orgId}/invites`, body: { role: 'member' } }),
    expect: { owner: 201, admin: 201, member: 201, guest: '403 guests_cannot_invite', agent: agentsNotAllowed, nonMember: noOrg, deactivated },
  },
  {
    route: 'GET /orgs/:orgId/invites',
    arrange: (c) => ({ path: `/orgs/${c.orgId}/invites` }),
    expect: { owner: 200, admin: 200, member: adminRequired, guest: adminRequired, agent: agentsNotAllowed, nonMember: noOrg, deactivated },
  },
  {
    route: 'DELETE /orgs/:orgId/invites/:inviteId',
    given: "a fresh invite of the owner's",
    arrange: async (c) => ({ path: `/orgs/${c.orgId}/invites/${(await c.newInvite()).id}` }),
    expect: { owner: 204, admin: 204, member: adminRequired, guest: adminRequired, agent: agentsNotAllowed, nonMember: noOrg, deactivated },
  },
  {
    route: 'POST /invites/:token/accept',
    given: 'a fresh member invite; everyone but the non-member already belongs to the org',
    arrange: async (c) => ({ path: `/invites/${(await c.newInvite()).token}/accept` }),
    expect: {
      owner: '409 already_member', admin: '409 already_member', member: '409 already_member', guest: '409 already_member',
      agent: agentsNotAllowed, nonMember: 201, deactivated: '409 already_member',
    },
  },
];

const agentRows: Row[] = [
  {
    route: 'POST /orgs/:orgId/agents',
    arrange: (c) => ({ path: `/orgs/${c.orgId}/agents`, body: { handle: c.unique('bot'), display_name: 'Bot' } }),
    expect: { owner: 201, admin: 201, member: 201, guest: '403 guests_cannot_create_agents', agent: agentsNotAllowed, nonMember: noOrg, deactivated },
  },
  {
    route: 'POST /orgs/:orgId/builtin-agents',
    given: 'a digest agent (the test servers run no agent host)',
    arrange: (c) => ({ path: `/orgs/${c.orgId}/builtin-agents`, body: { kind: 'digest', handle: c.unique('digest'), display_name: 'Digest' } }),
    expect: { owner: 201, admin: 201, member: adminRequired, guest: adminRequired, agent: agentsNotAllowed, nonMember: noOrg, deactivated },
  },
  {
    route: 'GET /orgs/:orgId/builtin-agents',
    arrange: (c) => ({ path: `/orgs/${c.orgId}/builtin-agents` }),
    expect: { owner: 200, admin: 200, member: adminRequired, guest: adminRequired, agent: agentsNotAllowed, nonMember: noOrg, deactivated },
  },
  {
    route: 'GET /orgs/:orgId/agents',
    arrange: (c) => ({ path: `/orgs/${c.orgId}/agents` }),
    expect: { owner: 200, admin: 200, member: 200, guest: 200, agent: 200, nonMember: noOrg, deactivated },
  },
  {
    route: 'GET /agents/me',
    given: 'no target: the caller itself',
    arrange: () => ({ path: '/agents/me' }),
    expect: { owner: agentsOnly, admin: agentsOnly, member: agentsOnly, guest: agentsOnly, agent: 200, nonMember: agentsOnly, deactivated: agentsOnly },
  },
  {
    route: 'POST /mcp',
    given: 'an MCP initialize request',
    arrange: () => ({ path: '/mcp', body: { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'table', version: '1' } } } }),
    expect: { owner: agentsOnly, admin: agentsOnly, member: agentsOnly, guest: agentsOnly, agent: 200, nonMember: agentsOnly, deactivated: agentsOnly },
  },
  {
    route: 'GET /agents/:agentId',
    given: "the helper agent, the owner's",
    arrange: (c) => ({ path: `/agents/${c.helperId}` }),
    expect: { owner: 200, admin: 200, member: 200, guest: 200, agent: 200, nonMember: noAgent, deactivated },
  },
  {
    route: 'PATCH /agents/:agentId',
    given: "the helper agent, the owner's",
    arrange: (c) => ({ path: `/agents/${c.helperId}`, body: { description: 'Summarises threads.' } }),
    expect: { owner: 200, admin: 200, member: notSponsor, guest: notSponsor, agent: agentsNotAllowed, nonMember: noAgent, deactivated },
  },
  {
    route: 'POST /agents/:agentId/tokens',
    given: "the helper agent, the owner's",
    arrange: (c) => ({ path: `/agents/${c.helperId}/tokens`, body: { name: 'ci', scopes: ['messages:read'] } }),
    expect: { owner: 201, admin: 201, member: notSponsor, guest: notSponsor, agent: agentsNotAllowed, nonMember: noAgent, deactivated },
  },
  {
    route: 'GET /agents/:agentId/tokens',
    given: "the helper agent, the owner's",
    arrange: (c) => ({ path: `/agents/${c.helperId}/tokens` }),
    expect: { owner: 200, admin: 200, member: notSponsor, guest: notSponsor, agent: agentsNotAllowed, nonMember: noAgent, deactivated },
  },
  {
    route: 'DELETE /agents/:agentId/tokens/:tokenId',
    given: 'a fresh token of the helper agent',
    arrange: async (c) => ({ path: `/agents/${c.helperId}/tokens/${await c.newHelperToken()}` }),
    expect: { owner: 204, admin: 204, member: notSponsor, guest: notSponsor, agent: agentsNotAllowed, nonMember: noAgent, deactivated },
  },
];

const channelRows: Row[] = [
  {
    route: 'POST /orgs/:orgId/channels',
    arrange: (c) => ({ path: `/orgs/${c.orgId}/channels`, body: { name: c.unique('c') } }),
    expect: { owner: 201, admin: 201, member: 201, guest: '403 guests_cannot_create_channels', agent: agentsNotAllowed, nonMember: noOrg, deactivated },
  },
  {
    route: 'GET /orgs/:orgId/channels',
    arrange: (c) => ({ path: `/orgs/${c.orgId}/channels` }),
    expect: { owner: 200, admin: 200, member: 200, guest: 200, agent: 200, nonMember: noOrg, deactivated },
  },
  {
    route: 'GET /orgs/:orgId/channels/browse',
    arrange: (c) => ({ path: `/orgs/${c.orgId}/channels/browse` }),
    expect: { owner: 200, admin: 200, member: 200, guest: 200, agent: 200, nonMember: noOrg, deactivated },
  },
  {
    route: 'POST /orgs/:orgId/dms',
    given: 'a DM with the member',
    arrange: (c) => ({ path: `/orgs/${c.orgId}/dms`, body: { member_ids: [c.ids.member] } }),
    expect: { owner: 201, admin: 201, member: 201, guest: '403 guest_dm_restricted', agent: agentsNotAllowed, nonMember: noOrg, deactivated },
  },
  {
    route: 'GET /channels/:channelId',
    given: '#room (public)',
    arrange: (c) => ({ path: `/channels/${c.room.channelId}` }),
    expect: { owner: 200, admin: 200, member: 200, guest: noChannel, agent: 200, nonMember: noChannel, deactivated },
  },
  {
    route: 'GET /channels/:channelId',
    given: '#secret (private)',
    arrange: (c) => ({ path: `/channels/${c.secret.channelId}` }),
    expect: { owner: 200, admin: noChannel, member: noChannel, guest: 200, agent: 200, nonMember: noChannel, deactivated },
  },
  {
    route: 'GET /channels/:channelId',
    given: '#general (public; the agent was never added)',
    arrange: (c) => ({ path: `/channels/${c.generalId}` }),
    expect: { owner: 200, admin: 200, member: 200, guest: noChannel, agent: noChannel, nonMember: noChannel, deactivated },
  },
  {
    route: 'PATCH /channels/:channelId',
    given: 'a fresh room',
    arrange: async (c) => ({ path: `/channels/${(await c.newRoom()).channelId}`, body: { topic: 'Launch plans' } }),
    expect: { owner: 200, admin: 200, member: '403 moderator_required', guest: noChannel, agent: agentsNotAllowed, nonMember: noChannel, deactivated },
  },
  {
    route: 'POST /channels/:channelId/archive',
    given: 'a fresh room',
    arrange: async (c) => ({ path: `/channels/${(await c.newRoom()).channelId}/archive` }),
    expect: { owner: 200, admin: 200, member: '403 moderator_required', guest: noChannel, agent: agentsNotAllowed, nonMember: noChannel, deactivated },
  },
  {
    route: 'POST /channels/:channelId/unarchive',
    given: 'a fresh archived room',
    arrange: async (c) => ({ path: `/channels/${(await c.newRoom({ archived: true })).channelId}/unarchive` }),
    expect: { owner: 200, admin: 200, member: '403 moderator_required', guest: noChannel, agent: agentsNotAllowed, nonMember: noChannel, deactivated },
  },
];

const channelMemberRows: Row[] = [
  {
    route: 'GET /channels/:channelId/members',
    given: '#room (public)',
    arrange: (c) => ({ path: `/channels/${c.room.channelId}/members` }),
    expect: { owner: 200, admin: 200, member: 200, guest: noChannel, agent: 200, nonMember: noChannel, deactivated },
  },
  {
    route: 'POST /channels/:channelId/members',
    given: 'a fresh room; adding the helper agent',
    arrange: async (c) => ({ path: `/channels/${(await c.newRoom()).channelId}/members`, body: { member_id: c.helperId } }),
    expect: { owner: 201, admin: 201, member: 201, guest: noChannel, agent: agentsNotAllowed, nonMember: noChannel, deactivated },
  },
  {
    route: 'PATCH /channels/:channelId/members/:memberId',
    given: 'a fresh room; making the member a moderator',
    arrange: async (c) => ({ path: `/channels/${(await c.newRoom()).channelId}/members/${c.ids.member}`, body: { role: 'moderator' } }),
    expect: { owner: 204, admin: 204, member: '403 channel_owner_required', guest: noChannel, agent: agentsNotAllowed, nonMember: noChannel, deactivated },
  },
  {
    route: 'DELETE /channels/:channelId/members/:memberId',
    given: 'a fresh room with the helper agent in it; removing the helper',
    arrange: async (c) => ({ path: `/channels/${(await c.newRoom({ withHelper: true })).channelId}/members/${c.helperId}` }),
    expect: { owner: 204, admin: 204, member: '403 moderator_required', guest: noChannel, agent: agentsNotAllowed, nonMember: noChannel, deactivated },
  },
  {
    route: 'POST /channels/:channelId/join',
    given: 'a fresh room',
    arrange: async (c) => ({ path: `/channels/${(await c.newRoom()).channelId}/join` }),
    expect: {
      owner: '409 already_member', admin: 204, member: '409 already_member', guest: noChannel,
      agent: agentsNotAllowed, nonMember: noChannel, deactivated,
    },
  },
  {
    route: 'POST /channels/:channelId/leave',
    given: 'a fresh room',
    arrange: async (c) => ({ path: `/channels/${(await c.newRoom()).channelId}/leave` }),
    expect: { owner: 204, admin: '409 not_a_member', member: 204, guest: noChannel, agent: 204, nonMember: noChannel, deactivated },
  },
  {
    route: 'POST /channels/:channelId/read',
    given: 'a fresh room',
    arrange: async (c) => ({ path: `/channels/${(await c.newRoom()).channelId}/read`, body: { seq: 1 } }),
    expect: { owner: 200, admin: '409 not_a_member', member: 200, guest: noChannel, agent: 200, nonMember: noChannel, deactivated },
  },
];

const messageRows: Row[] = [
  {
    route: 'POST /channels/:channelId/messages',
    given: 'a fresh room (public: a person who is not in it joins by posting)',
    arrange: async (c) => ({ path: `/channels/${(await c.newRoom()).channelId}/messages`, body: { body: 'hello' } }),
    expect: { owner: 201, admin: 201, member: 201, guest: noChannel, agent: 201, nonMember: noChannel, deactivated },
  },
  {
    route: 'POST /channels/:channelId/messages',
    given: "a fresh room, citing #secret's message (the audience rule stops agents, not people)",
    arrange: async (c) => ({ path: `/channels/${(await c.newRoom()).channelId}/messages`, body: { body: 'as #secret says', sources: [{ type: 'message', id: c.secret.messageId }] } }),
    expect: { owner: 201, admin: 201, member: 201, guest: noChannel, agent: '403 audience_violation', nonMember: noChannel, deactivated },
  },
  {
    route: 'POST /channels/:channelId/messages',
    given: '#secret (private)',
    arrange: (c) => ({ path: `/channels/${c.secret.channelId}/messages`, body: { body: 'hello' } }),
    expect: { owner: 201, admin: noChannel, member: noChannel, guest: 201, agent: 201, nonMember: noChannel, deactivated },
  },
  {
    route: 'POST /channels/:channelId/messages',
    given: '#general (public; the agent was never added)',
    arrange: (c) => ({ path: `/channels/${c.generalId}/messages`, body: { body: 'hello' } }),
    expect: { owner: 201, admin: 201, member: 201, guest: noChannel, agent: noChannel, nonMember: noChannel, deactivated },
  },
  {
    route: 'GET /channels/:channelId/messages',
    given: '#room (public)',
    arrange: (c) => ({ path: `/channels/${c.room.channelId}/messages` }),
    expect: { owner: 200, admin: 200, member: 200, guest: noChannel, agent: 200, nonMember: noChannel, deactivated },
  },
  {
    route: 'GET /channels/:channelId/messages',
    given: '#secret (private)',
    arrange: (c) => ({ path: `/channels/${c.secret.channelId}/messages` }),
    expect: { owner: 200, admin: noChannel, member: noChannel, guest: 200, agent: 200, nonMember: noChannel, deactivated },
  },
  {
    route: 'GET /channels/:channelId/messages',
    given: '#general (public; the agent was never added)',
    arrange: (c) => ({ path: `/channels/${c.generalId}/messages` }),
    expect: { owner: 200, admin: 200, member: 200, guest: noChannel, agent: noChannel, nonMember: noChannel, deactivated },
  },
  {
    route: 'GET /messages/:messageId',
    given: 'a message in #room (public)',
    arrange: (c) => ({ path: `/messages/${c.room.messageId}` }),
    expect: { owner: 200, admin: 200, member: 200, guest: noMessage, agent: 200, nonMember: noMessage, deactivated },
  },
  {
    route: 'GET /messages/:messageId',
    given: 'a message in #secret (private)',
    arrange: (c) => ({ path: `/messages/${c.secret.messageId}` }),
    expect: { owner: 200, admin: noMessage, member: noMessage, guest: 200, agent: 200, nonMember: noMessage, deactivated },
  },
  {
    route: 'GET /messages/:messageId',
    given: 'a message in #general (public; the agent was never added)',
    arrange: (c) => ({ path: `/messages/${c.generalMessageId}` }),
    expect: { owner: 200, admin: 200, member: 200, guest: noMessage, agent: noMessage, nonMember: noMessage, deactivated },
  },
  {
    route: 'GET /messages/:messageId/thread',
    given: 'a message in #room (public)',
    arrange: (c) => ({ path: `/messages/${c.room.messageId}/thread` }),
    expect: { owner: 200, admin: 200, member: 200, guest: noMessage, agent: 200, nonMember: noMessage, deactivated },
  },
  {
    route: 'PATCH /messages/:messageId',
    given: "the owner's message in a fresh room",
    arrange: async (c) => ({ path: `/messages/${(await c.newRoom()).messageId}`, body: { body: 'edited' } }),
    expect: { owner: 200, admin: '403 not_author', member: '403 not_author', guest: noMessage, agent: '403 not_author', nonMember: noMessage, deactivated },
  },
  {
    route: 'POST /messages/:messageId/chunks',
    given: "the owner's open streamed reply in a fresh room",
    arrange: async (c) => ({ path: `/messages/${(await c.newRoom({ stream: true })).messageId}/chunks`, body: { text: ' more' } }),
    expect: { owner: 200, admin: '403 not_author', member: '403 not_author', guest: noMessage, agent: '403 not_author', nonMember: noMessage, deactivated },
  },
  {
    route: 'POST /messages/:messageId/end',
    given: "the owner's open streamed reply in a fresh room",
    arrange: async (c) => ({ path: `/messages/${(await c.newRoom({ stream: true })).messageId}/end`, body: {} }),
    expect: { owner: 200, admin: '403 not_author', member: '403 not_author', guest: noMessage, agent: '403 not_author', nonMember: noMessage, deactivated },
  },
  {
    route: 'DELETE /messages/:messageId',
    given: "the member's message in a fresh room (the owner is the channel's owner)",
    arrange: async (c) => ({ path: `/messages/${(await c.newRoom({ author: 'member' })).messageId}` }),
    expect: { owner: 200, admin: 200, member: 200, guest: noMessage, agent: '403 moderator_required', nonMember: noMessage, deactivated },
  },
  {
    route: 'PUT /messages/:messageId/reactions/:emoji',
    given: "the owner's message in a fresh room",
    arrange: async (c) => ({ path: `/messages/${(await c.newRoom()).messageId}/reactions/thumbsup` }),
    expect: { owner: 204, admin: 204, member: 204, guest: noMessage, agent: 204, nonMember: noMessage, deactivated },
  },
  {
    route: 'DELETE /messages/:messageId/reactions/:emoji',
    given: "the owner's message in a fresh room, with a reaction from each caller who can react there",
    arrange: async (c) => {
      const { messageId } = await c.newRoom();
      await c.react(messageId, 'thumbsup', ['owner', 'admin', 'member', 'agent']);
      return { path: `/messages/${messageId}/reactions/thumbsup` };
    },
    expect: { owner: 204, admin: 204, member: 204, guest: noMessage, agent: 204, nonMember: noMessage, deactivated },
  },
];

const noTask = '404 task_not_found';
const notAssignee = '403 not_assignee';
const notRequester = '403 not_requester';
/** Working on a task: only the agent it is assigned to. */
const agentWork = { owner: notAssignee, admin: notAssignee, member: notAssignee, guest: noTask, agent: 200, nonMember: noTask, deactivated } as const;
/** Judging a result: the requester (here the owner, who also owns the room), moderators, org admins. */
const judgement = { owner: 200, admin: 200, member: notRequester, guest: noTask, agent: agentsNotAllowed, nonMember: noTask, deactivated } as const;
/** An agent's work: its sponsor (the owner), org admins, the agent itself. */
const agentHistory = { owner: 200, admin: 200, member: notSponsor, guest: notSponsor, agent: 200, nonMember: noAgent, deactivated } as const;

const taskRows: Row[] = [
  {
    route: 'POST /channels/:channelId/tasks',
    given: 'a fresh room with the helper agent; assigning to the helper',
    arrange: async (c) => ({ path: `/channels/${(await c.newRoom({ withHelper: true })).channelId}/tasks`, body: { agent_id: c.helperId, body: 'Summarise the plan.' } }),
    expect: { owner: 201, admin: 201, member: 201, guest: noChannel, agent: 201, nonMember: noChannel, deactivated },
  },
  {
    route: 'GET /channels/:channelId/tasks',
    given: 'a fresh room with a task for the agent',
    arrange: async (c) => ({ path: `/channels/${(await c.newTask()).channelId}/tasks` }),
    expect: { owner: 200, admin: 200, member: 200, guest: noChannel, agent: 200, nonMember: noChannel, deactivated },
  },
  {
    route: 'GET /channels/:channelId/commands',
    given: '#room (public), where the agent is on duty',
    arrange: (c) => ({ path: `/channels/${c.room.channelId}/commands` }),
    expect: { owner: 200, admin: 200, member: 200, guest: noChannel, agent: 200, nonMember: noChannel, deactivated },
  },
  {
    route: 'GET /tasks/:taskId',
    given: 'a task for the agent in a fresh room',
    arrange: async (c) => ({ path: `/tasks/${(await c.newTask()).taskId}` }),
    expect: { owner: 200, admin: 200, member: 200, guest: noTask, agent: 200, nonMember: noTask, deactivated },
  },
  {
    route: 'POST /tasks/:taskId/claim',
    given: 'a fresh queued task for the agent',
    arrange: async (c) => ({ path: `/tasks/${(await c.newTask()).taskId}/claim` }),
    expect: agentWork,
  },
  {
    route: 'POST /tasks/:taskId/heartbeat',
    given: 'a fresh task the agent claimed',
    arrange: async (c) => ({ path: `/tasks/${(await c.newTask({ state: 'running' })).taskId}/heartbeat` }),
    expect: agentWork,
  },
  {
    route: 'POST /tasks/:taskId/complete',
    given: 'a fresh task the agent claimed',
    arrange: async (c) => ({ path: `/tasks/${(await c.newTask({ state: 'running' })).taskId}/complete` }),
    expect: agentWork,
  },
  {
    route: 'POST /tasks/:taskId/fail',
    given: 'a fresh task the agent claimed',
    arrange: async (c) => ({ path: `/tasks/${(await c.newTask({ state: 'running' })).taskId}/fail`, body: { reason: 'The source is unavailable.' } }),
    expect: agentWork,
  },
  {
    route: 'POST /tasks/:taskId/reject',
    given: 'a fresh task the agent finished, requested by the owner',
    arrange: async (c) => ({ path: `/tasks/${(await c.newTask({ state: 'done' })).taskId}/reject`, body: { reason: 'It misses the budget.' } }),
    expect: judgement,
  },
  {
    route: 'POST /tasks/:taskId/redo',
    given: 'a fresh task the agent finished, requested by the owner',
    arrange: async (c) => ({ path: `/tasks/${(await c.newTask({ state: 'done' })).taskId}/redo` }),
    expect: judgement,
  },
  {
    route: 'PUT /tasks/:taskId/result',
    given: 'a fresh task the agent finished, requested by the owner',
    arrange: async (c) => ({ path: `/tasks/${(await c.newTask({ state: 'done' })).taskId}/result`, body: { body: 'The corrected summary.' } }),
    expect: judgement,
  },
  {
    route: 'PUT /tasks/:taskId/rating',
    given: 'a fresh task the agent finished, requested by the owner',
    arrange: async (c) => ({ path: `/tasks/${(await c.newTask({ state: 'done' })).taskId}/rating`, body: { score: 4, comment: 'Clear and short.' } }),
    expect: judgement,
  },
  {
    route: 'DELETE /tasks/:taskId/rating',
    given: 'a fresh task the agent finished, rated by the owner and the admin (a caller withdraws its own rating)',
    arrange: async (c) => {
      const { taskId } = await c.newTask({ state: 'done' });
      await c.rate(taskId, ['owner', 'admin']);
      return { path: `/tasks/${taskId}/rating` };
    },
    expect: { owner: 200, admin: 200, member: '404 rating_not_found', guest: noTask, agent: agentsNotAllowed, nonMember: noTask, deactivated },
  },
  {
    route: 'GET /agents/:agentId/tasks',
    given: "the agent (the owner's), with a task",
    arrange: async (c) => {
      await c.newTask();
      return { path: `/agents/${c.ids.agent}/tasks` };
    },
    expect: agentHistory,
  },
  {
    route: 'GET /agents/:agentId/stats',
    given: "the agent (the owner's), with a task",
    arrange: async (c) => {
      await c.newTask();
      return { path: `/agents/${c.ids.agent}/stats` };
    },
    expect: agentHistory,
  },
  {
    route: 'GET /orgs/:orgId/insights/interventions',
    arrange: (c) => ({ path: `/orgs/${c.orgId}/insights/interventions` }),
    expect: { owner: 200, admin: 200, member: adminRequired, guest: adminRequired, agent: agentsNotAllowed, nonMember: noOrg, deactivated },
  },
];

/** The agents' context bundle: agents only, in channels they serve in (with the context:read scope). */
const contextRows: Row[] = [
  {
    route: 'GET /channels/:channelId/context',
    given: '#room (public)',
    arrange: (c) => ({ path: `/channels/${c.room.channelId}/context` }),
    expect: { owner: agentsOnly, admin: agentsOnly, member: agentsOnly, guest: noChannel, agent: 200, nonMember: noChannel, deactivated },
  },
  {
    route: 'GET /channels/:channelId/context',
    given: '#general (public; the agent was never added)',
    arrange: (c) => ({ path: `/channels/${c.generalId}/context` }),
    expect: { owner: agentsOnly, admin: agentsOnly, member: agentsOnly, guest: noChannel, agent: noChannel, nonMember: noChannel, deactivated },
  },
];

/**
 * Search: every member may search, and finds only what it may read (what each caller finds is
 * tested in search/*.test.ts); an agent token needs messages:read.
 */
const searchRows: Row[] = [
  {
    route: 'GET /orgs/:orgId/search',
    arrange: (c) => ({ path: `/orgs/${c.orgId}/search?q=hello` }),
    expect: { owner: 200, admin: 200, member: 200, guest: 200, agent: 200, nonMember: noOrg, deactivated },
  },
];

const noDoc = '404 doc_not_found';
/** Reading a doc follows reading its channel: #room is public (the guest is not in it), #secret private. */
const readsRoom = { owner: 200, admin: 200, member: 200, guest: noDoc, agent: 200, nonMember: noDoc, deactivated } as const;

/** Pins and channel docs (knowledge/): they follow their channel's readers, and its posting rules for writes. */
const knowledgeRows: Row[] = [
  ...(['room', 'secret', 'general'] as const).map((where): Row => ({
    route: 'GET /channels/:channelId/pins',
    given: `#${where}, with a pinned message`,
    arrange: (c) => {
      const room = where === 'room' ? c.room : where === 'secret' ? c.secret : { channelId: c.generalId, messageId: c.generalMessageId };
      return { path: `/channels/${room.channelId}/pins` };
    },
    expect:
      where === 'room' ? { owner: 200, admin: 200, member: 200, guest: noChannel, agent: 200, nonMember: noChannel, deactivated }
      : where === 'secret' ? { owner: 200, admin: noChannel, member: noChannel, guest: 200, agent: 200, nonMember: noChannel, deactivated }
      : { owner: 200, admin: 200, member: 200, guest: noChannel, agent: noChannel, nonMember: noChannel, deactivated },
  })),
  {
    route: 'PUT /messages/:messageId/pin',
    given: "the owner's message in a fresh room (who_may_pin: members)",
    arrange: async (c) => ({ path: `/messages/${(await c.newRoom()).messageId}/pin`, body: { note: 'the plan' } }),
    expect: { owner: 201, admin: 201, member: 201, guest: noMessage, agent: 201, nonMember: noMessage, deactivated },
  },
  {
    route: 'PUT /messages/:messageId/pin',
    given: "#secret's message, already pinned (pinning again answers the existing pin)",
    arrange: (c) => ({ path: `/messages/${c.secret.messageId}/pin`, body: {} }),
    expect: { owner: 200, admin: noMessage, member: noMessage, guest: 200, agent: 200, nonMember: noMessage, deactivated },
  },
  {
    route: 'DELETE /messages/:messageId/pin',
    given: 'a pinned message in a fresh room',
    arrange: async (c) => ({ path: `/messages/${(await c.newPinned()).messageId}/pin` }),
    expect: { owner: 204, admin: 204, member: 204, guest: noMessage, agent: 204, nonMember: noMessage, deactivated },
  },
  {
    route: 'POST /channels/:channelId/docs',
    given: 'a fresh room',
    arrange: async (c) => ({ path: `/channels/${(await c.newRoom()).channelId}/docs`, body: { title: 'Runbook', body: '# Deploys\n' } }),
    expect: { owner: 201, admin: 201, member: 201, guest: noChannel, agent: 201, nonMember: noChannel, deactivated },
  },
  {
    route: 'POST /channels/:channelId/docs',
    given: '#general (public; the agent was never added)',
    arrange: (c) => ({ path: `/channels/${c.generalId}/docs`, body: { title: 'Runbook', body: '' } }),
    expect: { owner: 201, admin: 201, member: 201, guest: noChannel, agent: noChannel, nonMember: noChannel, deactivated },
  },
  ...(['room', 'secret', 'general'] as const).map((where): Row => ({
    route: 'GET /channels/:channelId/docs',
    given: `#${where}, with a doc`,
    arrange: async (c) => ({ path: `/channels/${(await c.newDoc({ in: where })).channelId}/docs` }),
    expect:
      where === 'room' ? { owner: 200, admin: 200, member: 200, guest: noChannel, agent: 200, nonMember: noChannel, deactivated }
      : where === 'secret' ? { owner: 200, admin: noChannel, member: noChannel, guest: 200, agent: 200, nonMember: noChannel, deactivated }
      : { owner: 200, admin: 200, member: 200, guest: noChannel, agent: noChannel, nonMember: noChannel, deactivated },
  })),
  ...(['room', 'secret', 'general'] as const).map((where): Row => ({
    route: 'GET /docs/:docId',
    given: `a doc in #${where}`,
    arrange: async (c) => ({ path: `/docs/${(await c.newDoc({ in: where })).docId}` }),
    expect:
      where === 'room' ? readsRoom
      : where === 'secret' ? { owner: 200, admin: noDoc, member: noDoc, guest: 200, agent: 200, nonMember: noDoc, deactivated }
      : { owner: 200, admin: 200, member: 200, guest: noDoc, agent: noDoc, nonMember: noDoc, deactivated },
  })),
  {
    route: 'GET /docs/:docId/revisions',
    given: 'a doc in #room with two revisions',
    arrange: async (c) => ({ path: `/docs/${(await c.newDoc({ in: 'room', revisions: 2 })).docId}/revisions` }),
    expect: readsRoom,
  },
  {
    route: 'GET /docs/:docId/revisions/:revision',
    given: 'a doc in #room with two revisions',
    arrange: async (c) => ({ path: `/docs/${(await c.newDoc({ in: 'room', revisions: 2 })).docId}/revisions/1` }),
    expect: readsRoom,
  },
  {
    route: 'GET /docs/:docId/diff',
    given: 'a doc in #room with two revisions',
    arrange: async (c) => ({ path: `/docs/${(await c.newDoc({ in: 'room', revisions: 2 })).docId}/diff?from=1&to=2` }),
    expect: readsRoom,
  },
  {
    route: 'PATCH /docs/:docId',
    given: "the owner's doc in a fresh room, edited at its revision",
    arrange: async (c) => ({ path: `/docs/${(await c.newDoc()).docId}`, body: { revision: 1, body: 'Edited.' } }),
    expect: { owner: 200, admin: 200, member: 200, guest: noDoc, agent: 200, nonMember: noDoc, deactivated },
  },
  {
    route: 'POST /docs/:docId/restore',
    given: "the owner's doc in a fresh room with two revisions, restoring the first",
    arrange: async (c) => ({ path: `/docs/${(await c.newDoc({ revisions: 2 })).docId}/restore`, body: { revision: 1 } }),
    expect: { owner: 200, admin: 200, member: 200, guest: noDoc, agent: 200, nonMember: noDoc, deactivated },
  },
  {
    route: 'POST /docs/:docId/archive',
    given: "the owner's doc in a fresh room (the owner owns the room)",
    arrange: async (c) => ({ path: `/docs/${(await c.newDoc()).docId}/archive` }),
    expect: { owner: 200, admin: 200, member: '403 moderator_required', guest: noDoc, agent: '403 moderator_required', nonMember: noDoc, deactivated },
  },
  {
    route: 'POST /docs/:docId/unarchive',
    given: "the owner's archived doc in a fresh room",
    arrange: async (c) => ({ path: `/docs/${(await c.newDoc({ archived: true })).docId}/unarchive` }),
    expect: { owner: 200, admin: 200, member: '403 moderator_required', guest: noDoc, agent: '403 moderator_required', nonMember: noDoc, deactivated },
  },
  {
    route: 'PUT /channels/:channelId/guide',
    given: "a fresh room with the owner's doc, marked as the guide",
    arrange: async (c) => {
      const { docId, channelId } = await c.newDoc();
      return { path: `/channels/${channelId}/guide`, body: { doc_id: docId } };
    },
    expect: { owner: 200, admin: 200, member: '403 moderator_required', guest: noChannel, agent: agentsNotAllowed, nonMember: noChannel, deactivated },
  },
];

const noEntry = '404 experience_not_found';
const notEntryOwner = '403 not_entry_owner';
/** Changing an entry the owner distilled in a fresh public room: its owners (author, channel moderators, org admins). */
const entryOwners: Record<ActorName, Cell> = { owner: 200, admin: 200, member: notEntryOwner, guest: noEntry, agent: notEntryOwner, nonMember: noEntry, deactivated };
const channelReaders: Record<ActorName, Cell> = { owner: 200, admin: 200, member: 200, guest: noChannel, agent: 200, nonMember: noChannel, deactivated };
const orgReaders: Record<ActorName, Cell> = { owner: 200, admin: 200, member: 200, guest: 200, agent: 200, nonMember: noOrg, deactivated };

/** Experience: distilled in channels, read by the origin's readers (or the org's, once promoted), owned by author, moderators and admins. */
const experienceRows: Row[] = [
  {
    route: 'POST /channels/:channelId/experience',
    given: 'a fresh public room (the member and the agent in it) and a message there',
    arrange: async (c) => {
      const room = await c.newRoom();
      return { path: `/channels/${room.channelId}/experience`, body: { title: 'Lesson', body: 'What we learnt.', sources: [{ type: 'message', id: room.messageId }] } };
    },
    expect: { owner: 201, admin: 201, member: 201, guest: noChannel, agent: 201, nonMember: noChannel, deactivated },
  },
  { route: 'GET /channels/:channelId/experience', given: '#room (public)', arrange: (c) => ({ path: `/channels/${c.room.channelId}/experience` }), expect: channelReaders },
  { route: 'GET /channels/:channelId/experience/review', given: '#room (public)', arrange: (c) => ({ path: `/channels/${c.room.channelId}/experience/review` }), expect: channelReaders },
  { route: 'GET /orgs/:orgId/experience', given: 'guests read no org-scope entry: their list is empty', arrange: (c) => ({ path: `/orgs/${c.orgId}/experience` }), expect: orgReaders },
  { route: 'GET /orgs/:orgId/experience/review', arrange: (c) => ({ path: `/orgs/${c.orgId}/experience/review` }), expect: orgReaders },
  {
    route: 'GET /experience/:entryId',
    given: 'an entry of a fresh public room',
    arrange: async (c) => ({ path: `/experience/${await c.newEntry()}` }),
    expect: { owner: 200, admin: 200, member: 200, guest: noEntry, agent: 200, nonMember: noEntry, deactivated },
  },
  {
    route: 'GET /experience/:entryId',
    given: 'an entry of #secret (private: owner, guest, agent)',
    arrange: async (c) => ({ path: `/experience/${await c.newEntry({ in: 'secret' })}` }),
    expect: { owner: 200, admin: noEntry, member: noEntry, guest: 200, agent: 200, nonMember: noEntry, deactivated },
  },
  { route: 'PATCH /experience/:entryId', given: "the owner's entry in a fresh public room", arrange: async (c) => ({ path: `/experience/${await c.newEntry()}`, body: { title: 'Renamed' } }), expect: entryOwners },
  {
    route: 'POST /experience/:entryId/confirm',
    given: "the owner's entry in a fresh public room",
    arrange: async (c) => ({ path: `/experience/${await c.newEntry()}/confirm`, body: {} }),
    expect: { ...entryOwners, agent: agentsNotAllowed },
  },
  { route: 'POST /experience/:entryId/deprecate', given: "the owner's entry in a fresh public room", arrange: async (c) => ({ path: `/experience/${await c.newEntry()}/deprecate` }), expect: entryOwners },
  {
    route: 'POST /experience/:entryId/supersede',
    given: "two of the owner's entries in a fresh public room",
    arrange: async (c) => {
      const room = await c.newRoom();
      const [older, newer] = [await c.newEntry({ in: room }), await c.newEntry({ in: room })];
      return { path: `/experience/${older}/supersede`, body: { by: newer } };
    },
    expect: entryOwners,
  },
  {
    route: 'POST /experience/:entryId/promote',
    given: "the owner's entry in a fresh public room: the audience rule holds for the whole org",
    arrange: async (c) => ({ path: `/experience/${await c.newEntry()}/promote`, body: {} }),
    expect: entryOwners,
  },
  {
    route: 'PUT /experience/:entryId/vote',
    given: "the owner's entry in a fresh public room",
    arrange: async (c) => ({ path: `/experience/${await c.newEntry()}/vote`, body: { vote: 'endorse' } }),
    expect: { owner: '403 own_entry', admin: 200, member: 200, guest: noEntry, agent: agentsNotAllowed, nonMember: noEntry, deactivated },
  },
  {
    route: 'DELETE /experience/:entryId/vote',
    given: "the owner's entry in a fresh public room, endorsed by the admin and the member",
    arrange: async (c) => ({ path: `/experience/${await c.newEntry({ endorsedBy: ['admin', 'member'] })}/vote` }),
    expect: { owner: '403 own_entry', admin: 204, member: 204, guest: noEntry, agent: agentsNotAllowed, nonMember: noEntry, deactivated },
  },
  {
    route: 'POST /experience/:entryId/reports',
    given: "an entry of a fresh room where the agent holds a running task",
    arrange: async (c) => {
      const { taskId, channelId } = await c.newTask({ state: 'running' });
      return { path: `/experience/${await c.newEntry({ in: { channelId } })}/reports`, body: { task_id: taskId, outcome: 'helpful' } };
    },
    expect: { owner: agentsOnly, admin: agentsOnly, member: agentsOnly, guest: noEntry, agent: 201, nonMember: noEntry, deactivated },
  },
  {
    route: 'GET /channels/:channelId/insights',
    given: '#room (public)',
    arrange: (c) => ({ path: `/channels/${c.room.channelId}/insights` }),
    expect: { owner: 200, admin: 200, member: 200, guest: noChannel, agent: agentsNotAllowed, nonMember: noChannel, deactivated },
  },
  {
    route: 'GET /orgs/:orgId/insights/experience',
    arrange: (c) => ({ path: `/orgs/${c.orgId}/insights/experience` }),
    expect: { owner: 200, admin: 200, member: adminRequired, guest: adminRequired, agent: agentsNotAllowed, nonMember: noOrg, deactivated },
  },
];

const moderatorRequired = '403 moderator_required';

/** Outgoing webhooks (the agent's sponsor or an org admin) and incoming webhooks (channel moderators). */
const webhookRows: Row[] = [
  {
    route: 'PUT /agents/:agentId/webhook',
    given: "the helper agent, the owner's",
    arrange: (c) => ({ path: `/agents/${c.helperId}/webhook`, body: { url: 'https://hooks.example.test/chorus' } }),
    expect: { owner: 200, admin: 200, member: notSponsor, guest: notSponsor, agent: agentsNotAllowed, nonMember: noAgent, deactivated },
  },
  {
    route: 'GET /agents/:agentId/webhook',
    given: "the helper agent, the owner's, with a webhook",
    arrange: async (c) => {
      await c.setWebhook(c.helperId);
      return { path: `/agents/${c.helperId}/webhook` };
    },
    expect: { owner: 200, admin: 200, member: notSponsor, guest: notSponsor, agent: agentsNotAllowed, nonMember: noAgent, deactivated },
  },
  {
    route: 'DELETE /agents/:agentId/webhook',
    given: "the helper agent, the owner's, with a webhook",
    arrange: async (c) => {
      await c.setWebhook(c.helperId);
      return { path: `/agents/${c.helperId}/webhook` };
    },
    expect: { owner: 204, admin: 204, member: notSponsor, guest: notSponsor, agent: agentsNotAllowed, nonMember: noAgent, deactivated },
  },
  {
    route: 'POST /agents/:agentId/webhook/secret',
    given: "the helper agent, the owner's, with a webhook",
    arrange: async (c) => {
      await c.setWebhook(c.helperId);
      return { path: `/agents/${c.helperId}/webhook/secret` };
    },
    expect: { owner: 201, admin: 201, member: notSponsor, guest: notSponsor, agent: agentsNotAllowed, nonMember: noAgent, deactivated },
  },
  {
    route: 'GET /agents/:agentId/webhook/deliveries',
    given: "the agent (the owner's), with a delivery",
    arrange: async (c) => {
      await c.newDelivery();
      return { path: `/agents/${c.ids.agent}/webhook/deliveries` };
    },
    expect: { owner: 200, admin: 200, member: notSponsor, guest: notSponsor, agent: agentsNotAllowed, nonMember: noAgent, deactivated },
  },
  {
    route: 'POST /agents/:agentId/webhook/deliveries/:deliveryId/redeliver',
    given: "a fresh delivery to the agent (the owner's)",
    arrange: async (c) => ({ path: `/agents/${c.ids.agent}/webhook/deliveries/${await c.newDelivery()}/redeliver` }),
    expect: { owner: 201, admin: 201, member: notSponsor, guest: notSponsor, agent: agentsNotAllowed, nonMember: noAgent, deactivated },
  },
  {
    route: 'POST /channels/:channelId/incoming-webhooks',
    given: '#room (public)',
    arrange: (c) => ({ path: `/channels/${c.room.channelId}/incoming-webhooks`, body: { name: 'CI' } }),
    expect: { owner: 201, admin: 201, member: moderatorRequired, guest: noChannel, agent: agentsNotAllowed, nonMember: noChannel, deactivated },
  },
  {
    route: 'GET /channels/:channelId/incoming-webhooks',
    given: '#room (public), with a hook',
    arrange: async (c) => {
      await c.newIncomingWebhook(c.room.channelId);
      return { path: `/channels/${c.room.channelId}/incoming-webhooks` };
    },
    expect: { owner: 200, admin: 200, member: moderatorRequired, guest: noChannel, agent: agentsNotAllowed, nonMember: noChannel, deactivated },
  },
  {
    route: 'GET /channels/:channelId/incoming-webhooks',
    given: '#secret (private; the admin is not in it), with a hook',
    arrange: async (c) => {
      await c.newIncomingWebhook(c.secret.channelId);
      return { path: `/channels/${c.secret.channelId}/incoming-webhooks` };
    },
    expect: { owner: 200, admin: noChannel, member: noChannel, guest: moderatorRequired, agent: agentsNotAllowed, nonMember: noChannel, deactivated },
  },
  {
    route: 'DELETE /channels/:channelId/incoming-webhooks/:hookId',
    given: 'a fresh hook in #room (public)',
    arrange: async (c) => ({ path: `/channels/${c.room.channelId}/incoming-webhooks/${(await c.newIncomingWebhook(c.room.channelId)).id}` }),
    expect: { owner: 204, admin: 204, member: moderatorRequired, guest: noChannel, agent: agentsNotAllowed, nonMember: noChannel, deactivated },
  },
];

/** Profiles (profiles/routes.ts) and notification preferences (notifications/routes.ts). */
const profileRows: Row[] = [
  {
    route: 'PATCH /orgs/:orgId/members/:memberId/profile',
    given: "the helper agent, the owner's",
    arrange: (c) => ({ path: `/orgs/${c.orgId}/members/${c.helperId}/profile`, body: { custom_status: { emoji: '🤖', text: 'Summarising' } } }),
    expect: { owner: 200, admin: 200, member: notSponsor, guest: notSponsor, agent: agentsNotAllowed, nonMember: noOrg, deactivated },
  },
  {
    route: 'PATCH /orgs/:orgId/members/:memberId/profile',
    given: "the owner's own profile",
    arrange: (c) => ({ path: `/orgs/${c.orgId}/members/${c.ids.owner}/profile`, body: { display_name: 'Olive' } }),
    expect: { owner: 200, admin: '403 not_yourself', member: '403 not_yourself', guest: '403 not_yourself', agent: agentsNotAllowed, nonMember: noOrg, deactivated },
  },
  {
    route: 'PUT /orgs/:orgId/members/:memberId/avatar',
    given: "the helper agent, the owner's; a 1×1 PNG",
    arrange: (c) => ({ path: `/orgs/${c.orgId}/members/${c.helperId}/avatar`, body: { image: tinyPng } }),
    expect: { owner: 200, admin: 200, member: notSponsor, guest: notSponsor, agent: agentsNotAllowed, nonMember: noOrg, deactivated },
  },
  {
    route: 'DELETE /orgs/:orgId/members/:memberId/avatar',
    given: "the helper agent, the owner's",
    arrange: (c) => ({ path: `/orgs/${c.orgId}/members/${c.helperId}/avatar` }),
    expect: { owner: 200, admin: 200, member: notSponsor, guest: notSponsor, agent: agentsNotAllowed, nonMember: noOrg, deactivated },
  },
  {
    route: 'GET /orgs/:orgId/members/:memberId/avatar',
    given: "the owner's avatar (org-visible, not channel-bound)",
    arrange: async (c) => {
      await c.setAvatar(c.ids.owner);
      return { path: `/orgs/${c.orgId}/members/${c.ids.owner}/avatar` };
    },
    expect: { owner: 200, admin: 200, member: 200, guest: 200, agent: 200, nonMember: noOrg, deactivated },
  },
  {
    route: 'GET /orgs/:orgId/notifications',
    arrange: (c) => ({ path: `/orgs/${c.orgId}/notifications` }),
    expect: { owner: 200, admin: 200, member: 200, guest: 200, agent: agentsNotAllowed, nonMember: noOrg, deactivated },
  },
  {
    route: 'PATCH /orgs/:orgId/notifications',
    arrange: (c) => ({ path: `/orgs/${c.orgId}/notifications`, body: { desktop: 'all' } }),
    expect: { owner: 200, admin: 200, member: 200, guest: 200, agent: agentsNotAllowed, nonMember: noOrg, deactivated },
  },
  {
    route: 'PUT /channels/:channelId/mute',
    given: 'a fresh room (the owner, the member and the agent are in it)',
    arrange: async (c) => ({ path: `/channels/${(await c.newRoom()).channelId}/mute`, body: { muted: true } }),
    expect: { owner: 200, admin: '409 not_a_member', member: 200, guest: noChannel, agent: agentsNotAllowed, nonMember: noChannel, deactivated },
  },
];

const noFile = '404 file_not_found';
const fileReaders = (where: 'room' | 'secret' | 'general'): Record<ActorName, Cell> =>
  where === 'room' ? { owner: 200, admin: 200, member: 200, guest: noFile, agent: 200, nonMember: noFile, deactivated }
  : where === 'secret' ? { owner: 200, admin: noFile, member: noFile, guest: 200, agent: 200, nonMember: noFile, deactivated }
  : { owner: 200, admin: 200, member: 200, guest: noFile, agent: noFile, nonMember: noFile, deactivated };
/** A pending upload is its uploader's alone. */
const uploaderOnly: Record<ActorName, Cell> = { owner: 200, admin: noFile, member: noFile, guest: noFile, agent: noFile, nonMember: noFile, deactivated };

/** Files: read like the message they are attached to; the bytes through a signed link (a public route). */
const fileRows: Row[] = [
  {
    route: 'POST /channels/:channelId/files',
    given: 'a fresh public room with the member and the agent',
    arrange: async (c) => ({ path: `/channels/${(await c.newRoom()).channelId}/files?name=notes.txt` }),
    expect: { owner: 201, admin: 201, member: 201, guest: noChannel, agent: 201, nonMember: noChannel, deactivated },
  },
  ...(['room', 'secret', 'general'] as const).map((where): Row => ({
    route: 'GET /channels/:channelId/files',
    given: `#${where}`,
    arrange: (c) => ({ path: `/channels/${where === 'room' ? c.room.channelId : where === 'secret' ? c.secret.channelId : c.generalId}/files` }),
    expect:
      where === 'room' ? channelReaders
      : where === 'secret' ? { owner: 200, admin: noChannel, member: noChannel, guest: 200, agent: 200, nonMember: noChannel, deactivated }
      : { owner: 200, admin: 200, member: 200, guest: noChannel, agent: noChannel, nonMember: noChannel, deactivated },
  })),
  ...(['room', 'secret', 'general'] as const).flatMap((where): Row[] => [
    {
      route: 'GET /files/:fileId',
      given: `attached to the owner's message in #${where}`,
      arrange: async (c) => ({ path: `/files/${(await c.newFile({ in: where })).fileId}` }),
      expect: fileReaders(where),
    },
    {
      route: 'POST /files/:fileId/link',
      given: `attached to the owner's message in #${where}`,
      arrange: async (c) => ({ path: `/files/${(await c.newFile({ in: where })).fileId}/link`, body: {} }),
      expect: fileReaders(where),
    },
  ]),
  {
    route: 'GET /files/:fileId',
    given: "the owner's pending upload in #room",
    arrange: async (c) => ({ path: `/files/${(await c.newFile({ in: 'room', pending: true })).fileId}` }),
    expect: uploaderOnly,
  },
  {
    route: 'POST /files/:fileId/link',
    given: "the owner's pending upload in #room",
    arrange: async (c) => ({ path: `/files/${(await c.newFile({ in: 'room', pending: true })).fileId}/link`, body: {} }),
    expect: uploaderOnly,
  },
  {
    route: 'DELETE /files/:fileId',
    given: "attached to the owner's message in a fresh room",
    arrange: async (c) => ({ path: `/files/${(await c.newFile()).fileId}` }),
    expect: { owner: 204, admin: 204, member: '403 moderator_required', guest: noFile, agent: '403 moderator_required', nonMember: noFile, deactivated },
  },
];

const ownerRequired = '403 owner_required';

const retentionRows: Row[] = [
  {
    route: 'GET /orgs/:orgId/retention',
    arrange: (c) => ({ path: `/orgs/${c.orgId}/retention` }),
    expect: { owner: 200, admin: 200, member: adminRequired, guest: adminRequired, agent: agentsNotAllowed, nonMember: noOrg, deactivated },
  },
  {
    route: 'PUT /orgs/:orgId/retention',
    arrange: (c) => ({ path: `/orgs/${c.orgId}/retention`, body: { keep_days: null } }),
    expect: { owner: 200, admin: 200, member: adminRequired, guest: adminRequired, agent: agentsNotAllowed, nonMember: noOrg, deactivated },
  },
  {
    route: 'GET /channels/:channelId/retention',
    given: '#room (public)',
    arrange: (c) => ({ path: `/channels/${c.room.channelId}/retention` }),
    expect: { owner: 200, admin: 200, member: 200, guest: noChannel, agent: 200, nonMember: noChannel, deactivated },
  },
  {
    route: 'PUT /channels/:channelId/retention',
    given: 'a fresh room',
    arrange: async (c) => ({ path: `/channels/${(await c.newRoom()).channelId}/retention`, body: { keep_days: 365 } }),
    expect: { owner: 200, admin: 200, member: '403 moderator_required', guest: noChannel, agent: agentsNotAllowed, nonMember: noChannel, deactivated },
  },
  {
    route: 'DELETE /channels/:channelId/retention',
    given: 'a fresh room',
    arrange: async (c) => ({ path: `/channels/${(await c.newRoom()).channelId}/retention` }),
    expect: { owner: 200, admin: 200, member: '403 moderator_required', guest: noChannel, agent: agentsNotAllowed, nonMember: noChannel, deactivated },
  },
  {
    route: 'GET /orgs/:orgId/legal-holds',
    arrange: (c) => ({ path: `/orgs/${c.orgId}/legal-holds` }),
    expect: { owner: 200, admin: 200, member: adminRequired, guest: adminRequired, agent: agentsNotAllowed, nonMember: noOrg, deactivated },
  },
  {
    route: 'POST /orgs/:orgId/legal-holds',
    given: 'a hold on #room',
    arrange: (c) => ({ path: `/orgs/${c.orgId}/legal-holds`, body: { channel_id: c.room.channelId, reason: 'Case 42' } }),
    expect: { owner: 201, admin: 201, member: adminRequired, guest: adminRequired, agent: agentsNotAllowed, nonMember: noOrg, deactivated },
  },
  {
    route: 'DELETE /orgs/:orgId/legal-holds/:holdId',
    given: 'a fresh hold on #room',
    arrange: async (c) => ({ path: `/orgs/${c.orgId}/legal-holds/${await c.newLegalHold()}` }),
    expect: { owner: 200, admin: 200, member: adminRequired, guest: adminRequired, agent: agentsNotAllowed, nonMember: noOrg, deactivated },
  },
  {
    route: 'GET /orgs/:orgId/compliance-export',
    arrange: (c) => ({ path: `/orgs/${c.orgId}/compliance-export?from=2020-01-01T00:00:00Z&to=2100-01-01T00:00:00Z` }),
    expect: { owner: 200, admin: ownerRequired, member: ownerRequired, guest: ownerRequired, agent: agentsNotAllowed, nonMember: noOrg, deactivated },
  },
];

export const authorizationTable: Row[] = [
  ...accountRows,
  ...orgRows,
  ...inviteRows,
  ...agentRows,
  ...channelRows,
  ...channelMemberRows,
  ...messageRows,
  ...contextRows,
  ...taskRows,
  ...searchRows,
  ...knowledgeRows,
  ...experienceRows,
  ...webhookRows,
  ...profileRows,
  ...fileRows,
  ...retentionRows,
];

/** Routes anyone may call without credentials. Everything else answers 401 without a token. */
export const publicRoutes: Route[] = [
  'GET /health',
  // operations: liveness and readiness say nothing about data; /metrics checks its own bearer
  // token (CHORUS_METRICS_TOKEN) and does not exist without one (404); it is outside /api/v1
  'GET /live',
  'GET /ready',
  'GET /metrics',
  'GET /openapi.json',
  'POST /auth/signup',
  'POST /auth/login',
  'GET /invites/:token',
  // integrations: the agent guide holds no data; an incoming webhook's URL carries its secret
  'GET /agents/guide.md',
  'POST /hooks/:hookId/:secret',
  // files: the link's signature is the credential (files/links.ts)
  'GET /files/:fileId/content',
];
