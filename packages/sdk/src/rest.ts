import type { ContextBundle } from '@chorus/protocol/context';
import type { PresenceStatus, SendFrame } from '@chorus/protocol/frames';
import type { DocDiff, DocRevisionView, DocSummary, DocView, PinEntry, PinView } from '@chorus/protocol/knowledge';
import type { SearchQuery, SearchResult } from '@chorus/protocol/search';
import type { ChannelRole, ChannelSettings, ChannelView, DesktopNotifications, FileView, InterventionView, MemberView, MessageView, NotificationSettings, OrgRole, ProfileUpdate, TaskStatus, TaskView } from '@chorus/protocol/views';
import type { AgentStats, AgentTokenView, AgentView, AgentWebhookView, AuditEventView, AuditQuery, AuditVerification, InviteView, WebhookDeliveryView } from './admin-types.js';
import type { ExperienceInsights, ExperienceOutcome, ExperienceStatus, ExperienceView, ExperienceVote } from '@chorus/protocol/experience';
import { ChorusError } from './errors.js';

export interface Page {
  messages: MessageView[];
  has_more_before: boolean;
  has_more_after: boolean;
}

export interface Membership {
  role: ChannelRole;
  joined_at: string;
  last_read_seq: number;
}

export interface ChannelListEntry {
  channel: ChannelView;
  membership: Membership;
  unread_count: number;
  mention_count: number;
  /** You muted the channel: show mentions only, notify nothing else. */
  muted: boolean;
}

/** One member of a channel, as `GET /channels/:id/members` lists it. */
export interface ChannelMemberEntry {
  member: MemberView;
  role: ChannelRole;
  joined_at: string;
}

export interface Session {
  user: { id: string; email: string; display_name: string; created_at: string };
  session: { token: string; expires_at: string };
}

/** A command an agent declares in its card: `/name args` in a channel where it is on duty creates a task for it. */
export interface AgentCommand {
  name: string;
  description: string;
  arg_hint?: string;
}

export type PageQuery = { before?: number; after?: number; around?: number; limit?: number };

/** A task with its request and result, each present only where the reader may read it. */
export interface TaskDetail {
  task: TaskView;
  request: MessageView | null;
  result: MessageView | null;
}

/**
 * What `uploadFile` sends: a browser `File`/`Blob`, bytes, or a stream (a web
 * `ReadableStream`, or any async iterable of bytes such as a Node `Readable`).
 */
export type UploadData = Blob | Uint8Array | ArrayBuffer | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;

/** A short-lived link to a file's bytes: GET it without a token until `expires_at`. */
export interface FileLink {
  /** Absolute, on the server's public URL (CHORUS_PUBLIC_URL). */
  url: string;
  /** The same from the server's origin: `/api/v1/files/…`. */
  path: string;
  expires_at: string;
}

/** A claimed task: its detail and the task token confined to the task's channel, shown once. */
export type Claim = TaskDetail & { token: string; token_expires_at: string };

/**
 * The REST API under /api/v1, typed. Every method throws ChorusError with the
 * server's status and error code when the request is refused.
 *
 * @example
 * const rest = new RestClient('http://localhost:3000', token);
 * const { channels } = await rest.channels(orgId);
 */
export class RestClient {
  constructor(
    readonly baseUrl: string,
    readonly token: string | null = null,
    private readonly fetchImpl: typeof fetch = globalThis.fetch.bind(globalThis),
  ) {}

  withToken(token: string | null): RestClient {
    return new RestClient(this.baseUrl, token, this.fetchImpl);
  }

  /** A request whose answer is not JSON (an image, an export): the response, once it is known to be a success. */
  async requestRaw(method: string, path: string): Promise<Response> {
    const res = await this.fetchImpl(`${this.baseUrl.replace(/\/$/, '')}/api/v1${path}`, { method, headers: this.token ? { authorization: `Bearer ${this.token}` } : {} });
    if (!res.ok) {
      const text = await res.text();
      let error: { code?: string; message?: string; details?: unknown } | undefined;
      try {
        error = (JSON.parse(text) as { error?: typeof error }).error;
      } catch {
        error = undefined;
      }
      throw new ChorusError(res.status, error?.code ?? 'http_error', error?.message ?? `HTTP ${res.status}`, error?.details);
    }
    return res;
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    return this.send<T>(method, path, body === undefined ? {} : { body: JSON.stringify(body), contentType: 'application/json' });
  }

  private async send<T>(method: string, path: string, payload: { body?: BodyInit; contentType?: string; streaming?: boolean }): Promise<T> {
    const headers: Record<string, string> = {};
    if (payload.contentType) headers['content-type'] = payload.contentType;
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    const res = await this.fetchImpl(`${this.baseUrl.replace(/\/$/, '')}/api/v1${path}`, {
      method,
      headers,
      ...(payload.body !== undefined ? { body: payload.body } : {}),
      // A streamed request body needs half duplex (fetch in Node and Chromium).
      ...(payload.streaming ? ({ duplex: 'half' } as RequestInit) : {}),
    });
    const text = await res.text();
    const json: unknown = text ? JSON.parse(text) : null;
    if (!res.ok) {
      const error = (json as { error?: { code?: string; message?: string; details?: unknown } } | null)?.error;
      throw new ChorusError(res.status, error?.code ?? 'http_error', error?.message ?? `HTTP ${res.status}`, error?.details);
    }
    return json as T;
  }

  // accounts
  signUp(input: { email: string; password: string; display_name: string }) {
    return this.request<Session>('POST', '/auth/signup', input);
  }
  logIn(input: { email: string; password: string }) {
    return this.request<Session>('POST', '/auth/login', input);
  }
  logOut() {
    return this.request<null>('POST', '/auth/logout', {});
  }
  me() {
    return this.request<{ kind: 'user' | 'agent'; memberships: { org: { id: string; name: string; slug: string }; member: MemberView }[] }>('GET', '/me');
  }

  // orgs
  createOrg(input: { name: string; slug?: string; handle?: string }) {
    return this.request<{ org: { id: string; name: string; slug: string }; member: MemberView }>('POST', '/orgs', input);
  }
  members(orgId: string) {
    return this.request<{ members: MemberView[] }>('GET', `/orgs/${orgId}/members`);
  }
  createInvite(orgId: string, input: { role?: 'admin' | 'member' | 'guest'; expires_in_hours?: number; max_uses?: number } = {}) {
    return this.request<{ invite: InviteView; token: string; url: string }>('POST', `/orgs/${orgId}/invites`, input);
  }
  /** What an invite link leads to (no token needed): the org and the role it grants. */
  previewInvite(token: string) {
    return this.request<{ org: { name: string; slug: string }; role: 'admin' | 'member' | 'guest'; expires_at: string }>('GET', `/invites/${token}`);
  }
  /** Who is online in the org (people online, away or offline; agents connected or not); live changes come as `presence` frames. */
  presence(orgId: string) {
    return this.request<{ presence: { member_id: string; status: PresenceStatus; last_seen_at: string | null }[] }>('GET', `/orgs/${orgId}/presence`);
  }
  acceptInvite(token: string, input: { handle?: string; display_name?: string } = {}) {
    return this.request<{ org: { id: string }; member: MemberView }>('POST', `/invites/${token}/accept`, input);
  }

  // agents
  createAgent(
    orgId: string,
    input: { handle: string; display_name: string; description?: string; card?: { skills?: string[]; model?: string; version?: string; commands?: AgentCommand[] } },
  ) {
    return this.request<{ agent: MemberView & { sponsor_id: string } }>('POST', `/orgs/${orgId}/agents`, input);
  }
  issueAgentToken(agentId: string, input: { name: string; scopes: string[]; expires_in_days?: number }) {
    return this.request<{ token: { id: string }; secret: string }>('POST', `/agents/${agentId}/tokens`, input);
  }

  // profiles (display name, avatar, custom status): your own, or your agents'
  /** Changes a display name or custom status; `custom_status: null` clears it. Other clients get `member.updated`. */
  updateProfile(orgId: string, memberId: string, input: ProfileUpdate) {
    return this.request<{ member: MemberView }>('PATCH', `/orgs/${orgId}/members/${memberId}/profile`, input);
  }
  /**
   * Uploads an avatar: PNG, JPEG, GIF or WebP (detected from the bytes), at most 256 KB.
   *
   * @example
   * await rest.setAvatar(orgId, me.id, new Uint8Array(await file.arrayBuffer()));
   */
  setAvatar(orgId: string, memberId: string, image: Uint8Array) {
    return this.request<{ member: MemberView }>('PUT', `/orgs/${orgId}/members/${memberId}/avatar`, { image: toBase64(image) });
  }
  removeAvatar(orgId: string, memberId: string) {
    return this.request<{ member: MemberView }>('DELETE', `/orgs/${orgId}/members/${memberId}/avatar`);
  }
  /** The image behind a member's `avatar_url` (a path under /api/v1), read with this client's token. */
  async avatar(avatarUrl: string): Promise<Blob> {
    return (await this.requestRaw('GET', avatarUrl)).blob();
  }

  // notification preferences (kept by the server: every device follows them)
  notificationSettings(orgId: string) {
    return this.request<NotificationSettings>('GET', `/orgs/${orgId}/notifications`);
  }
  setDesktopNotifications(orgId: string, desktop: DesktopNotifications) {
    return this.request<NotificationSettings>('PATCH', `/orgs/${orgId}/notifications`, { desktop });
  }
  /** Mutes a channel you belong to: no badge count except mentions, no desktop notifications. */
  muteChannel(channelId: string, muted: boolean) {
    return this.request<NotificationSettings>('PUT', `/channels/${channelId}/mute`, { muted });
  }

  // org administration
  org(orgId: string) {
    return this.request<{ org: { id: string; name: string; slug: string; created_at: string } }>('GET', `/orgs/${orgId}`);
  }
  renameOrg(orgId: string, name: string) {
    return this.request<{ org: { id: string; name: string; slug: string; created_at: string } }>('PATCH', `/orgs/${orgId}`, { name });
  }
  member(orgId: string, memberId: string) {
    return this.request<{ member: MemberView }>('GET', `/orgs/${orgId}/members/${memberId}`);
  }
  /** Changes a person's org role (owners and admins; only owners touch ownership). */
  setOrgRole(orgId: string, memberId: string, role: OrgRole) {
    return this.request<{ member: MemberView }>('PATCH', `/orgs/${orgId}/members/${memberId}`, { role });
  }
  /** Deactivates a person; their agents are suspended. */
  deactivateMember(orgId: string, memberId: string) {
    return this.request<{ member: MemberView; suspended_agents: string[] }>('POST', `/orgs/${orgId}/members/${memberId}/deactivate`, {});
  }
  reactivateMember(orgId: string, memberId: string) {
    return this.request<{ member: MemberView }>('POST', `/orgs/${orgId}/members/${memberId}/reactivate`, {});
  }
  invites(orgId: string) {
    return this.request<{ invites: InviteView[] }>('GET', `/orgs/${orgId}/invites`);
  }
  revokeInvite(orgId: string, inviteId: string) {
    return this.request<null>('DELETE', `/orgs/${orgId}/invites/${inviteId}`);
  }

  // agent management (the sponsor or an org admin)
  agents(orgId: string) {
    return this.request<{ agents: AgentView[] }>('GET', `/orgs/${orgId}/agents`);
  }
  agent(agentId: string) {
    return this.request<{ agent: AgentView }>('GET', `/agents/${agentId}`);
  }
  /** Updates an agent's name, description or card, or suspends (`suspended`), resumes (`active`) or retires it for good. */
  updateAgent(agentId: string, input: { display_name?: string; description?: string; card?: AgentView['card']; status?: 'active' | 'suspended' | 'retired' }) {
    return this.request<{ agent: AgentView }>('PATCH', `/agents/${agentId}`, input);
  }
  agentTokens(agentId: string) {
    return this.request<{ tokens: AgentTokenView[] }>('GET', `/agents/${agentId}/tokens`);
  }
  revokeAgentToken(agentId: string, tokenId: string) {
    return this.request<null>('DELETE', `/agents/${agentId}/tokens/${tokenId}`);
  }
  /** The agent's work over the last `days` (tasks by status, time to done, rejections, interventions). */
  agentStats(agentId: string, days?: number) {
    return this.request<AgentStats>('GET', `/agents/${agentId}/stats${queryString({ days })}`);
  }
  /** The agent's webhook; ChorusError 404 `webhook_not_found` when it has none. */
  agentWebhook(agentId: string) {
    return this.request<{ webhook: AgentWebhookView }>('GET', `/agents/${agentId}/webhook`);
  }
  /** Sets the webhook URL; the first time, the signing `secret` is returned (once). */
  setAgentWebhook(agentId: string, url: string) {
    return this.request<{ webhook: AgentWebhookView; secret: string | null }>('PUT', `/agents/${agentId}/webhook`, { url });
  }
  removeAgentWebhook(agentId: string) {
    return this.request<null>('DELETE', `/agents/${agentId}/webhook`);
  }
  rotateAgentWebhookSecret(agentId: string) {
    return this.request<{ webhook: AgentWebhookView; secret: string }>('POST', `/agents/${agentId}/webhook/secret`, {});
  }
  webhookDeliveries(agentId: string, limit?: number) {
    return this.request<{ deliveries: WebhookDeliveryView[] }>('GET', `/agents/${agentId}/webhook/deliveries${queryString({ limit })}`);
  }

  // audit (org admins; channel owners for their channels)
  /** A page of the audit log, oldest first; pass `next_after` back as `after` for the next. */
  audit(orgId: string, query: AuditQuery = {}) {
    return this.request<{ events: AuditEventView[]; next_after: number | null }>('GET', `/orgs/${orgId}/audit${queryString({ ...query })}`);
  }
  /** The audit log (with the same filters) as JSON Lines text; the export is itself audited. */
  async auditExport(orgId: string, query: Omit<AuditQuery, 'limit'> = {}): Promise<string> {
    return (await this.requestRaw('GET', `/orgs/${orgId}/audit/export${queryString({ ...query })}`)).text();
  }
  /** Recomputes the org's hash chain; `ok: false` names the first broken link. */
  verifyAudit(orgId: string) {
    return this.request<AuditVerification>('POST', `/orgs/${orgId}/audit/verify`, {});
  }

  // channels
  /** Your channels and direct messages; archived ones only with `includeArchived`. */
  channels(orgId: string, options: { includeArchived?: boolean } = {}) {
    return this.request<{ channels: ChannelListEntry[] }>('GET', `/orgs/${orgId}/channels${options.includeArchived ? '?include_archived=true' : ''}`);
  }
  /** The org's public channels you may join, with their member counts and whether you are in. */
  browseChannels(orgId: string) {
    return this.request<{ channels: { channel: ChannelView; member_count: number; is_member: boolean }[] }>('GET', `/orgs/${orgId}/channels/browse`);
  }
  createChannel(orgId: string, input: { name: string; kind?: 'public' | 'private'; topic?: string } & Partial<ChannelSettings>) {
    return this.request<{ channel: ChannelView; membership: Membership }>('POST', `/orgs/${orgId}/channels`, input);
  }
  channel(channelId: string) {
    return this.request<{ channel: ChannelView; membership: Membership | null }>('GET', `/channels/${channelId}`);
  }
  /** Rename, set the topic or change settings (channel moderators, org admins). */
  updateChannel(channelId: string, input: { name?: string; topic?: string } & Partial<ChannelSettings>) {
    return this.request<{ channel: ChannelView }>('PATCH', `/channels/${channelId}`, input);
  }
  archive(channelId: string) {
    return this.request<{ channel: ChannelView }>('POST', `/channels/${channelId}/archive`, {});
  }
  unarchive(channelId: string) {
    return this.request<{ channel: ChannelView }>('POST', `/channels/${channelId}/unarchive`, {});
  }
  openDm(orgId: string, memberIds: string[]) {
    return this.request<{ channel: ChannelView; created: boolean }>('POST', `/orgs/${orgId}/dms`, { member_ids: memberIds });
  }
  /** The channel's members and their channel roles. */
  channelMembers(channelId: string) {
    return this.request<{ members: ChannelMemberEntry[] }>('GET', `/channels/${channelId}/members`);
  }
  addMember(channelId: string, memberId: string, role?: ChannelRole) {
    return this.request<{ member: MemberView; role: ChannelRole }>('POST', `/channels/${channelId}/members`, { member_id: memberId, ...(role ? { role } : {}) });
  }
  setMemberRole(channelId: string, memberId: string, role: ChannelRole) {
    return this.request<null>('PATCH', `/channels/${channelId}/members/${memberId}`, { role });
  }
  removeMember(channelId: string, memberId: string) {
    return this.request<null>('DELETE', `/channels/${channelId}/members/${memberId}`);
  }
  join(channelId: string) {
    return this.request<null>('POST', `/channels/${channelId}/join`, {});
  }
  leave(channelId: string) {
    return this.request<null>('POST', `/channels/${channelId}/leave`, {});
  }
  markRead(channelId: string, seq: number) {
    return this.request<{ last_read_seq: number }>('POST', `/channels/${channelId}/read`, { seq });
  }

  // messages
  /** Posts a message; with `stream: true`, opens a streamed reply whose first chunk is `body`. */
  /** Posts a message; `file_ids` attaches your pending uploads in this channel ({@link uploadFile}). */
  post(channelId: string, input: { body: string; thread_root_id?: string; client_msg_id?: string; stream?: boolean } & Pick<SendFrame, 'kind' | 'audience' | 'sources' | 'file_ids'>) {
    return this.request<{ message: MessageView }>('POST', `/channels/${channelId}/messages`, input);
  }
  /** Appends a chunk to your open streamed reply; readers see it live as a `stream` frame. */
  appendChunk(messageId: string, text: string) {
    return this.request<{ index: number }>('POST', `/messages/${messageId}/chunks`, { text });
  }
  /** Ends your streamed reply: the final text (the chunks, or `body`) is stored once. */
  endStream(messageId: string, body?: string) {
    return this.request<{ message: MessageView }>('POST', `/messages/${messageId}/end`, body === undefined ? {} : { body });
  }
  history(channelId: string, query: PageQuery = {}) {
    return this.request<Page>('GET', `/channels/${channelId}/messages${queryString(query)}`);
  }
  thread(messageId: string, query: PageQuery = {}) {
    return this.request<Page & { root: MessageView }>('GET', `/messages/${messageId}/thread${queryString(query)}`);
  }
  message(messageId: string) {
    return this.request<{ message: MessageView }>('GET', `/messages/${messageId}`);
  }
  edit(messageId: string, body: string) {
    return this.request<{ message: MessageView }>('PATCH', `/messages/${messageId}`, { body });
  }
  delete(messageId: string) {
    return this.request<{ message: MessageView }>('DELETE', `/messages/${messageId}`);
  }
  react(messageId: string, emoji: string) {
    return this.request<null>('PUT', `/messages/${messageId}/reactions/${encodeURIComponent(emoji)}`);
  }
  unreact(messageId: string, emoji: string) {
    return this.request<null>('DELETE', `/messages/${messageId}/reactions/${encodeURIComponent(emoji)}`);
  }

  // tasks (an agent works them: claim with its own token, then act with the task token)
  /** The slash commands of the agents on duty in a channel (for a composer's autocomplete); `/name args` creates a task. */
  commands(channelId: string) {
    return this.request<{ commands: (AgentCommand & { agent: { id: string; handle: string; display_name: string }; ambiguous: boolean })[] }>('GET', `/channels/${channelId}/commands`);
  }
  assignTask(channelId: string, input: { agent_id: string; body: string; thread_root_id?: string }) {
    return this.request<TaskDetail>('POST', `/channels/${channelId}/tasks`, input);
  }
  task(taskId: string) {
    return this.request<TaskDetail>('GET', `/tasks/${taskId}`);
  }
  agentTasks(agentId: string, query: { status?: TaskStatus; channel_id?: string; limit?: number } = {}) {
    return this.request<{ tasks: TaskDetail[] }>('GET', `/agents/${agentId}/tasks${queryString(query)}`);
  }
  claimTask(taskId: string) {
    return this.request<Claim>('POST', `/tasks/${taskId}/claim`, {});
  }
  heartbeatTask(taskId: string) {
    return this.request<TaskDetail>('POST', `/tasks/${taskId}/heartbeat`, {});
  }
  completeTask(taskId: string, input: { result_message_id?: string } = {}) {
    return this.request<TaskDetail>('POST', `/tasks/${taskId}/complete`, input);
  }
  failTask(taskId: string, input: { reason: string; retry?: boolean }) {
    return this.request<TaskDetail>('POST', `/tasks/${taskId}/fail`, input);
  }

  /** The channel's tasks, newest first, each with its request and result where the reader may read them. */
  channelTasks(channelId: string, query: { status?: TaskStatus; limit?: number } = {}) {
    return this.request<{ tasks: TaskDetail[] }>('GET', `/channels/${channelId}/tasks${queryString(query)}`);
  }
  /** Rejects a finished result, with a reason (the requester or a moderator). */
  rejectTask(taskId: string, reason: string) {
    return this.request<{ task: TaskView; intervention: InterventionView }>('POST', `/tasks/${taskId}/reject`, { reason });
  }
  /** Sends a finished (or rejected) task back to its agent for another attempt. */
  redoTask(taskId: string, reason?: string) {
    return this.request<{ task: TaskView; intervention: InterventionView }>('POST', `/tasks/${taskId}/redo`, reason ? { reason } : {});
  }
  /**
   * Rates a finished (or rejected) result from 1 to 5, replacing your earlier rating; those who may judge the
   * task only (the requester, moderators, org admins). The answer's `task.rating.mine` is your rating.
   * @example await rest.rateTask(task.id, 4, 'Right answer, a bit long.');
   */
  rateTask(taskId: string, score: number, comment?: string) {
    return this.request<{ task: TaskView }>('PUT', `/tasks/${taskId}/rating`, comment === undefined ? { score } : { score, comment });
  }
  /** Withdraws your rating of the result (`404 rating_not_found` when you had none). */
  unrateTask(taskId: string) {
    return this.request<{ task: TaskView }>('DELETE', `/tasks/${taskId}/rating`);
  }

  // context
  context(channelId: string, query: { task_id?: string; limit?: number; max_chars?: number } = {}) {
    return this.request<ContextBundle>('GET', `/channels/${channelId}/context${queryString(query)}`);
  }

  // search
  /**
   * Full-text search over what the caller may read in the org, best first. Pass
   * `next_cursor` back as `cursor` for the next page. With a task token, an
   * agent finds only what its task's channel may be shown.
   *
   * @example
   *   const { hits, next_cursor } = await client.search(orgId, { q: '"release plan" -draft', author_kind: 'human' });
   *   for (const hit of hits) render(hit.snippet.text, hit.snippet.highlights);
   */
  search(orgId: string, query: SearchQuery) {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query) as [string, string | number | string[] | undefined][]) {
      if (value === undefined) continue;
      for (const v of Array.isArray(value) ? value : [value]) params.append(key, String(v));
    }
    return this.request<SearchResult>('GET', `/orgs/${orgId}/search?${params.toString()}`);
  }

  // pins
  /** The channel's pins, most recently pinned first, with the messages you may read. */
  pins(channelId: string, query: { limit?: number } = {}) {
    return this.request<{ pins: PinEntry[]; has_more: boolean }>('GET', `/channels/${channelId}/pins${queryString(query)}`);
  }
  /** Pins a message (idempotent: pinning a pinned message returns the existing pin, note unchanged). */
  pin(messageId: string, note?: string) {
    return this.request<{ pin: PinView; message: MessageView }>('PUT', `/messages/${messageId}/pin`, note === undefined ? {} : { note });
  }
  unpin(messageId: string) {
    return this.request<null>('DELETE', `/messages/${messageId}/pin`);
  }

  // channel docs
  createDoc(channelId: string, input: { title: string; body: string }) {
    return this.request<{ doc: DocView }>('POST', `/channels/${channelId}/docs`, input);
  }
  /** The channel's docs without bodies (the guide first); archived ones with `includeArchived`. */
  docs(channelId: string, options: { includeArchived?: boolean; limit?: number } = {}) {
    const query = [options.includeArchived ? 'include_archived=true' : '', options.limit ? `limit=${options.limit}` : ''].filter(Boolean).join('&');
    return this.request<{ docs: DocSummary[]; has_more: boolean }>('GET', `/channels/${channelId}/docs${query ? `?${query}` : ''}`);
  }
  doc(docId: string) {
    return this.request<{ doc: DocView }>('GET', `/docs/${docId}`);
  }
  /**
   * Saves an edit made to `revision`. If the doc moved on since, throws ChorusError 409
   * `revision_conflict` whose `details.doc` is the current doc: merge into it and save again.
   *
   * @example
   * const { doc } = await rest.doc(id);
   * await rest.editDoc(id, { revision: doc.revision, body: doc.body + '\n- one more step' });
   */
  editDoc(docId: string, input: { revision: number; title?: string; body?: string }) {
    return this.request<{ doc: DocView }>('PATCH', `/docs/${docId}`, input);
  }
  docRevisions(docId: string, query: { before?: number; limit?: number } = {}) {
    return this.request<{ revisions: DocRevisionView[]; has_more: boolean }>('GET', `/docs/${docId}/revisions${queryString(query)}`);
  }
  docRevision(docId: string, revision: number) {
    return this.request<{ revision: DocRevisionView }>('GET', `/docs/${docId}/revisions/${revision}`);
  }
  /** A line-based unified diff of the body between two revisions. */
  docDiff(docId: string, from: number, to: number) {
    return this.request<DocDiff>('GET', `/docs/${docId}/diff${queryString({ from, to })}`);
  }
  /** Restores an old revision as a new one; `current_revision` guards like an edit. */
  restoreDoc(docId: string, input: { revision: number; current_revision?: number }) {
    return this.request<{ doc: DocView }>('POST', `/docs/${docId}/restore`, input);
  }
  archiveDoc(docId: string) {
    return this.request<{ doc: DocView }>('POST', `/docs/${docId}/archive`, {});
  }
  unarchiveDoc(docId: string) {
    return this.request<{ doc: DocView }>('POST', `/docs/${docId}/unarchive`, {});
  }
  /** Marks a doc as the channel's guide for agents (null: none); channel moderators and org admins. */
  setGuide(channelId: string, docId: string | null) {
    return this.request<{ guide: DocSummary | null }>('PUT', `/channels/${channelId}/guide`, { doc_id: docId });
  }
  // experience
  /**
   * Distils an entry in a channel from messages or threads you may read; each source must be read
   * by everyone who reads the channel (`403 audience_violation` otherwise).
   *
   * @example
   * const { experience } = await rest.createExperience(channelId, {
   *   title: 'Take the migration lock first', body: '…', tags: ['deploy'],
   *   sources: [{ type: 'thread', id: incidentRootId }], review_by: '2027-01-01T00:00:00Z',
   * });
   */
  createExperience(channelId: string, input: ExperienceInput & { sources: { type: 'message' | 'thread' | 'doc'; id: string }[] }) {
    return this.request<{ experience: ExperienceView }>('POST', `/channels/${channelId}/experience`, input);
  }
  /** A channel's entries: current ones, or history with `status`. */
  channelExperience(channelId: string, query: ExperienceQuery = {}) {
    return this.request<{ experience: ExperienceView[] }>('GET', `/channels/${channelId}/experience${params(query)}`);
  }
  /** The org's org-scope entries. */
  orgExperience(orgId: string, query: ExperienceQuery = {}) {
    return this.request<{ experience: ExperienceView[] }>('GET', `/orgs/${orgId}/experience${params(query)}`);
  }
  /** Entries awaiting review: a channel's (`channelId`), or the org's org-scope ones (`orgId`). */
  experienceReviewQueue(where: { channelId: string } | { orgId: string }) {
    return this.request<{ experience: ExperienceView[] }>('GET', 'channelId' in where ? `/channels/${where.channelId}/experience/review` : `/orgs/${where.orgId}/experience/review`);
  }
  experience(entryId: string) {
    return this.request<{ experience: ExperienceView }>('GET', `/experience/${entryId}`);
  }
  editExperience(entryId: string, input: Partial<ExperienceInput>) {
    return this.request<{ experience: ExperienceView }>('PATCH', `/experience/${entryId}`, input);
  }
  /** Confirms the entry still holds, with its next review date (or none). */
  confirmExperience(entryId: string, reviewBy: string | null = null) {
    return this.request<{ experience: ExperienceView }>('POST', `/experience/${entryId}/confirm`, { review_by: reviewBy });
  }
  deprecateExperience(entryId: string) {
    return this.request<{ experience: ExperienceView }>('POST', `/experience/${entryId}/deprecate`, {});
  }
  supersedeExperience(entryId: string, byEntryId: string) {
    return this.request<{ experience: ExperienceView }>('POST', `/experience/${entryId}/supersede`, { by: byEntryId });
  }
  /** Org scope: when every person of the org reads the sources, or an org admin's override with a reason. */
  promoteExperience(entryId: string, override?: { reason: string }) {
    return this.request<{ experience: ExperienceView }>('POST', `/experience/${entryId}/promote`, override ? { override: true, reason: override.reason } : {});
  }
  /** Endorse, or flag with a reason; one vote per person, changeable. */
  voteExperience(entryId: string, vote: ExperienceVote, reason?: string) {
    return this.request<{ experience: ExperienceView }>('PUT', `/experience/${entryId}/vote`, { vote, ...(reason ? { reason } : {}) });
  }
  unvoteExperience(entryId: string) {
    return this.request<null>('DELETE', `/experience/${entryId}/vote`);
  }
  /** For agents: whether the entry helped in a task you hold; one report per task. */
  reportExperience(entryId: string, input: { task_id: string; outcome: ExperienceOutcome; note?: string }) {
    return this.request<{ experience: ExperienceView }>('POST', `/experience/${entryId}/reports`, input);
  }
  channelInsights(channelId: string, days?: number) {
    return this.request<{ experience: ExperienceInsights; tasks: unknown }>('GET', `/channels/${channelId}/insights${days ? `?days=${days}` : ''}`);
  }
  orgExperienceInsights(orgId: string) {
    return this.request<ExperienceInsights>('GET', `/orgs/${orgId}/insights/experience`);
  }

  // files
  /**
   * Uploads a file to a channel, streamed as the request body; the server detects its type from the
   * bytes. It stays pending (yours alone) until you attach it with `post(…, { file_ids })`.
   *
   * @example
   *   const { file } = await rest.uploadFile(channelId, input.files[0]);            // browser File
   *   const { file } = await rest.uploadFile(channelId, createReadStream(p), 'report.pdf'); // Node stream
   *   await rest.post(channelId, { body: 'The report', file_ids: [file.id] });
   */
  uploadFile(channelId: string, data: UploadData, name?: string) {
    const fileName = name ?? (typeof File !== 'undefined' && data instanceof File ? data.name : undefined);
    if (!fileName) throw new TypeError('uploadFile needs a name unless data is a File');
    const whole = data instanceof Blob || data instanceof Uint8Array || data instanceof ArrayBuffer;
    return this.send<{ file: FileView }>('POST', `/channels/${channelId}/files${params({ name: fileName })}`, {
      body: data as BodyInit,
      contentType: 'application/octet-stream',
      streaming: !whole,
    });
  }
  /** The channel's files you may read (attached to messages you may read, and your pending uploads), newest first. */
  files(channelId: string, query: { before?: string; limit?: number } = {}) {
    return this.request<{ files: FileView[]; has_more: boolean }>('GET', `/channels/${channelId}/files${params(query)}`);
  }
  file(fileId: string) {
    return this.request<{ file: FileView }>('GET', `/files/${fileId}`);
  }
  /** A short-lived signed link to the bytes (`preview`: the image's thumbnail), for an `<img src>` or a download. */
  fileLink(fileId: string, variant: 'original' | 'preview' = 'original') {
    return this.request<FileLink>('POST', `/files/${fileId}/link`, { variant });
  }
  /** The bytes, through a fresh link. */
  async downloadFile(fileId: string, variant: 'original' | 'preview' = 'original'): Promise<Response> {
    const link = await this.fileLink(fileId, variant);
    const res = await this.fetchImpl(`${this.baseUrl.replace(/\/$/, '')}${link.path}`);
    if (!res.ok) throw new ChorusError(res.status, 'download_failed', `Download failed with HTTP ${res.status}`);
    return res;
  }
  /** Deletes a file (yours, or any as a channel moderator); its message loses the attachment. */
  deleteFile(fileId: string) {
    return this.request<null>('DELETE', `/files/${fileId}`);
  }
}

export interface ExperienceInput {
  title: string;
  body: string;
  tags?: string[];
  expires_at?: string | null;
  review_by?: string | null;
}

export type ExperienceQuery = {
  status?: ExperienceStatus | 'all';
  tag?: string;
  limit?: number;
};

/** Base64 of bytes, in browsers and Node alike (no Buffer in browsers). */
function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

function params(query: Record<string, string | number | undefined>): string {
  const parts = Object.entries(query)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
    .map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`);
  return parts.length ? `?${parts.join('&')}` : '';
}

function queryString(query: Record<string, string | number | undefined>): string {
  const parts = Object.entries(query)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
    .map(([k, v]) => `${k}=${encodeURIComponent(v)}`);
  return parts.length ? `?${parts.join('&')}` : '';
}
