import type { ReactNode } from 'react';
import { ThreadPanel } from '../features/thread/ThreadPanel.js';
import { PinsPanel } from '../features/pins/PinsPanel.js';
import { DocsPanel } from '../features/docs/DocsPanel.js';
import { DocPanel } from '../features/docs/DocPanel.js';
import { ExperienceEntryPanel, ExperiencePanel } from '../features/experience/ExperiencePanel.js';
import { SaveExperiencePanel } from '../features/experience/SaveExperiencePanel.js';
import { ProfilePanel } from '../features/agents/ProfilePanel.js';

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
  { kind: 'pins', title: 'Pinned messages', render: (p) => <PinsPanel key={p.id} channelId={p.id} /> },
  { kind: 'docs', title: 'Channel docs', render: (p) => <DocsPanel key={p.id} channelId={p.id} /> },
  { kind: 'doc', title: 'Doc', render: (p) => <DocPanel key={p.id} docId={p.id} /> },
  { kind: 'experience', title: 'Experience', render: (p) => <ExperiencePanel key={p.id} channelId={p.id} /> },
  { kind: 'experience-entry', title: 'Experience entry', render: (p) => <ExperienceEntryPanel key={p.id} entryId={p.id} /> },
  { kind: 'save-experience', title: 'Save as experience', render: (p) => <SaveExperiencePanel key={p.id} messageId={p.id} /> },
  { kind: 'profile', title: 'Profile', render: (p) => <ProfilePanel key={p.id} memberId={p.id} /> },
];
