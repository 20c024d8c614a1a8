import { useState } from 'react';
import type { MessageView } from '@chorus/sdk';
import type { TaskView } from '@chorus/protocol/views';
import { useStore } from '../../app/workspace/provider.js';
import { useMe, useMembers } from '../../app/workspace/hooks.js';
import { errorMessage } from '../../components/errors.js';
import { ReasonForm } from './ReasonForm.js';
import { useResultTask } from './tasks.js';

const statusText: Record<TaskView['status'], string> = {
  queued: 'Sent back to the agent',
  running: 'The agent is working on it',
  done: 'Done',
  failed: 'Failed',
  rejected: 'Rejected',
};

/** 👍 / 👎 on a result are its rating: reactions, counted and visible to the channel like any other. */
const ratings = [
  { emoji: '👍', label: 'Rate as helpful' },
  { emoji: '👎', label: 'Rate as not helpful' },
];

/**
 * Under an agent's result: its task's status and the people's interventions, and the controls to
 * reject (with a reason), redo, and rate it. The server decides who may judge (the requester or a
 * moderator); a refusal is shown as its message.
 */
export function TaskReview({ message }: { message: MessageView }) {
  const store = useStore();
  const relevant = message.author.kind === 'agent' && message.kind === 'chat' && message.deleted_at === null;
  const task = useResultTask(store, message.channel_id, message.id, relevant);
  if (!task) return null;
  return <Review task={task} message={message} />;
}

function Review({ task, message }: { task: TaskView; message: MessageView }) {
  const store = useStore();
  const me = useMe();
  const members = useMembers();
  const [rejecting, setRejecting] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = (action: () => Promise<unknown>) => {
    setError(null);
    action().catch((e: unknown) => { setError(errorMessage(e)); });
  };
  const reject = (reason: string) => {
    run(async () => {
      await store.rest.rejectTask(task.id, reason);
      setRejecting(false);
    });
  };
  const rate = (emoji: string) => {
    const mine = message.reactions.find((r) => r.emoji === emoji)?.member_ids.includes(me?.id ?? '');
    run(() => (mine ? store.rest.unreact(message.id, emoji) : store.rest.react(message.id, emoji)));
  };
  const judgeable = task.status === 'done' || task.status === 'rejected';
  const last = task.interventions.at(-1);
  return (
    <div className={`task-review status-${task.status}`} aria-label="Agent result">
      <span className="task-status" role="status">
        {statusText[task.status]}
        {last?.kind === 'reject' && task.status === 'rejected' && <> by {members[last.member_id]?.display_name ?? 'someone'}: “{last.reason}”</>}
      </span>
      {judgeable && (
        <span className="task-actions">
          {task.status === 'done' && <button type="button" onClick={() => { setRejecting((r) => !r); }} aria-expanded={rejecting}>Reject</button>}
          <button type="button" onClick={() => { run(() => store.rest.redoTask(task.id)); }}>Redo</button>
          {ratings.map((r) => (
            <button key={r.emoji} type="button" className="icon-button" aria-label={r.label} title={r.label}
              aria-pressed={message.reactions.some((g) => g.emoji === r.emoji && g.member_ids.includes(me?.id ?? ''))}
              onClick={() => { rate(r.emoji); }}>{r.emoji}</button>
          ))}
        </span>
      )}
      {rejecting && task.status === 'done' && (
        <ReasonForm question="Why reject it?" submit="Reject result" onSubmit={reject} />
      )}
      {error && <p className="form-error" role="alert">{error}</p>}
    </div>
  );
}
