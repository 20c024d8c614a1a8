import type { KeyboardEventHandler } from 'react';
import { sidebarSections } from './sections.js';
import { OrgSwitcher } from './OrgSwitcher.js';
import { ThemeToggle } from './ThemeToggle.js';

export function Sidebar({ onOpenSwitcher, onKeyDown }: { onOpenSwitcher: () => void; onKeyDown?: KeyboardEventHandler | undefined }) {
  return (
    <nav id="sidebar" className="sidebar" aria-label="Workspace" onKeyDown={onKeyDown}>
      <OrgSwitcher />
      <button type="button" className="switcher-button" onClick={onOpenSwitcher}>
        Jump to… <kbd>Ctrl K</kbd>
      </button>
      {sidebarSections.map((s) => <div key={s.id} className="sidebar-section">{s.render()}</div>)}
      <div className="sidebar-footer">
        <ThemeToggle />
      </div>
    </nav>
  );
}
