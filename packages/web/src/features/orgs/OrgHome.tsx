import { useEffect } from 'react';
import { navigate } from '../../app/router.js';
import { paths } from '../../app/routes.js';
import { useWorkspace } from '../../app/workspace/hooks.js';

/** An org without a channel chosen: go to its first channel (the default one comes first by name order). */
export function OrgHome() {
  const view = useWorkspace();
  const first = Object.values(view.ws.channels).map((c) => c.channel).filter((c) => c.kind === 'public' || c.kind === 'private').sort((a, b) => (a.name ?? '').localeCompare(b.name ?? ''))[0];
  useEffect(() => {
    if (view.ready && first) navigate(paths.channel(view.orgId, first.id), { replace: true });
  }, [view.ready, view.orgId, first]);
  return <div className="empty-state">{view.ready ? 'No channels yet: create one from the sidebar.' : 'Loading…'}</div>;
}
