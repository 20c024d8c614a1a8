import { useEffect, useState, type KeyboardEvent, type ReactNode } from 'react';
import { Sidebar } from '../../features/sidebar/Sidebar.js';
import { QuickSwitcher } from '../../features/switcher/QuickSwitcher.js';
import { ReconnectBanner } from '../../features/channel/ReconnectBanner.js';
import { closePanel, usePanel } from '../panel-state.js';
import { panels } from '../panels.js';
import { matchPath, useLocation } from '../router.js';
import { usePanelFocus } from './focus.js';

/**
 * The workspace layout: sidebar | main | right-hand panel (the slot that
 * `panels.tsx` fills). At phone width the sidebar is a drawer behind the menu
 * button, and the panel covers the main column. Escape closes the panel (or
 * the drawer) and focus goes back where it came from.
 */
export function Shell({ children }: { children: ReactNode }) {
  const { path } = useLocation();
  const panel = usePanel();
  const def = panel ? panels.find((p) => p.kind === panel.kind) : undefined;
  const channelId = matchPath('/o/:orgId/c/:channelId', path)?.channelId ?? null;
  const [drawer, setDrawer] = useState(false);
  const [switcher, setSwitcher] = useState(false);
  const { panelRef, menuRef } = usePanelFocus(def && panel ? `${panel.kind}:${panel.id}` : null, drawer);

  useEffect(() => { setDrawer(false); }, [path]);
  useEffect(() => {
    const onKey = (event: globalThis.KeyboardEvent) => {
      if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 'k') {
        event.preventDefault();
        setSwitcher((open) => !open);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => { window.removeEventListener('keydown', onKey); };
  }, []);

  // A modal dialog inside (create a channel…) has its own Escape; a key its control used is not ours.
  const escapeCloses = (close: () => void) => (event: KeyboardEvent) => {
    if (event.key !== 'Escape' || event.defaultPrevented || (event.target as Element).closest('dialog')) return;
    event.preventDefault();
    close();
  };

  return (
    <div className={`shell${drawer ? ' drawer-open' : ''}${def ? ' with-panel' : ''}`}>
      <a className="skip-link" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById('main')?.focus(); }}>Skip to main content</a>
      <ReconnectBanner />
      <Sidebar onOpenSwitcher={() => { setSwitcher(true); }} onKeyDown={drawer ? escapeCloses(() => { setDrawer(false); }) : undefined} />
      {drawer && <div className="drawer-backdrop" aria-hidden="true" onClick={() => { setDrawer(false); }} />}
      <main id="main" className="main" tabIndex={-1}>
        <button ref={menuRef} type="button" className="menu-button" aria-label="Open the sidebar" aria-expanded={drawer} aria-controls="sidebar" onClick={() => { setDrawer((d) => !d); }}>☰</button>
        {children}
      </main>
      {def && panel && (
        <aside ref={panelRef} className="panel" aria-labelledby="panel-title" onKeyDown={escapeCloses(closePanel)}>
          <header className="panel-header">
            <h2 id="panel-title" tabIndex={-1}>{def.title}</h2>
            <button type="button" className="icon-button" aria-label={`Close ${def.title.toLowerCase()}`} onClick={closePanel}>✕</button>
          </header>
          <div className="panel-body">{def.render({ id: panel.id, channelId })}</div>
        </aside>
      )}
      {switcher && <QuickSwitcher onClose={() => { setSwitcher(false); }} />}
    </div>
  );
}
