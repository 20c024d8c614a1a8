import { useWorkspaceSelector } from '../app/workspace/hooks.js';

export function PresenceDot({ memberId }: { memberId: string }) {
  const status = useWorkspaceSelector((v) => v.presence[memberId] ?? 'offline');
  return <span className={`presence presence-${status}`} role="img" aria-label={status} />;
}
