import { useState } from 'react';
import type { MessageView } from '@chorus/sdk';
import type { TaskView } from '@chorus/protocol/views';
import { useStore } from '../../app/workspace/provider.js';
import { useMembers } from '../../app/workspace/hooks.js';
import { errorMessage } from '../../components/errors.js';
import { ReasonForm } from './ReasonForm.js';
import { TaskRating } from './TaskRating.js';
import { taskIndex, useResultTask } from './tasks.js';

const statusText: Record<TaskView['status'], string> = {
  queued: 'Sent back to the agent',
  running: 'The agent is working on it',
  done: 'Done',
  failed: 'Failed',
  rejected: 'Rejected',
};

/**
 * Under an agent's result: its task's status and the people's interventions, its rating (the average
 * for everyone, 1–5 stars for me), and the controls to reject (with a reason), redo, and rate it. The
 * server decides who may judge and rate (the requester, moderators, org admins); a refusal is shown
 * as its message.
 */
export function TaskReview({ message }: { message: MessageView }) {
  const store = useStore();
  const relevant = message.author.kind === 'agent' && message.kind === 'chat' && message.deleted_at === null;
  const task = useResultTask(store, message.channel_id, message.id, relevant);
  if (!task) return null;
  return <Review task={task} />;
}

function Review({ task }: { task: TaskView }) {
  const store = useStore();
  const members = useMembers();
  const [rejecting, setRejecting] = useState(false);
  const [error, setError] = useState<string | null>(null);
  /** Runs an action; a refusal becomes the message shown (the promise never rejects). */
  const attempt = (action: () => Promise<unknown>): Promise<unknown> => {
    setError(null);
    return action().catch((e: unknown) => { setError(errorMessage(e)); });
  };
  const run = (action: () => Promise<unknown>) => { void attempt(action); };
  const reject = (reason: string) => {
    run(async () => {
      await store.rest.rejectTask(task.id, reason);
      setRejecting(false);
    });
  };
  const rate = (score: number, comment: string) => attempt(async () => {
    taskIndex(store).put((await store.rest.rateTask(task.id, score, comment || undefined)).task);
  });
  const unrate = () => attempt(async () => { taskIndex(store).put((await store.rest.unrateTask(task.id)).task); });
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
        </span>
      )}
      {(judgeable || task.rating.count > 0) && <TaskRating rating={task.rating} open={judgeable} onRate={rate} onRemove={unrate} />}
      {rejecting && task.status === 'done' && (
        <ReasonForm question="Why reject it?" submit="Reject result" onSubmit={reject} />
      )}
      {error && <p className="form-error" role="alert">{error}</p>}
    </div>
  );
}
