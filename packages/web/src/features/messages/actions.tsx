import type { MessageView } from '@chorus/sdk';
import { openPanel } from '../../app/panel-state.js';
import type { WorkspaceStore } from '../../app/workspace/workspace-store.js';
import type { MessageListContext } from './MessageContext.js';

/** What a message action is given. */
export interface MessageActionContext {
  message: MessageView;
  store: WorkspaceStore;
  list: MessageListContext;
}

/**
 * The message "actions" menu (shown on hover and on focus). A feature adds an
 * action with a line here: pin, save as experience, reject or redo an agent's
 * result… `visible` decides per message (e.g. only one's own, only agents').
 */
export interface MessageAction {
  id: string;
  label: string;
  /** A short glyph for the toolbar; the label is its accessible name. */
  icon: string;
  visible(ctx: MessageActionContext): boolean;
  run(ctx: MessageActionContext): void | Promise<void>;
}

const own = (ctx: MessageActionContext) => ctx.message.author.id === ctx.list.me?.id && ctx.message.deleted_at === null && ctx.message.kind === 'chat';

export const quickReactions = ['👍', '🎉', '👀'];

export const messageActions: MessageAction[] = [
  ...quickReactions.map((emoji) => ({
    id: `react-${emoji}`,
    label: `React with ${emoji}`,
    icon: emoji,
    visible: (ctx: MessageActionContext) => ctx.message.deleted_at === null,
    run: (ctx: MessageActionContext) => toggleReaction(ctx, emoji),
  })),
  {
    id: 'thread',
    label: 'Reply in thread',
    icon: '💬',
    visible: (ctx) => !ctx.list.inThread && ctx.message.thread_root_id === null && ctx.message.deleted_at === null,
    run: (ctx) => { openPanel('thread', ctx.message.id); },
  },
  { id: 'edit', label: 'Edit message', icon: '✎', visible: own, run: (ctx) => { ctx.list.setEditingId(ctx.message.id); } },
  {
    id: 'delete',
    label: 'Delete message',
    icon: '🗑',
    visible: own,
    run: async (ctx) => {
      if (window.confirm('Delete this message? This cannot be undone.')) await ctx.store.rest.delete(ctx.message.id);
    },
  },
];

/** Adds the reader's reaction, or takes it back if they had it. */
export async function toggleReaction(ctx: MessageActionContext, emoji: string): Promise<void> {
  const mine = ctx.message.reactions.find((r) => r.emoji === emoji)?.member_ids.includes(ctx.list.me?.id ?? '');
  if (mine) await ctx.store.rest.unreact(ctx.message.id, emoji);
  else await ctx.store.rest.react(ctx.message.id, emoji);
}
