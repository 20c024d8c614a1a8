import { useState, type KeyboardEvent, type ReactNode } from 'react';

/** One choice of a {@link ComboList}. */
export interface ComboItem {
  id: string;
  content: ReactNode;
  /** The option's accessible name, when its content says more (pictures, presence). */
  label?: string;
}

/**
 * A search box over a list of choices (the ARIA combobox pattern): typing
 * filters (the caller does, from `query`), ↑/↓ move, Enter or a click picks.
 * The quick switcher and the new-message picker share it.
 *
 * @example
 * <ComboList label="Person" listId="dm-people" query={q} onQuery={setQ} items={matches} onPick={(id) => open(id)} />
 */
export function ComboList({ label, listId, query, onQuery, items, onPick, placeholder }: {
  label: string;
  listId: string;
  query: string;
  onQuery: (query: string) => void;
  items: readonly ComboItem[];
  onPick: (id: string) => void;
  placeholder?: string;
}) {
  const [chosen, setActive] = useState(0);
  const active = Math.min(chosen, Math.max(items.length - 1, 0));
  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'ArrowDown') { e.preventDefault(); setActive(Math.min(active + 1, items.length - 1)); }
    if (e.key === 'ArrowUp') { e.preventDefault(); setActive(Math.max(active - 1, 0)); }
    if (e.key === 'Enter') {
      e.preventDefault();
      const item = items[active];
      if (item) onPick(item.id);
    }
  };
  const optionId = (id: string) => `${listId}-${id}`;
  return (
    <>
      <input
        className="switcher-input"
        role="combobox"
        aria-expanded="true"
        aria-controls={listId}
        aria-activedescendant={items[active] ? optionId(items[active].id) : undefined}
        aria-label={label}
        placeholder={placeholder}
        data-autofocus
        value={query}
        onChange={(e) => { onQuery(e.target.value); setActive(0); }}
        onKeyDown={onKey}
      />
      <ul id={listId} role="listbox" aria-label={label} className="switcher-list">
        {items.map((item, i) => (
          <li key={item.id} id={optionId(item.id)} role="option" aria-label={item.label} aria-selected={i === active} className={i === active ? 'active' : ''} onMouseDown={(e) => { e.preventDefault(); onPick(item.id); }}>
            {item.content}
          </li>
        ))}
      </ul>
    </>
  );
}
