import { useState } from 'react';
import { navigate, useLocation } from '../../app/router.js';
import { paths } from '../../app/routes.js';
import { useWorkspaceSelector } from '../../app/workspace/hooks.js';
import '../docs/knowledge.css';

/** The header's search box: Enter opens the search screen with the query (`/` focuses it). */
export function SearchBox() {
  const orgId = useWorkspaceSelector((v) => v.orgId);
  const { search } = useLocation();
  const [q, setQ] = useState(search.get('q') ?? '');
  const submit = (event: { preventDefault(): void }) => {
    event.preventDefault();
    if (q.trim()) navigate(paths.search(orgId, { q: q.trim() }));
  };
  return (
    <form className="search-box" role="search" onSubmit={submit}>
      <input type="search" aria-label="Search messages, docs and experience" placeholder="Search" value={q} onChange={(e) => { setQ(e.target.value); }} maxLength={256} />
    </form>
  );
}
