import type { ContextExperience } from './experience.js';
import type { Author, ChannelView, MessageKind, TaskOrigin, TaskStatus } from './views.js';

/**
 * The context bundle: what an agent may see for the work at hand, in one
 * answer of `GET /api/v1/channels/:id/context`. Every item carries its `type`
 * and `id`, which is how an agent cites it as a source of what it posts
 * (`sources: [{ type, id }]`), and every item served is recorded in the audit
 * log by id.
 */

/** A message as context: its author marked human or agent. */
export interface ContextMessage {
  type: 'message';
  id: string;
  seq: number;
  kind: MessageKind;
  author: Author;
  body: string;
  thread_root_id: string | null;
  created_at: string;
  edited_at: string | null;
}

/**
 * The envelope every knowledge item shares: `type` and `id` are exactly what
 * the agent cites in `sources` (a pin is cited as the `message` it pins).
 */
export interface ContextKnowledgeItem {
  type: 'message' | 'doc' | 'experience';
  id: string;
}

/** A pinned message the agent may read, with the pin's note. */
export interface ContextPin extends ContextMessage {
  pin: { pinned_by: string; pinned_at: string; note: string | null };
}

/** A channel doc: the channel's guide, or one ranked for the task. */
export interface ContextDoc extends ContextKnowledgeItem {
  type: 'doc';
  title: string;
  body: string;
  revision: number;
  updated_at: string;
  /** Only the guide is ever cut: when the whole body did not fit the budget, it is its first characters. */
  body_truncated: boolean;
  /** Ranked docs: text relevance to the task's request × freshness (absent for the guide). */
  score?: number;
}

/** The task the bundle is for: with a task token, the token's task. */
export interface ContextTask {
  id: string;
  status: TaskStatus;
  origin: TaskOrigin;
  requester_id: string;
  request_message_id: string | null;
  thread_root_id: string | null;
  created_at: string;
}

export interface ContextSection<T> {
  items: T[];
  /** More was readable than the message count or character budget let in. */
  truncated: boolean;
}

/**
 * Sections in the order they are filled from the shared budget (and listed):
 * the guide leads, then the task's thread, the pins, the docs ranked for the
 * task, experience, and recent history last.
 */
export interface ContextBundle {
  channel: ChannelView;
  task: ContextTask | null;
  /** The channel's guide for agents (a channel doc marked by its moderators); it leads the bundle. */
  guide: ContextDoc | null;
  /** The task's thread: its root (null when the rules hide it) and its latest replies, oldest first. */
  thread: (ContextSection<ContextMessage> & { root: ContextMessage | null }) | null;
  /** Pinned messages the agent may read, most recently pinned first (the thread's messages are not repeated). */
  pins: ContextSection<ContextPin>;
  /** Channel docs most relevant to the task's request (ts_rank × freshness); without a task, the freshest. */
  docs: ContextSection<ContextDoc>;
  /** The most relevant current experience for the task text, ranked by relevance × quality × freshness. */
  experience: ContextExperience[];
  /** Recent top-level messages of the channel, oldest first (not repeating the thread or the pins). */
  history: ContextSection<ContextMessage>;
  /** Messages (thread, pins, history) count towards `max_messages`; every body (docs included) towards `max_chars`. */
  budget: { max_messages: number; max_chars: number; messages: number; chars: number };
}
