import type { ReactNode } from 'react';
import type { MessageView } from '@chorus/sdk';
import { Reactions } from './Reactions.js';
import { ThreadSummaryLink } from './ThreadSummaryLink.js';

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
  { id: 'reactions', render: (m) => <Reactions message={m} /> },
  { id: 'thread', render: (m) => <ThreadSummaryLink message={m} /> },
];
