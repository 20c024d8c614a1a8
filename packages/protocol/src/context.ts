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

/** The knowledge sections (pins, channel docs, the channel's guide for agents, experience) share this envelope. */
export interface ContextKnowledgeItem {
  type: 'pin' | 'doc' | 'experience';
  id: string;
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

export interface ContextBundle {
  channel: ChannelView;
  task: ContextTask | null;
  /** The task's thread: its root (null when the rules hide it) and its latest replies, oldest first. */
  thread: (ContextSection<ContextMessage> & { root: ContextMessage | null }) | null;
  /** Recent top-level messages of the channel, oldest first (the thread's root is in `thread`). */
  history: ContextSection<ContextMessage>;
  /** The channel's rules for agents (a channel doc); empty until channel docs exist. */
  guide: ContextKnowledgeItem[];
  pins: ContextKnowledgeItem[];
  docs: ContextKnowledgeItem[];
  /** The most relevant current experience for the task text, ranked by relevance × quality × freshness. */
  experience: ContextExperience[];
  budget: { max_messages: number; max_chars: number; messages: number; chars: number };
}
