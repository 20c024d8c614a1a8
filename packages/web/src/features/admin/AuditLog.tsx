import { useState, type SyntheticEvent } from 'react';
import type { AuditEventView, AuditQuery, AuditVerification } from '@chorus/sdk';
import { useStore } from '../../app/workspace/provider.js';
import { channelLabel, useWorkspace } from '../../app/workspace/hooks.js';
import { errorMessage } from '../../components/errors.js';

/** The audit log with filters (actor, channel, action, time), JSON Lines export and chain verification. */
export function AuditLog() {
  const store = useStore();
  const view = useWorkspace();
  const [filters, setFilters] = useState<{ actor_id: string; channel_id: string; action: string; since: string; until: string }>({ actor_id: '', channel_id: '', action: '', since: '', until: '' });
  const [events, setEvents] = useState<AuditEventView[] | null>(null);
  const [next, setNext] = useState<number | null>(null);
  const [verified, setVerified] = useState<AuditVerification | null>(null);
  const [error, setError] = useState<string | null>(null);
  const query = (): AuditQuery => ({
    ...(filters.actor_id ? { actor_id: filters.actor_id } : {}),
    ...(filters.channel_id ? { channel_id: filters.channel_id } : {}),
    ...(filters.action.trim() ? { action: filters.action.trim() } : {}),
    ...(filters.since ? { since: new Date(filters.since).toISOString() } : {}),
    ...(filters.until ? { until: new Date(filters.until).toISOString() } : {}),
  });
  const search = async (event?: SyntheticEvent, after?: number) => {
    event?.preventDefault();
    setError(null);
    try {
      const page = await store.rest.audit(view.orgId, { ...query(), limit: 100, ...(after !== undefined ? { after } : {}) });
      setEvents(after !== undefined ? [...(events ?? []), ...page.events] : page.events);
      setNext(page.next_after);
    } catch (e) {
      setError(errorMessage(e));
    }
  };
  const exportLog = async () => {
    try {
      const text = await store.rest.auditExport(view.orgId, query());
      const url = URL.createObjectURL(new Blob([text], { type: 'application/x-ndjson' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = `audit-${view.orgId}.jsonl`;
      a.click();
      URL.revokeObjectURL(url);
    } catch (e) {
      setError(errorMessage(e));
    }
  };
  const verify = async () => {
    try {
      setVerified(await store.rest.verifyAudit(view.orgId));
    } catch (e) {
      setError(errorMessage(e));
    }
  };
  const set = (key: keyof typeof filters) => (e: { target: { value: string } }) => { setFilters({ ...filters, [key]: e.target.value }); };
  const name = (id: string | null) => (id ? view.members[id]?.display_name ?? id.slice(0, 8) : 'system');
  const channels = Object.values(view.ws.channels).map((c) => c.channel);
  return (
    <section className="form settings-card" aria-labelledby="audit-heading">
      <h2 id="audit-heading">Audit log</h2>
      <form className="filters" aria-label="Audit filters" onSubmit={(e) => { void search(e); }}>
        <label>Actor
          <select value={filters.actor_id} onChange={set('actor_id')}>
            <option value="">Anyone</option>
            {Object.values(view.members).map((m) => <option key={m.id} value={m.id}>{m.display_name}{m.kind === 'agent' ? ' (agent)' : ''}</option>)}
          </select>
        </label>
        <label>Channel
          <select value={filters.channel_id} onChange={set('channel_id')}>
            <option value="">Any</option>
            {channels.map((c) => <option key={c.id} value={c.id}>{channelLabel(c, view.members, view.me?.id)}</option>)}
          </select>
        </label>
        <label>Action <input value={filters.action} onChange={set('action')} placeholder="e.g. agent.context.read" /></label>
        <label>From <input type="datetime-local" value={filters.since} onChange={set('since')} /></label>
        <label>Until <input type="datetime-local" value={filters.until} onChange={set('until')} /></label>
        <button type="submit" className="primary">Show events</button>
      </form>
      <div className="row-actions">
        <button type="button" onClick={() => { void exportLog(); }}>Export as JSON Lines</button>
        <button type="button" onClick={() => { void verify(); }}>Verify the chain</button>
        {verified && (
          <span role="status" className={verified.ok ? 'verify-ok' : 'form-error'}>
            {verified.ok ? `Chain intact: ${verified.events} events verified.` : `Chain broken at event ${verified.broken_at ?? '?'}: ${verified.problem ?? ''}`}
          </span>
        )}
      </div>
      {error && <p className="form-error" role="alert">{error}</p>}
      {events && (
        <div className="settings-table-wrap">
          <table className="settings-table" aria-label="Audit events">
            <thead><tr><th scope="col">#</th><th scope="col">When</th><th scope="col">Actor</th><th scope="col">Action</th><th scope="col">Decision</th><th scope="col">Target</th></tr></thead>
            <tbody>
              {events.map((e) => (
                <tr key={e.seq}>
                  <td>{e.seq}</td>
                  <td>{new Date(e.created_at).toLocaleString()}</td>
                  <td>{name(e.actor_id)}</td>
                  <td>{e.action}</td>
                  <td>{e.decision}{e.reason ? ` (${e.reason})` : ''}</td>
                  <td>{e.target_type ? `${e.target_type} ${e.target_id?.slice(0, 8) ?? ''}` : ''}{e.items.length ? ` · ${e.items.length} items` : ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {events.length === 0 && <p className="muted">No events match.</p>}
          {next !== null && <button type="button" onClick={() => { void search(undefined, next); }}>Load more</button>}
        </div>
      )}
    </section>
  );
}
