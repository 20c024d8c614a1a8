import { useEffect, useMemo, useState } from 'react';
import { useStore } from '../../app/workspace/provider.js';
import { useWorkspace } from '../../app/workspace/hooks.js';
import { AgentBadge } from '../../components/AgentBadge.js';
import { ComboList } from '../../components/ComboList.js';
import { Dialog } from '../../components/Dialog.js';
import { errorMessage } from '../../components/errors.js';
import { PresenceDot } from '../../components/PresenceDot.js';
import { Avatar } from '../profile/Avatar.js';
import { openDirectMessage } from './open.js';

const limit = 12;

/**
 * "New message": pick a person of the org, or an agent you sponsor, by name or
 * handle (Enter picks the highlighted one) to open your direct message with
 * them, the existing one if there is one. (An agent is in a direct message only
 * with its sponsor, so others' agents are not offered.)
 */
export function NewMessageDialog({ onClose }: { onClose: () => void }) {
  const store = useStore();
  const { members, me } = useWorkspace();
  const [query, setQuery] = useState('');
  const [error, setError] = useState<string | null>(null);
  /** The agents I sponsor; none until the org's agents are known. */
  const [myAgents, setMyAgents] = useState<ReadonlySet<string>>(new Set());
  useEffect(() => {
    let live = true;
    store.rest.agents(store.getSnapshot().orgId).then(
      ({ agents }) => { if (live) setMyAgents(new Set(agents.filter((a) => a.sponsor_id === me?.id).map((a) => a.id))); },
      () => undefined, // without the list, people only
    );
    return () => { live = false; };
  }, [store, me]);
  const people = useMemo(() => {
    const q = query.trim().toLowerCase().replace(/^@/, '');
    const words = (name: string) => name.toLowerCase().split(/\s+/);
    return Object.values(members)
      .filter((m) => m.status === 'active' && m.id !== me?.id && (m.kind !== 'agent' || myAgents.has(m.id)))
      .map((m) => ({ m, score: m.handle.toLowerCase().startsWith(q) || words(m.display_name).some((w) => w.startsWith(q)) ? 0 : m.display_name.toLowerCase().includes(q) ? 1 : 2 }))
      .filter((x) => x.score < 2)
      .sort((a, b) => a.score - b.score || a.m.display_name.localeCompare(b.m.display_name))
      .slice(0, limit)
      .map((x) => x.m);
  }, [members, me, query, myAgents]);
  const pick = (id: string) => {
    openDirectMessage(store, [id]).then(onClose, (e: unknown) => { setError(errorMessage(e)); });
  };
  return (
    <Dialog title="New message" onClose={onClose}>
      <ComboList
        label="Person or agent"
        listId="new-message-people"
        placeholder="Type a name"
        query={query}
        onQuery={setQuery}
        onPick={pick}
        items={people.map((m) => ({
          id: m.id,
          label: `${m.display_name} (@${m.handle})${m.kind === 'agent' ? ', agent' : ''}`,
          content: (
            <span className="person-option">
              <Avatar member={m} rest={store.rest} size={20} />
              <PresenceDot memberId={m.id} />
              <span>{m.display_name}</span> <span className="muted">@{m.handle}</span>
              {m.kind === 'agent' && <AgentBadge />}
            </span>
          ),
        }))}
      />
      {query.trim() !== '' && people.length === 0 && <p className="empty-state" role="status">No one in this workspace matches “{query.trim()}”.</p>}
      {error && <p className="form-error" role="alert">{error}</p>}
    </Dialog>
  );
}
