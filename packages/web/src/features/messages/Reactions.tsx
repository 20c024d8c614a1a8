import type { MessageView } from '@chorus/sdk';
import { useStore } from '../../app/workspace/provider.js';
import { useMessageList } from './MessageContext.js';
import { toggleReaction } from './actions.js';

export function Reactions({ message }: { message: MessageView }) {
  const store = useStore();
  const list = useMessageList();
  if (message.reactions.length === 0) return null;
  return (
    <div className="reactions" aria-label="Reactions">
      {message.reactions.map((r) => {
        const mine = r.member_ids.includes(list.me?.id ?? '');
        const who = r.member_ids.map((id) => list.members[id]?.display_name ?? 'someone').join(', ');
        return (
          <button
            key={r.emoji}
            type="button"
            className={`reaction${mine ? ' mine' : ''}`}
            aria-pressed={mine}
            aria-label={`${r.emoji} ${r.count}: ${who}`}
            title={who}
            onClick={() => { void toggleReaction({ message, store, list }, r.emoji); }}
          >
            {r.emoji} <span>{r.count}</span>
          </button>
        );
      })}
    </div>
  );
}
