import type { MessageAction, MessageActionContext } from '../messages/actions.js';

const pinnable = (ctx: MessageActionContext) => ctx.message.deleted_at === null && ctx.message.kind === 'chat';

async function setPinned(ctx: MessageActionContext, pinned: boolean): Promise<void> {
  try {
    if (pinned) await ctx.store.rest.pin(ctx.message.id);
    else await ctx.store.rest.unpin(ctx.message.id);
  } catch (e) {
    // The channel's `who_may_pin` decides; say why it refused.
    window.alert(e instanceof Error ? e.message : 'Could not change the pin.');
  }
}

/** "Pin message" / "Unpin message" in the actions menu; the change comes back as `pin.added` / `pin.removed`. */
export const pinActions: MessageAction[] = [
  { id: 'pin', label: 'Pin message', icon: '📌', visible: (ctx) => pinnable(ctx) && !ctx.message.pinned, run: (ctx) => setPinned(ctx, true) },
  { id: 'unpin', label: 'Unpin message', icon: '📍', visible: (ctx) => pinnable(ctx) && ctx.message.pinned, run: (ctx) => setPinned(ctx, false) },
];
