import { useCallback, useEffect, useState, type SyntheticEvent } from 'react';
import { agentScopes, type AgentScope, type AgentStats, type AgentTokenView, type AgentView } from '@chorus/sdk';
import { ratingSummary } from '../agents/TaskRating.js';
import { useStore } from '../../app/workspace/provider.js';
import { useMe } from '../../app/workspace/hooks.js';
import { errorMessage } from '../../components/errors.js';
import { CopyButton } from '../admin/CopyButton.js';
import '../settings/settings.css';

/** Agents you sponsor (all of the org's for admins): create one, its token shown once, scopes, webhook, suspend/retire, work stats. */
export function AgentsAdminPage() {
  const store = useStore();
  const me = useMe();
  const [agents, setAgents] = useState<AgentView[]>([]);
  const [error, setError] = useState<string | null>(null);
  const orgId = store.getSnapshot().orgId;
  const load = useCallback(async () => {
    try {
      setAgents((await store.rest.agents(orgId)).agents);
    } catch (e) {
      setError(errorMessage(e));
    }
  }, [store, orgId]);
  useEffect(() => { void load(); }, [load]);
  const admin = me?.role === 'owner' || me?.role === 'admin';
  const mine = agents.filter((a) => admin || a.sponsor_id === me?.id).filter((a) => a.card.integration === undefined);
  return (
    <div className="settings-page">
      <h1>Your agents</h1>
      <CreateAgentForm onCreated={() => { void load(); }} />
      {error && <p className="form-error" role="alert">{error}</p>}
      {mine.length === 0 && <p className="muted">No agents yet.</p>}
      {mine.map((a) => <AgentCard key={a.id} agent={a} onChanged={() => { void load(); }} />)}
    </div>
  );
}

export function CreateAgentForm({ onCreated }: { onCreated: () => void }) {
  const store = useStore();
  const [handle, setHandle] = useState('');
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [scopes, setScopes] = useState<AgentScope[]>([...agentScopes]);
  const [secret, setSecret] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const submit = async (event: SyntheticEvent) => {
    event.preventDefault();
    setError(null);
    try {
      const { agent } = await store.rest.createAgent(store.getSnapshot().orgId, { handle, display_name: name, ...(description ? { description } : {}) });
      const token = await store.rest.issueAgentToken(agent.id, { name: 'default', scopes });
      setSecret(token.secret);
      setHandle('');
      setName('');
      setDescription('');
      onCreated();
    } catch (e) {
      setError(errorMessage(e));
    }
  };
  return (
    <form className="form settings-card" aria-labelledby="create-agent-heading" onSubmit={(e) => { void submit(e); }}>
      <h2 id="create-agent-heading">Create an agent</h2>
      <label>Handle <input value={handle} onChange={(e) => { setHandle(e.target.value.toLowerCase()); }} required pattern="[a-z0-9][a-z0-9._\-]{0,31}" placeholder="e.g. release-bot" /></label>
      <label>Display name <input value={name} onChange={(e) => { setName(e.target.value); }} required maxLength={80} /></label>
      <label>Description <textarea value={description} onChange={(e) => { setDescription(e.target.value); }} maxLength={2000} rows={2} /></label>
      <fieldset>
        <legend>Token scopes</legend>
        {agentScopes.map((s) => (
          <label key={s} className="checkbox">
            <input type="checkbox" checked={scopes.includes(s)} onChange={(e) => { setScopes(e.target.checked ? [...scopes, s] : scopes.filter((x) => x !== s)); }} /> {s}
          </label>
        ))}
      </fieldset>
      {error && <p className="form-error" role="alert">{error}</p>}
      <button type="submit" className="primary" disabled={scopes.length === 0}>Create agent</button>
      {secret && <SecretOnce label="The agent's token" secret={secret} onDone={() => { setSecret(null); }} />}
    </form>
  );
}

/** A secret shown once: copy it now; it cannot be shown again. */
export function SecretOnce({ label, secret, onDone }: { label: string; secret: string; onDone: () => void }) {
  return (
    <div role="region" aria-label={label} className="secret-once">
      <p><strong>{label}</strong>: copy it now, it will not be shown again.</p>
      <p className="secret" data-testid="secret">{secret}</p>
      <div className="row-actions">
        <CopyButton text={secret} label="Copy token" />
        <button type="button" onClick={onDone}>I have copied it</button>
      </div>
    </div>
  );
}

function AgentCard({ agent, onChanged }: { agent: AgentView; onChanged: () => void }) {
  const store = useStore();
  const [tokens, setTokens] = useState<AgentTokenView[]>([]);
  const [stats, setStats] = useState<AgentStats | null>(null);
  const [webhook, setWebhook] = useState('');
  const [secret, setSecret] = useState<{ label: string; value: string } | null>(null);
  const [scopes, setScopes] = useState<AgentScope[]>(['messages:read', 'messages:write']);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(async () => {
    const [t, s, w] = await Promise.all([
      store.rest.agentTokens(agent.id),
      store.rest.agentStats(agent.id, 30),
      store.rest.agentWebhook(agent.id).catch(() => null),
    ]);
    setTokens(t.tokens);
    setStats(s);
    setWebhook(w?.webhook.url ?? '');
  }, [store, agent.id]);
  useEffect(() => { load().catch((e: unknown) => { setError(errorMessage(e)); }); }, [load]);
  const act = async (work: () => Promise<unknown>) => {
    setError(null);
    try {
      await work();
      await load();
      onChanged();
    } catch (e) {
      setError(errorMessage(e));
    }
  };
  const retired = agent.status === 'retired';
  const totals = stats?.totals;
  return (
    <section className="form settings-card" aria-label={`Agent ${agent.display_name}`}>
      <h2>{agent.display_name} <span className="muted">@{agent.handle} · {agent.status}</span></h2>
      {agent.description && <p>{agent.description}</p>}
      {totals && (
        <p aria-label="Work in the last 30 days">
          Last 30 days: {totals.tasks} tasks, {totals.by_status.done} done, {totals.by_status.failed} failed, {totals.by_status.rejected} rejected
          {totals.time_to_done.median_seconds !== null && `, median ${Math.round(totals.time_to_done.median_seconds)} s to done`}
          {totals.rejection_rate !== null && `, ${Math.round(totals.rejection_rate * 100)}% rejected`}
          {totals.rating.count > 0 ? `; rated ${ratingSummary(totals.rating)}` : '; not rated yet'}.
        </p>
      )}
      <div className="row-actions">
        {agent.status === 'active' && <button type="button" onClick={() => { void act(() => store.rest.updateAgent(agent.id, { status: 'suspended' })); }}>Suspend</button>}
        {agent.status === 'suspended' && <button type="button" onClick={() => { void act(() => store.rest.updateAgent(agent.id, { status: 'active' })); }}>Resume</button>}
        {!retired && (
          <button type="button" className="danger" onClick={() => { if (confirm(`Retire ${agent.display_name} for good? Its tokens are revoked.`)) void act(() => store.rest.updateAgent(agent.id, { status: 'retired' })); }}>Retire</button>
        )}
      </div>
      <h3>Tokens</h3>
      <ul>
        {tokens.map((t) => (
          <li key={t.id}>
            {t.name}: {t.scopes.join(', ')} {t.revoked_at ? <span className="muted">(revoked)</span> : !retired && <button type="button" onClick={() => { void act(() => store.rest.revokeAgentToken(agent.id, t.id)); }} aria-label={`Revoke token ${t.name}`}>Revoke</button>}
          </li>
        ))}
      </ul>
      {!retired && (
        <div className="row-actions">
          {agentScopes.map((s) => (
            <label key={s} className="checkbox"><input type="checkbox" checked={scopes.includes(s)} onChange={(e) => { setScopes(e.target.checked ? [...scopes, s] : scopes.filter((x) => x !== s)); }} /> {s}</label>
          ))}
          <button type="button" disabled={scopes.length === 0} onClick={() => { void act(async () => { const t = await store.rest.issueAgentToken(agent.id, { name: `token ${tokens.length + 1}`, scopes }); setSecret({ label: 'The new token', value: t.secret }); }); }}>New token</button>
        </div>
      )}
      <h3>Webhook</h3>
      <div className="row-actions">
        <label>URL that receives its tasks <input type="url" value={webhook} onChange={(e) => { setWebhook(e.target.value); }} placeholder="https://…" /></label>
        <button type="button" disabled={!webhook} onClick={() => { void act(async () => { const r = await store.rest.setAgentWebhook(agent.id, webhook); if (r.secret) setSecret({ label: 'The webhook signing secret', value: r.secret }); }); }}>Save webhook</button>
      </div>
      {secret && <SecretOnce label={secret.label} secret={secret.value} onDone={() => { setSecret(null); }} />}
      {error && <p className="form-error" role="alert">{error}</p>}
    </section>
  );
}
