import { useEffect, useState } from 'react';
import type { AgentView } from '@chorus/sdk';
import { useStore } from '../../app/workspace/provider.js';
import { useMe, useMembers } from '../../app/workspace/hooks.js';
import { AgentBadge } from '../../components/AgentBadge.js';
import { errorMessage } from '../../components/errors.js';
import { CustomStatusText } from '../profile/CustomStatusText.js';
import { Avatar } from '../profile/Avatar.js';
import { openDirectMessage } from '../direct/open.js';
import { PresenceDot } from '../../components/PresenceDot.js';
import '../docs/knowledge.css';

/** A member's profile card; for an agent, the badge, its sponsor, what it does and its commands. */
export function ProfilePanel({ memberId }: { memberId: string }) {
  const store = useStore();
  const members = useMembers();
  const me = useMe();
  const member = members[memberId];
  const [agent, setAgent] = useState<AgentView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const isAgent = member?.kind === 'agent';
  useEffect(() => {
    setAgent(null);
    if (!isAgent) return;
    store.rest.agent(memberId).then(({ agent: a }) => { setAgent(a); }, (e: unknown) => { setError(errorMessage(e)); });
  }, [store, memberId, isAgent]);
  if (!member) return <p className="empty-state">This member is not in your directory.</p>;
  const sponsor = agent ? members[agent.sponsor_id] : undefined;
  const commands = agent?.card.commands ?? [];
  const skills = agent?.card.skills ?? [];
  return (
    <section className="profile-card" aria-label={`Profile of ${member.display_name}`}>
      <div className="profile-head">
        <Avatar member={member} rest={store.rest} size={48} />
        <div>
          <h3><PresenceDot memberId={member.id} /> {member.display_name} {isAgent && <AgentBadge />}</h3>
          <p className="muted">@{member.handle} · {member.role}{member.status ? ` · ${member.status}` : ''}</p>
          <CustomStatusText member={member} />
        </div>
      </div>
      {member.id !== me?.id && member.status === 'active' && (
        <div className="row-actions">
          <button type="button" className="primary" onClick={() => { openDirectMessage(store, [member.id]).catch((e: unknown) => { setError(errorMessage(e)); }); }}>Message</button>
        </div>
      )}
      {error && <p className="form-error" role="alert">{error}</p>}
      {agent && (
        <dl className="agent-card">
          <dt>Sponsor</dt>
          <dd className="agent-sponsor">{sponsor ? `${sponsor.display_name} (@${sponsor.handle})` : 'unknown'}</dd>
          {agent.description && <><dt>What it does</dt><dd>{agent.description}</dd></>}
          {skills.length > 0 && <><dt>Skills</dt><dd><ul className="tag-list">{skills.map((s) => <li key={s} className="tag">{s}</li>)}</ul></dd></>}
          {commands.length > 0 && (
            <>
              <dt>Commands</dt>
              <dd>
                <ul className="command-list">
                  {commands.map((c) => <li key={c.name}><code>/{c.name}{c.arg_hint ? ` ${c.arg_hint}` : ''}</code> — {c.description}</li>)}
                </ul>
              </dd>
            </>
          )}
          {(agent.card.model ?? agent.card.version) && <><dt>Model</dt><dd>{[agent.card.model, agent.card.version].filter(Boolean).join(' · ')}</dd></>}
          <dt>Status</dt>
          <dd>{agent.status}</dd>
        </dl>
      )}
    </section>
  );
}
