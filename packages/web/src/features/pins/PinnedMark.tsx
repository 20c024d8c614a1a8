import type { MessageView } from '@chorus/sdk';
import { openPanel } from '../../app/panel-state.js';

/** The message footer of a pinned message: says so, and opens the channel's pins. */
export function PinnedMark({ message }: { message: MessageView }) {
  if (!message.pinned || message.deleted_at !== null) return null;
  return <button type="button" className="link-button pinned-mark muted" onClick={() => { openPanel('pins', message.channel_id); }}>Pinned</button>;
}
