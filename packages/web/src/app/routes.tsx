import type { ReactNode } from 'react';
import { LoginPage } from '../features/auth/LoginPage.js';
import { SignupPage } from '../features/auth/SignupPage.js';
import { InvitePage } from '../features/auth/InvitePage.js';
import { CreateOrgPage } from '../features/orgs/CreateOrgPage.js';
import { ChannelPage } from '../features/channel/ChannelPage.js';
import { OrgHome } from '../features/orgs/OrgHome.js';
import { SearchPage } from '../features/search/SearchPage.js';
import { ChannelSettingsPage } from '../features/settings/ChannelSettingsPage.js';
import { ProfilePage } from '../features/profile/ProfilePage.js';
import { AgentsAdminPage } from '../features/agents-admin/AgentsAdminPage.js';
import { OrgAdminPage } from '../features/admin/OrgAdminPage.js';

/**
 * The route table. `access`:
 * - `public`: anyone (an invite link);
 * - `guest`: signed-out only (signed-in people go to their org);
 * - `user`: signed in, outside any org;
 * - `org`: signed in, inside the org's workspace shell (sidebar, panel slot); the path has `:orgId`.
 * A feature adds a screen by adding a line here.
 */
export interface RouteDef {
  path: string;
  access: 'public' | 'guest' | 'user' | 'org';
  render(params: Record<string, string>): ReactNode;
}

export const routes: RouteDef[] = [
  { path: '/login', access: 'guest', render: () => <LoginPage /> },
  { path: '/signup', access: 'guest', render: () => <SignupPage /> },
  { path: '/invite/:token', access: 'public', render: (p) => <InvitePage token={p.token ?? ''} /> },
  { path: '/orgs/new', access: 'user', render: () => <CreateOrgPage /> },
  { path: '/o/:orgId', access: 'org', render: () => <OrgHome /> },
  { path: '/o/:orgId/c/:channelId', access: 'org', render: (p) => <ChannelPage key={p.channelId} channelId={p.channelId ?? ''} /> },
  { path: '/o/:orgId/search', access: 'org', render: () => <SearchPage /> },
  { path: '/o/:orgId/c/:channelId/settings', access: 'org', render: (p) => <ChannelSettingsPage key={p.channelId} channelId={p.channelId ?? ''} /> },
  { path: '/o/:orgId/profile', access: 'org', render: () => <ProfilePage /> },
  { path: '/o/:orgId/agents', access: 'org', render: () => <AgentsAdminPage /> },
  { path: '/o/:orgId/admin', access: 'org', render: () => <OrgAdminPage /> },
];

/** Path helpers, so links are written one way. */
export const paths = {
  org: (orgId: string) => `/o/${orgId}`,
  channel: (orgId: string, channelId: string) => `/o/${orgId}/c/${channelId}`,
  search: (orgId: string, query: Record<string, string>) => `/o/${orgId}/search?${new URLSearchParams(query).toString()}`,
  channelSettings: (orgId: string, channelId: string) => `/o/${orgId}/c/${channelId}/settings`,
  profile: (orgId: string) => `/o/${orgId}/profile`,
  agentsAdmin: (orgId: string) => `/o/${orgId}/agents`,
  orgAdmin: (orgId: string) => `/o/${orgId}/admin`,
};
