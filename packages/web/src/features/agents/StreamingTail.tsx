import type { MessageView } from '@chorus/sdk';
import { useStore } from '../../app/workspace/provider.js';
import { useFollowStreams, useStreamText } from './streams.js';

/**
 * The message footer of an open streamed reply: the text appended since the message arrived, growing
 * as `stream` frames come in (plain text until the final body replaces it, rendered as markdown).
 */
export function StreamingTail({ message }: { message: MessageView }) {
  useFollowStreams();
  if (message.stream !== 'open' || message.deleted_at !== null) return null;
  return <Tail message={message} />;
}

function Tail({ message }: { message: MessageView }) {
  const store = useStore();
  const text = useStreamText(store, message);
  const tail = text.startsWith(message.body) ? text.slice(message.body.length) : text;
  return (
    <div className="stream-live" aria-live="polite" data-streaming="true">
      <span className="stream-text">{tail}</span>
      <span className="stream-cursor" aria-label="The agent is still writing">▍</span>
    </div>
  );
}
