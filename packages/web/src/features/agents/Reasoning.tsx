import { useMemo } from 'react';
import { threadReplies, timeline, type MessageView } from '@chorus/sdk';
import { useChannel } from '../../app/workspace/hooks.js';

const stepKinds = new Set<MessageView['kind']>(['agent_reasoning', 'agent_tool']);

/**
 * An agent reply's intermediate steps: the `agent_reasoning` / `agent_tool` messages its author posted
 * in the same thread since its previous reply there, collapsed under the reply. The server already
 * hides them from readers the channel's `reasoning_visibility` excludes, so what is held is shown.
 */
export function reasoningSteps(messages: Iterable<MessageView>, reply: MessageView): MessageView[] {
  const same = [...messages]
    .filter((m) => m.author.id === reply.author.id && m.thread_root_id === reply.thread_root_id && m.seq < reply.seq && m.deleted_at === null)
    .sort((a, b) => a.seq - b.seq);
  const steps: MessageView[] = [];
  for (const m of same.reverse()) {
    if (!stepKinds.has(m.kind)) break;
    steps.unshift(m);
  }
  return steps;
}

export function ReasoningSteps({ message }: { message: MessageView }) {
  const relevant = message.author.kind === 'agent' && message.kind === 'chat';
  const channel = useChannel(relevant ? message.channel_id : null);
  const steps = useMemo(() => {
    if (!relevant || !channel) return [];
    // Replies are held by thread, top-level messages by id.
    return reasoningSteps(message.thread_root_id ? threadReplies(channel, message.thread_root_id) : timeline(channel), message);
  }, [relevant, channel, message]);
  if (steps.length === 0) return null;
  return (
    <details className="reasoning">
      <summary>Reasoning ({steps.length} {steps.length === 1 ? 'step' : 'steps'})</summary>
      <ol>
        {steps.map((s) => (
          <li key={s.id} className={`reasoning-step kind-${s.kind}`}>
            <span className="muted">{s.kind === 'agent_tool' ? 'Tool' : 'Thought'}:</span> {s.body}
          </li>
        ))}
      </ol>
    </details>
  );
}
