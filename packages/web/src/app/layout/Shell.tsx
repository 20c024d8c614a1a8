import { useEffect, useState, type ReactNode } from 'react';
import { Sidebar } from '../../features/sidebar/Sidebar.js';
import { QuickSwitcher } from '../../features/switcher/QuickSwitcher.js';
import { ReconnectBanner } from '../../features/channel/ReconnectBanner.js';
import { closePanel, usePanel } from '../panel-state.js';
import { panels } from '../panels.js';
import { matchPath, useLocation } from '../router.js';

/**
 * The workspace layout: sidebar | main | right-hand panel (the slot that
 * `panels.tsx` fills). At phone width the sidebar is a drawer behind the menu
 * button, and the panel covers the main column.
 */
export function Shell({ children }: { children: ReactNode }) {
  const { path } = useLocation();
  const panel = usePanel();
  const def = panel ? panels.find((p) => p.kind === panel.kind) : undefined;
  const channelId = matchPath('/o/:orgId/c/:channelId', path)?.channelId ?? null;
  const [drawer, setDrawer] = useState(false);
  const [switcher, setSwitcher] = useState(false);

  useEffect(() => { setDrawer(false); }, [path]);
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 'k') {
        event.preventDefault();
        setSwitcher((open) => !open);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => { window.removeEventListener('keydown', onKey); };
  }, []);

  return (
    <div className={`shell${drawer ? ' drawer-open' : ''}${def ? ' with-panel' : ''}`}>
      <a className="skip-link" href="#main">Skip to messages</a>
      <ReconnectBanner />
      <Sidebar onOpenSwitcher={() => { setSwitcher(true); }} />
      <main id="main" className="main">
        <button type="button" className="menu-button" aria-label="Open the sidebar" aria-expanded={drawer} onClick={() => { setDrawer((d) => !d); }}>☰</button>
        {children}
      </main>
      {def && panel && (
        <aside className="panel" aria-label={def.title}>
          <header className="panel-header">
            <h2>{def.title}</h2>
            <button type="button" className="icon-button" aria-label={`Close ${def.title.toLowerCase()}`} onClick={closePanel}>✕</button>
          </header>
          <div className="panel-body">{def.render({ id: panel.id, channelId })}</div>
        </aside>
      )}
      {switcher && <QuickSwitcher onClose={() => { setSwitcher(false); }} />}
    </div>
  );
}
