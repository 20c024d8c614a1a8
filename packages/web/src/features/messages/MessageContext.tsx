import { createContext, useContext } from 'react';
import type { MemberView } from '@chorus/sdk';
import type { MarkdownEnv } from './markdown.js';

/** What every message of a list shares: who reads it, the directory, and the edit state. */
export interface MessageListContext {
  me: MemberView | null;
  members: Readonly<Record<string, MemberView>>;
  markdown: MarkdownEnv;
  /** The message being edited in place, if any. */
  editingId: string | null;
  setEditingId: (id: string | null) => void;
  /** Whether the list is the thread pane (no "reply in thread" there). */
  inThread: boolean;
}

export const MessageListCtx = createContext<MessageListContext | null>(null);

export function useMessageList(): MessageListContext {
  const ctx = useContext(MessageListCtx);
  if (!ctx) throw new Error('useMessageList outside a message list');
  return ctx;
}
