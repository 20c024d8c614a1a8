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

/**
 * The messages a list should show as rows: all but the steps {@link ReasoningSteps} already shows
 * collapsed under a later reply (the same steps {@link reasoningSteps} finds for each agent reply).
 * Steps with no reply after them yet (the agent is still at work) stay rows. One pass in seq order.
 */
export function withoutCollapsedSteps(messages: readonly MessageView[]): readonly MessageView[] {
  const pending = new Map<string, MessageView[]>(); // by author and thread: steps since that author's last message there
  const collapsed = new Set<string>();
  for (const m of [...messages].sort((a, b) => a.seq - b.seq)) {
    const key = `${m.author.id} ${m.thread_root_id ?? ''}`;
    if (m.author.kind === 'agent' && m.kind === 'chat') for (const step of pending.get(key) ?? []) collapsed.add(step.id);
    if (m.deleted_at !== null) continue; // a tombstone neither ends nor joins a run of steps, as in reasoningSteps
    if (stepKinds.has(m.kind)) pending.set(key, [...(pending.get(key) ?? []), m]);
    else pending.delete(key);
  }
  return collapsed.size === 0 ? messages : messages.filter((m) => !collapsed.has(m.id));
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
