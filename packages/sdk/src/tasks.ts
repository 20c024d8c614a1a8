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
  return mergeTaskView(held, event.payload.task);
}

/** {@link applyTaskEvent} for a view from anywhere: a view with `mine` set (a REST answer) replaces the held one's. */
export function mergeTaskView(held: TaskView | undefined, incoming: TaskView): TaskView {
  if (held && held.updated_at > incoming.updated_at) return held;
  const mine = incoming.rating.count === 0 ? null : (incoming.rating.mine ?? held?.rating.mine ?? null);
  return { ...incoming, rating: { ...incoming.rating, mine } };
}

/** Whether the event is the reader's own rating (from another of its devices, say), whose `mine` the event cannot carry. */
export function isOwnRating(event: TaskEvent, memberId: string | null | undefined): boolean {
  return event.type === 'task.rated' && event.payload.rated_by === memberId;
}
