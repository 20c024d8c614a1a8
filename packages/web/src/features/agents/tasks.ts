import { useEffect, useSyncExternalStore } from 'react';
import { applyTaskAnswer, applyTaskEvent, isOwnRating, isTaskEvent, type TaskDetail } from '@chorus/sdk';
import type { TaskView } from '@chorus/protocol/views';
import type { WorkspaceStore } from '../../app/workspace/workspace-store.js';

/**
 * Tasks by their result message, per channel: loaded once when a channel's agent message first asks
 * (`GET /channels/:id/tasks`), then kept current from `task.created` / `task.updated` / `task.rated`
 * events, which carry the whole task (the SDK's `applyTaskEvent` keeps my own rating, which events do
 * not carry). Lets a reply show its task's status, interventions, ratings and the judge buttons.
 */
export class TaskIndex {
  readonly #byId = new Map<string, TaskView>();
  readonly #loaded = new Set<string>();
  readonly #listeners = new Set<() => void>();
  #version = 0;
  #detach: (() => void) | null = null;

  constructor(private readonly store: WorkspaceStore) {}

  attach(): void {
    const socket = this.store.socket;
    if (!socket || this.#detach) return;
    const off = socket.on('event', (event) => {
      if (!isTaskEvent(event)) return;
      const id = event.payload.task.id;
      this.#set(id, applyTaskEvent(this.#byId.get(id), event));
      // My own rating, perhaps from another device: the event cannot say what it was.
      if (isOwnRating(event, this.store.getSnapshot().me?.id)) this.store.rest.task(id).then(({ task }) => { this.put(task); }).catch(() => undefined);
    });
    this.#detach = () => { off(); this.#detach = null; };
  }

  readonly subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => { this.#listeners.delete(listener); };
  };

  readonly version = (): number => this.#version;

  load(channelId: string): void {
    if (this.#loaded.has(channelId)) return;
    this.#loaded.add(channelId);
    this.store.rest.channelTasks(channelId, { limit: 100 })
      .then(({ tasks }: { tasks: TaskDetail[] }) => { this.#put(tasks.map((t) => t.task)); })
      // Loaded again the next time a reply asks (a reader who may not list tasks sees no controls).
      .catch(() => { this.#loaded.delete(channelId); });
  }

  /** The task whose result (or, with `running`, whose thread) this message is. */
  forResult(messageId: string): TaskView | undefined {
    for (const t of this.#byId.values()) if (t.result_message_id === messageId) return t;
    return undefined;
  }

  /** A task as a REST answer gives it (with my own rating). */
  put(task: TaskView): void {
    this.#set(task.id, applyTaskAnswer(this.#byId.get(task.id), task));
  }

  #put(tasks: TaskView[]): void {
    for (const t of tasks) this.#byId.set(t.id, applyTaskAnswer(this.#byId.get(t.id), t));
    this.#changed();
  }

  #set(id: string, task: TaskView): void {
    this.#byId.set(id, task);
    this.#changed();
  }

  #changed(): void {
    this.#version += 1;
    for (const l of this.#listeners) l();
  }
}

const indexes = new WeakMap<WorkspaceStore, TaskIndex>();

/** The workspace's task index (one per store). */
export function taskIndex(store: WorkspaceStore): TaskIndex {
  let index = indexes.get(store);
  if (!index) {
    index = new TaskIndex(store);
    indexes.set(store, index);
  }
  return index;
}

/** The task an agent's message is the result of, kept live. */
export function useResultTask(store: WorkspaceStore, channelId: string, messageId: string, enabled: boolean): TaskView | undefined {
  const i = taskIndex(store);
  useEffect(() => {
    if (!enabled) return;
    i.attach();
    i.load(channelId);
  }, [i, channelId, enabled]);
  useSyncExternalStore(i.subscribe, i.version);
  return enabled ? i.forResult(messageId) : undefined;
}
