import { useMemo, useState, type KeyboardEvent } from 'react';
import { navigate } from '../../app/router.js';
import { paths } from '../../app/routes.js';
import { channelLabel, useWorkspace } from '../../app/workspace/hooks.js';
import { Dialog } from '../../components/Dialog.js';

/** Ctrl/Cmd+K: type part of a channel's or person's name, Enter to go there. */
export function QuickSwitcher({ onClose }: { onClose: () => void }) {
  const view = useWorkspace();
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const items = useMemo(() => {
    const q = query.trim().toLowerCase().replace(/^#/, '');
    return Object.values(view.ws.channels)
      .map((c) => ({ id: c.channel.id, label: channelLabel(c.channel, view.members, view.me?.id), unread: view.entries[c.channel.id]?.unread ?? 0 }))
      .filter((i) => i.label.toLowerCase().replace(/^#/, '').includes(q))
      .sort((a, b) => b.unread - a.unread || a.label.localeCompare(b.label))
      .slice(0, 12);
  }, [view, query]);
  const go = (id: string | undefined) => {
    if (!id) return;
    onClose();
    navigate(paths.channel(view.orgId, id));
  };
  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'ArrowDown') { e.preventDefault(); setActive((a) => Math.min(a + 1, items.length - 1)); }
    if (e.key === 'ArrowUp') { e.preventDefault(); setActive((a) => Math.max(a - 1, 0)); }
    if (e.key === 'Enter') { e.preventDefault(); go(items[active]?.id); }
  };
  return (
    <Dialog title="Jump to a conversation" onClose={onClose}>
      <input
        className="switcher-input"
        role="combobox"
        aria-expanded="true"
        aria-controls="switcher-list"
        aria-activedescendant={items[active] ? `switch-${items[active].id}` : undefined}
        aria-label="Channel or person"
        data-autofocus
        value={query}
        onChange={(e) => { setQuery(e.target.value); setActive(0); }}
        onKeyDown={onKey}
      />
      <ul id="switcher-list" role="listbox" className="switcher-list">
        {items.map((item, i) => (
          <li key={item.id} id={`switch-${item.id}`} role="option" aria-selected={i === active} className={i === active ? 'active' : ''} onMouseDown={(e) => { e.preventDefault(); go(item.id); }}>
            {item.label}{item.unread > 0 && <span className="badge">{item.unread}</span>}
          </li>
        ))}
      </ul>
    </Dialog>
  );
}
