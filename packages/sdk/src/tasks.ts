import type { ChannelEvent } from '@chorus/protocol/events';
import type { TaskView } from '@chorus/protocol/views';

/** The channel events that carry a whole task view. */
export type TaskEvent = Extract<ChannelEvent, { type: 'task.created' | 'task.updated' | 'task.rated' }>;

export function isTaskEvent(event: ChannelEvent): event is TaskEvent {
  return event.type === 'task.created' || event.type === 'task.updated' || event.type === 'task.rated';
}

/**
 * The task to hold after a `task.*` event, from the one held (if any). An event goes to every reader
 * alike, so its view has no reader's own rating (`rating.mine` is null): the held one is kept — it
 * changes only by the reader's own rating, whose answer carries it — unless the ratings were cleared
 * (`count` 0, after a redo). An event older than the view held (a fetch answered after it) changes nothing.
 *
 * @example
 * socket.on('event', (e) => { if (isTaskEvent(e)) tasks.set(e.payload.task.id, applyTaskEvent(tasks.get(e.payload.task.id), e)); });
 */
export function applyTaskEvent(held: TaskView | undefined, event: TaskEvent): TaskView {
  const incoming = event.payload.task;
  if (held && held.updated_at > incoming.updated_at) return held;
  const mine = incoming.rating.count === 0 ? null : (held?.rating.mine ?? null);
  return { ...incoming, rating: { ...incoming.rating, mine } };
}

/**
 * The task to hold after a REST answer, which is the reader's own view (`mine` included, null when the
 * reader has no rating): it replaces the held one unless that one is newer.
 */
export function applyTaskAnswer(held: TaskView | undefined, answer: TaskView): TaskView {
  return held && held.updated_at > answer.updated_at ? held : answer;
}

/** Whether the event is the reader's own rating (from another of its devices, say), whose `mine` the event cannot carry. */
export function isOwnRating(event: TaskEvent, memberId: string | null | undefined): boolean {
  return event.type === 'task.rated' && event.payload.rated_by === memberId;
}
