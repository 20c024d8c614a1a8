import { useWorkspaceSelector } from '../../app/workspace/hooks.js';

/** "Ana is typing…" for a channel (or a thread, with `threadRootId`). */
export function TypingIndicator({ channelId }: { channelId: string }) {
  const typing = useWorkspaceSelector((v) => v.typing[channelId]);
  const members = useWorkspaceSelector((v) => v.members);
  const names = Object.keys(typing ?? {}).map((id) => members[id]?.display_name ?? 'Someone');
  const text = names.length === 0 ? '' : names.length === 1 ? `${names[0] ?? ''} is typing…` : names.length === 2 ? `${names.join(' and ')} are typing…` : 'Several people are typing…';
  return <div className="typing" aria-live="polite">{text}</div>;
}
