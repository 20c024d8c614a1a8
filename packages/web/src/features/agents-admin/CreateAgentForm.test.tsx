import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { RestClient } from '@chorus/sdk';
import { StoreProvider } from '../../app/workspace/provider.js';
import { WorkspaceStore } from '../../app/workspace/workspace-store.js';
import { CreateAgentForm } from './AgentsAdminPage.js';

afterEach(cleanup);

/**
 * The HTTP boundary only: answers as the server does for the two calls the form makes, and records
 * them. The whole path against a real server is in the browser test (e2e/settings.browser.test.ts).
 */
function fakeServer() {
  const calls: { method: string; path: string; body: unknown }[] = [];
  const fetchImpl = ((url: string, init?: RequestInit) => {
    const path = new URL(url).pathname.replace('/api/v1', '');
    const body: unknown = typeof init?.body === 'string' ? JSON.parse(init.body) : undefined;
    calls.push({ method: init?.method ?? 'GET', path, body });
    const answer = path.endsWith('/agents')
      ? { agent: { id: 'agent-1', handle: 'release-bot', display_name: 'Release bot' } }
      : { token: { id: 'token-1' }, secret: 'cha_the-secret-shown-once' };
    return Promise.resolve(new Response(JSON.stringify(answer), { status: 201, headers: { 'content-type': 'application/json' } }));
  }) as typeof fetch;
  const rest = new RestClient('http://chorus.test', 'chs_token', fetchImpl);
  return { calls, store: new WorkspaceStore(rest, { baseUrl: 'http://chorus.test', token: 'chs_token', orgId: 'org-1' }) };
}

describe('creating an agent', () => {
  it('creates the agent, issues a token with the chosen scopes and shows its secret once', async () => {
    const { calls, store } = fakeServer();
    let created = 0;
    render(<StoreProvider store={store}><CreateAgentForm onCreated={() => { created++; }} /></StoreProvider>);
    fireEvent.change(screen.getByLabelText('Handle'), { target: { value: 'Release-Bot' } });
    fireEvent.change(screen.getByLabelText('Display name'), { target: { value: 'Release bot' } });
    fireEvent.click(screen.getByLabelText('context:read'));
    fireEvent.click(screen.getByRole('button', { name: 'Create agent' }));

    const region = await screen.findByRole('region', { name: "The agent's token" });
    expect(region.textContent).toContain('cha_the-secret-shown-once');
    expect(region.textContent).toContain('will not be shown again');
    expect(calls.map((c) => `${c.method} ${c.path}`)).toEqual(['POST /orgs/org-1/agents', 'POST /agents/agent-1/tokens']);
    expect(calls[0]?.body).toEqual({ handle: 'release-bot', display_name: 'Release bot' });
    expect(calls[1]?.body).toEqual({ name: 'default', scopes: ['messages:read', 'messages:write', 'channels:read'] });
    expect(created).toBe(1);

    fireEvent.click(screen.getByRole('button', { name: 'I have copied it' }));
    await waitFor(() => { expect(screen.queryByText('cha_the-secret-shown-once')).toBeNull(); });
  });
});
