import type { SourceRef } from '@chorus/protocol/views';
import { openPanel } from '../../app/panel-state.js';
import { navigate } from '../../app/router.js';
import { paths } from '../../app/routes.js';
import type { WorkspaceStore } from '../../app/workspace/workspace-store.js';

/**
 * Goes to a message: its channel, with its thread open in the panel (a top-level message is the root
 * of its own thread pane, so it is shown either way), scrolled into view and briefly highlighted.
 */
export async function jumpToMessage(store: WorkspaceStore, messageId: string): Promise<void> {
  const { message } = await store.rest.message(messageId);
  const orgId = store.getSnapshot().orgId;
  navigate(`${paths.channel(orgId, message.channel_id)}?panel=thread:${message.thread_root_id ?? message.id}`);
  highlightWhenShown(message.id);
}

/** Where a source opens: messages jump, docs and experience entries open in the panel. */
export function openSource(store: WorkspaceStore, source: SourceRef): Promise<void> {
  if (source.type === 'message') return jumpToMessage(store, source.id);
  openPanel(source.type === 'doc' ? 'doc' : 'experience-entry', source.id);
  return Promise.resolve();
}

/** Scrolls the message into view once it is rendered (its page may still be loading), for up to 3 s. */
function highlightWhenShown(messageId: string): void {
  const until = Date.now() + 3000;
  const look = () => {
    const found = document.querySelectorAll<HTMLElement>(`[data-message-id="${CSS.escape(messageId)}"]`);
    if (found.length === 0) {
      if (Date.now() < until) requestAnimationFrame(look);
      return;
    }
    for (const el of found) {
      el.scrollIntoView({ block: 'center' });
      el.classList.add('flash');
      setTimeout(() => { el.classList.remove('flash'); }, 2000);
    }
  };
  requestAnimationFrame(look);
}
