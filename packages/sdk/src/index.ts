/**
 * @chorus/sdk — a typed client for Chorus.
 *
 * - `RestClient`: the REST API under /api/v1.
 * - `ChorusSocket`: the realtime socket with reconnect, backoff with jitter, exact resume and idempotent sends.
 */
export { RestClient, type ChannelListEntry, type Membership, type Page, type PageQuery, type Session } from './rest.js';
export { ChorusSocket, type SocketEvents, type SocketOptions, type SocketState, type WebSocketFactory, type WebSocketLike } from './socket.js';
export { ChorusError } from './errors.js';
export type { ChannelEvent, ChannelEventPayloads, ChannelEventType } from '@chorus/protocol/events';
export type { Cursors, ReadyFrame, ResyncFrame, ServerFrame, ClientFrame } from '@chorus/protocol/frames';
export type { ChannelView, MemberView, MessageView, ThreadSummary } from '@chorus/protocol/views';
