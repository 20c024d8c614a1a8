/**
 * @chorus/sdk — a typed client for Chorus.
 *
 * - `RestClient`: the REST API under /api/v1.
 * - `ChorusSocket`: the realtime socket with reconnect, backoff with jitter, exact resume and idempotent sends.
 * - `applyEvent` and the snapshot helpers: a client-side store of the channels a member follows;
 *   `countEvent` / `readUpTo` keep its unread and mention counts live.
 * - `createAgent`: an agent's runtime — tasks in, claimed, context fetched, answered with sources, completed.
 */
export { RestClient, type AgentCommand, type ChannelListEntry, type ChannelMemberEntry, type Claim, type ExperienceInput, type ExperienceQuery, type FileLink, type UploadData, type Membership, type Page, type PageQuery, type Session, type TaskDetail } from './rest.js';
export { ChorusAgent, createAgent, type AgentOptions, type ReplyStream, type TaskAnswer, type TaskWork } from './agent.js';
export { ChorusSocket, type SocketEvents, type SocketOptions, type SocketState, type WebSocketFactory, type WebSocketLike } from './socket.js';
export { ChorusError } from './errors.js';
export {
  agentScopes,
  type AgentScope,
  type AgentStats,
  type RatingFigures,
  type AgentTokenView,
  type AgentView,
  type AgentWebhookView,
  type AuditEventView,
  type AuditQuery,
  type AuditVerification,
  type InviteView,
  type WebhookDeliveryView,
} from './admin-types.js';
export {
  applyChannelEvent,
  applyEvent,
  channelFromSnapshot,
  channelsToLoad,
  emptyWorkspace,
  fetchChannel,
  fetchChannelSnapshot,
  fetchWorkspace,
  loadChannel,
  mergeMessages,
  threadReplies,
  timeline,
  workspaceFromSnapshots,
  type ChannelSnapshot,
  type ChannelState,
  type SnapshotSource,
  type WorkspaceState,
} from './store.js';
export { countEvent, countsFromList, mentionsViewer, readUpTo, zeroCounts, type CountedMessage, type UnreadCounts, type UnreadViewer } from './unread.js';
export { applyTaskAnswer, applyTaskEvent, isOwnRating, isTaskEvent, type TaskEvent } from './tasks.js';
export type { ChannelEvent, ChannelEventPayloads, ChannelEventType } from '@chorus/protocol/events';
export type { HitStatus, SearchHit, SearchKind, SearchQuery, SearchResult, SearchSnippet } from '@chorus/protocol/search';
export type { Cursors, MemberUpdatedFrame, NotificationsFrame, ReadyFrame, ResyncFrame, ServerFrame, ClientFrame } from '@chorus/protocol/frames';
export type { ChannelRole, ChannelSettings, ChannelView, CustomStatus, DesktopNotifications, FileView, MemberView, MessageView, NotificationSettings, OrgRole, ProfileUpdate, ReactionGroup, MyRating, TaskRating, TaskView, ThreadSummary } from '@chorus/protocol/views';
export type { DocDiff, DocRevisionView, DocSummary, DocView, PinEntry, PinView } from '@chorus/protocol/knowledge';
export type { ContextBundle, ContextDoc, ContextPin } from '@chorus/protocol/context';
export type { ContextExperience, ExperienceInsights, ExperienceStatus, ExperienceView, ProvenanceView } from '@chorus/protocol/experience';
export { deliveryHeader, signWebhook, signatureHeader, timestampHeader, verifyWebhookSignature, type WebhookSignatureInput } from './webhooks.js';
