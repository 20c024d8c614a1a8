import { useMemo, useState } from 'react';
import { navigate } from '../../app/router.js';
import { paths } from '../../app/routes.js';
import { channelLabel, useWorkspace } from '../../app/workspace/hooks.js';
import { ComboList } from '../../components/ComboList.js';
import { Dialog } from '../../components/Dialog.js';

/** Ctrl/Cmd+K: type part of a channel's or person's name, Enter to go there. */
export function QuickSwitcher({ onClose }: { onClose: () => void }) {
  const view = useWorkspace();
  const [query, setQuery] = useState('');
  const items = useMemo(() => {
    const q = query.trim().toLowerCase().replace(/^#/, '');
    return Object.values(view.ws.channels)
      .map((c) => ({ id: c.channel.id, label: channelLabel(c.channel, view.members, view.me?.id), unread: view.entries[c.channel.id]?.unread ?? 0 }))
      .filter((i) => i.label.toLowerCase().replace(/^#/, '').includes(q))
      .sort((a, b) => b.unread - a.unread || a.label.localeCompare(b.label))
      .slice(0, 12);
  }, [view, query]);
  const go = (id: string) => {
    onClose();
    navigate(paths.channel(view.orgId, id));
  };
  return (
    <Dialog title="Jump to a conversation" onClose={onClose}>
      <ComboList
        label="Channel or person"
        listId="switcher-list"
        query={query}
        onQuery={setQuery}
        items={items.map((item) => ({ id: item.id, content: <>{item.label}{item.unread > 0 && <span className="badge">{item.unread}</span>}</> }))}
        onPick={go}
      />
    </Dialog>
  );
}
