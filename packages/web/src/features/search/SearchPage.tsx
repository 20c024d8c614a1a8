import { useEffect, useMemo, useState } from 'react';
import type { SearchHit, SearchResult } from '@chorus/sdk';
import { openPanel } from '../../app/panel-state.js';
import { navigate, useLocation } from '../../app/router.js';
import { useStore } from '../../app/workspace/provider.js';
import { channelLabel, useWorkspace } from '../../app/workspace/hooks.js';
import { AgentBadge } from '../../components/AgentBadge.js';
import { errorMessage } from '../../components/errors.js';
import { jumpToMessage } from '../agents/jump.js';
import { Attachments } from '../files/index.js';
import { queryFromParams, withParam } from './filters.js';
import { Highlighted } from './highlight.js';
import { SearchBox } from './SearchBox.js';
import '../docs/knowledge.css';

const when = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const kindName = { message: 'Message', doc: 'Doc', experience: 'Experience' } as const;

/** Search across what the person may read: filters in the URL, hits ranked by the server, paged by cursor. */
export function SearchPage() {
  const store = useStore();
  const view = useWorkspace();
  const { path, search } = useLocation();
  const key = search.toString();
  const query = useMemo(() => queryFromParams(new URLSearchParams(key)), [key]);
  const [result, setResult] = useState<SearchResult | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setResult(null);
    setError(null);
    if (!query) return;
    let live = true;
    setLoading(true);
    store.rest.search(view.orgId, query).then((r) => { if (live) setResult(r); }, (e: unknown) => { if (live) setError(errorMessage(e)); }).finally(() => { if (live) setLoading(false); });
    return () => { live = false; };
  }, [store, view.orgId, query]);
  const more = () => {
    if (!query || !result?.next_cursor) return;
    setLoading(true);
    store.rest.search(view.orgId, { ...query, cursor: result.next_cursor })
      .then((r) => { setResult((held) => ({ hits: [...(held?.hits ?? []), ...r.hits], next_cursor: r.next_cursor })); }, (e: unknown) => { setError(errorMessage(e)); })
      .finally(() => { setLoading(false); });
  };
  const set = (k: string, v: string | null) => { navigate(`${path}?${withParam(search, k, v)}`, { replace: true }); };
  const channels = Object.values(view.ws.channels).map((c) => c.channel).filter((c) => c.archived_at === null);
  const people = Object.values(view.members).sort((a, b) => a.display_name.localeCompare(b.display_name));
  const open = (hit: SearchHit) => {
    if (hit.kind === 'message') jumpToMessage(store, hit.id).catch((e: unknown) => { setError(errorMessage(e)); });
    else openPanel(hit.kind === 'doc' ? 'doc' : 'experience-entry', hit.id);
  };
  const kinds = search.get('kinds') ?? '';
  return (
    <section className="search-page" aria-label="Search">
      <header className="row-actions"><h1>Search</h1><SearchBox key={search.get('q') ?? ''} /></header>
      <div className="search-filters" aria-label="Filters">
        <label>In
          <select aria-label="Search in" value={kinds} onChange={(e) => { set('kinds', e.target.value); }}>
            <option value="">Everything</option>
            <option value="message">Messages</option>
            <option value="doc">Docs</option>
            <option value="experience">Experience</option>
          </select>
        </label>
        <label>Channel
          <select aria-label="Channel" value={search.get('channel') ?? ''} onChange={(e) => { set('channel', e.target.value); }}>
            <option value="">Any channel</option>
            {channels.map((c) => <option key={c.id} value={c.id}>{channelLabel(c, view.members, view.me?.id)}</option>)}
          </select>
        </label>
        <label>From
          <select aria-label="From" value={search.get('author') ?? ''} onChange={(e) => { set('author', e.target.value); }}>
            <option value="">Anyone</option>
            {people.map((m) => <option key={m.id} value={m.id}>{m.display_name}{m.kind === 'agent' ? ' (agent)' : ''}</option>)}
          </select>
        </label>
        <label>Kind of author
          <select aria-label="Kind of author" value={search.get('author_kind') ?? ''} onChange={(e) => { set('author_kind', e.target.value); }}>
            <option value="">People and agents</option>
            <option value="human">People</option>
            <option value="agent">Agents</option>
          </select>
        </label>
        <label>Since <input aria-label="Since" type="date" value={search.get('since') ?? ''} onChange={(e) => { set('since', e.target.value); }} /></label>
        <label>Until <input aria-label="Until" type="date" value={search.get('until') ?? ''} onChange={(e) => { set('until', e.target.value); }} /></label>
        <label className="checkbox"><span><input type="checkbox" checked={search.get('pinned') === 'true'} onChange={(e) => { set('pinned', e.target.checked ? 'true' : null); }} /> has:pin</span></label>
      </div>
      {!query && <p className="empty-state">Type words to search; "a phrase", or, and -word work as on the web.</p>}
      {error && <p className="form-error" role="alert">{error}</p>}
      {result && result.hits.length === 0 && <p className="empty-state" role="status">No results.</p>}
      {result && result.hits.length > 0 && (
        <ol className="knowledge-list search-results" aria-label="Search results">
          {result.hits.map((hit) => {
            const channel = view.ws.channels[hit.channel_id]?.channel;
            return (
              <li key={`${hit.kind}:${hit.id}`} className="search-hit">
                <div className="experience-meta muted">
                  <span className="source-kind">{kindName[hit.kind]}</span>
                  {channel && <> · {channelLabel(channel, view.members, view.me?.id)}</>}
                  {' '}· {hit.author.display_name}{hit.author.kind === 'agent' && <> <AgentBadge /></>}
                  {' '}· <time dateTime={hit.created_at}>{when.format(new Date(hit.created_at))}</time>
                  {hit.status && hit.status !== 'active' && <> · <span className={`status-pill status-${hit.status}`}>{hit.status}</span></>}
                </div>
                <button type="button" className="link-button search-open" onClick={() => { open(hit); }}>
                  {hit.title ? <span className="search-hit-title">{hit.title}</span> : 'Open message'}
                </button>
                <p><Highlighted snippet={hit.snippet} /></p>
                <Attachments message={hit} />
              </li>
            );
          })}
        </ol>
      )}
      {loading && <p className="muted" role="status">Searching…</p>}
      {result?.next_cursor && !loading && <button type="button" onClick={more}>More results</button>}
    </section>
  );
}
