import { sidebarSections } from './sections.js';
import { OrgSwitcher } from './OrgSwitcher.js';
import { ThemeToggle } from './ThemeToggle.js';

export function Sidebar({ onOpenSwitcher }: { onOpenSwitcher: () => void }) {
  return (
    <nav className="sidebar" aria-label="Workspace">
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
