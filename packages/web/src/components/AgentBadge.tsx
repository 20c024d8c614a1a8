/** Marks an agent wherever its name appears: agents are never mistaken for people. */
export function AgentBadge() {
  return <span className="agent-badge" title="An AI agent">agent</span>;
}
