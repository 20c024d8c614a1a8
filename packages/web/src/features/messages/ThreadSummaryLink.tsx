import type { MessageView } from '@chorus/sdk';
import { openPanel } from '../../app/panel-state.js';
import { useMessageList } from './MessageContext.js';

export function ThreadSummaryLink({ message }: { message: MessageView }) {
  const { inThread } = useMessageList();
  const count = message.thread?.reply_count ?? 0;
  if (inThread || count === 0) return null;
  return (
    <button type="button" className="thread-link" onClick={() => { openPanel('thread', message.id); }}>
      {count} {count === 1 ? 'reply' : 'replies'}
    </button>
  );
}
