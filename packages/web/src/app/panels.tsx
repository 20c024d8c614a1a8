import type { ReactNode } from 'react';
import { ThreadPanel } from '../features/thread/ThreadPanel.js';

/** What a right-hand panel is given: the id from `?panel=<kind>:<id>` and the channel open beside it. */
export interface PanelProps {
  id: string;
  channelId: string | null;
}

/**
 * The right-hand panel slot: one entry per kind of panel. A feature adds its
 * panel here (pins, docs, search results, an agent's profile…) and opens it
 * with `openPanel(kind, id)` from `panel-state.ts`.
 */
export interface PanelDef {
  kind: string;
  /** The panel's heading (also its accessible name). */
  title: string;
  render(props: PanelProps): ReactNode;
}

export const panels: PanelDef[] = [
  { kind: 'thread', title: 'Thread', render: (p) => <ThreadPanel rootId={p.id} channelId={p.channelId} /> },
];
