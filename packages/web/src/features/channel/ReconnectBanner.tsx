import { useWorkspaceSelector } from '../../app/workspace/hooks.js';

/** Shown while the socket is away; it goes once the socket has resumed (the missed events replayed exactly). */
export function ReconnectBanner() {
  const connection = useWorkspaceSelector((v) => v.connection);
  const error = useWorkspaceSelector((v) => v.error);
  if (connection === 'reconnecting') return <div className="banner banner-warning" role="status">Reconnecting… messages will catch up when the connection is back.</div>;
  if (connection === 'closed' && error) return <div className="banner banner-error" role="alert">Disconnected: {error}</div>;
  return null;
}
