import type { ReactNode } from 'react';
import { ChannelsSection, DirectSection, AgentsSection } from './SidebarSections.js';
import { SettingsSection } from '../settings/SettingsSection.js';

/**
 * The sidebar's sections, top to bottom. A feature adds its own (saved
 * searches, a review queue…) with a line here; each section renders its own
 * heading and list.
 */
export interface SidebarSection {
  id: string;
  render(): ReactNode;
}

export const sidebarSections: SidebarSection[] = [
  { id: 'channels', render: () => <ChannelsSection /> },
  { id: 'direct', render: () => <DirectSection /> },
  { id: 'agents', render: () => <AgentsSection /> },
  { id: 'settings', render: () => <SettingsSection /> },
];
