import type { ReactNode } from 'react';
import type { MessageView } from '@chorus/sdk';
import { Reactions } from './Reactions.js';
import { ThreadSummaryLink } from './ThreadSummaryLink.js';
import { StreamingTail } from '../agents/StreamingTail.js';
import { MessageSources } from '../agents/Sources.js';
import { ReasoningSteps } from '../agents/Reasoning.js';
import { TaskReview } from '../agents/TaskReview.js';
import { PinnedMark } from '../pins/PinnedMark.js';
import { Attachments } from '../files/index.js';

/**
 * The "message footer" slot: things shown under a message's body, in order.
 * A feature adds one with a line here (an agent's sources, its reasoning
 * steps, a rating…); each returns null for messages it has nothing to say about.
 */
export interface MessageFooter {
  id: string;
  render(message: MessageView): ReactNode;
}

export const messageFooters: MessageFooter[] = [
  { id: 'files', render: (m) => <Attachments message={m} /> },
  { id: 'stream', render: (m) => <StreamingTail message={m} /> },
  { id: 'sources', render: (m) => <MessageSources message={m} /> },
  { id: 'reasoning', render: (m) => <ReasoningSteps message={m} /> },
  { id: 'task', render: (m) => <TaskReview message={m} /> },
  { id: 'pinned', render: (m) => <PinnedMark message={m} /> },
  { id: 'reactions', render: (m) => <Reactions message={m} /> },
  { id: 'thread', render: (m) => <ThreadSummaryLink message={m} /> },
];
