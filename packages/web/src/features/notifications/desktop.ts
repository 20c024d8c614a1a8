import { mentionsViewer, type ChannelEvent, type DesktopNotifications, type MemberView, type TaskView } from '@chorus/sdk';

/** What a desktop notification says; null when this event should not notify. */
export interface DesktopNotice {
  title: string;
  body: string;
  /** One notice per thing: a message edited while streaming, or a task updated twice, shows once. */
  tag: string;
  channelId: string;
}

export interface NoticeContext {
  me: MemberView;
  level: DesktopNotifications;
  muted: (channelId: string) => boolean;
  /** The channel is a direct message (one-to-one or group). */
  isDirect: (channelId: string) => boolean;
  /** Whether the person is looking at this channel right now (then nothing is shown). */
  watching: (channelId: string) => boolean;
  channelName: (channelId: string) => string;
}

const preview = (body: string) => (body.length > 140 ? `${body.slice(0, 139)}…` : body);

/**
 * Decides whether a channel event becomes a desktop notification, by the
 * person's preference: `all` messages, `mentions` (mentions, direct messages
 * and their agents' finished tasks), or `none`. Muted channels never notify;
 * neither does one's own message nor the channel in view.
 */
export function noticeFor(event: ChannelEvent, ctx: NoticeContext): DesktopNotice | null {
  if (ctx.level === 'none' || ctx.muted(event.channel_id) || ctx.watching(event.channel_id)) return null;
  if (event.type === 'message.created') {
    const message = event.payload.message;
    if (message.author.id === ctx.me.id || message.kind !== 'chat' || message.deleted_at) return null;
    const direct = ctx.isDirect(event.channel_id);
    if (ctx.level === 'mentions' && !direct && !mentionsViewer(message, { memberId: ctx.me.id, agent: ctx.me.kind === 'agent' })) return null;
    return {
      title: direct ? message.author.display_name : `${message.author.display_name} in ${ctx.channelName(event.channel_id)}`,
      body: preview(message.body),
      tag: `message:${message.id}`,
      channelId: event.channel_id,
    };
  }
  if (event.type === 'task.updated') {
    const task: TaskView = event.payload.task;
    if (task.requester_id !== ctx.me.id || task.status !== 'done') return null;
    return { title: 'An agent finished your task', body: `In ${ctx.channelName(event.channel_id)}`, tag: `task:${task.id}`, channelId: event.channel_id };
  }
  return null;
}
