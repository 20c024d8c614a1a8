import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import { useSession } from '../session.js';
import { WorkspaceStore } from './workspace-store.js';

const StoreContext = createContext<WorkspaceStore | null>(null);

/** Starts one org's workspace store for as long as the org is open. */
export function WorkspaceProvider({ orgId, children }: { orgId: string; children: ReactNode }) {
  const { rest, token } = useSession();
  const [store, setStore] = useState<WorkspaceStore | null>(null);
  useEffect(() => {
    if (!token) return;
    const created = new WorkspaceStore(rest, { baseUrl: rest.baseUrl, token, orgId });
    setStore(created);
    void created.start();
    return () => { created.stop(); };
  }, [rest, token, orgId]);
  if (!store) return null;
  return <StoreContext.Provider value={store}>{children}</StoreContext.Provider>;
}

/** The open org's store (for actions: send, openChannel, loadOlder, …). */
export function useStore(): WorkspaceStore {
  const store = useContext(StoreContext);
  if (!store) throw new Error('useStore outside WorkspaceProvider');
  return store;
}

/** For tests and stories: a store made elsewhere. */
export function StoreProvider({ store, children }: { store: WorkspaceStore; children: ReactNode }) {
  return <StoreContext.Provider value={store}>{children}</StoreContext.Provider>;
}
