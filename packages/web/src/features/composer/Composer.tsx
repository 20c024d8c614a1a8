import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import type { AgentCommand } from '@chorus/sdk';
import { useStore } from '../../app/workspace/provider.js';
import { useWorkspaceSelector } from '../../app/workspace/hooks.js';
import { AgentBadge } from '../../components/AgentBadge.js';
import { errorMessage } from '../../components/errors.js';
import { applySuggestion, findTrigger, rankSuggestions, type Suggestion, type Trigger } from './autocomplete.js';
import { loadDraft, saveDraft } from './drafts.js';
import { AttachButton, PendingChips, sendWithFiles, useFileDrop, usePendingFiles, type PendingFiles } from '../files/index.js';

export interface ComposerProps {
  channelId: string;
  threadRootId?: string;
  placeholder: string;
  /** ↑ in an empty composer: edit your last message. */
  onEditLast?: (() => void) | undefined;
  /**
   * The pending attachments, when a larger drop target (the channel page) holds
   * them; without it the composer keeps its own and is its own drop target.
   */
  files?: PendingFiles | undefined;
  /**
   * Focus on opening: `always` (a thread just opened to reply in), or `if-idle`: only when nothing
   * else has focus (a channel reached from the quick switcher) and not on touch screens, where focus
   * would pop the keyboard over the channel.
   */
  autoFocus?: 'always' | 'if-idle' | undefined;
}

const typingEveryMs = 3000;

/**
 * The composer: Enter sends, Shift+Enter is a new line, ↑ in an empty box edits
 * your last message; `@` completes people and agents, `/` at the start the
 * channel's agent commands. The draft is kept per channel (and thread).
 */
export function Composer({ channelId, threadRootId, placeholder, onEditLast, files: held, autoFocus }: ComposerProps) {
  const store = useStore();
  const draftKey = threadRootId ? `${channelId}:${threadRootId}` : channelId;
  const [text, setText] = useState(() => loadDraft(draftKey));
  const [caret, setCaret] = useState(0);
  const [active, setActive] = useState(0);
  const [dismissed, setDismissed] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [commands, setCommands] = useState<(AgentCommand & { agent: { handle: string } })[]>([]);
  const members = useWorkspaceSelector((v) => v.members);
  const me = useWorkspaceSelector((v) => v.me);
  const box = useRef<HTMLTextAreaElement>(null);
  const lastTyping = useRef(0);
  const own = usePendingFiles(channelId);
  const files = held ?? own;
  const drop = useFileDrop(files);

  useEffect(() => {
    let live = true;
    store.rest.commands(channelId).then(({ commands: list }) => { if (live) setCommands(list.filter((c) => !c.ambiguous)); }, () => undefined);
    return () => { live = false; };
  }, [store, channelId]);
  useEffect(() => { saveDraft(draftKey, text); }, [draftKey, text]);
  useEffect(() => {
    const idle = document.activeElement === null || document.activeElement === document.body;
    if (autoFocus === 'always' || (autoFocus === 'if-idle' && idle && matchMedia('(pointer: fine)').matches)) box.current?.focus();
  }, [autoFocus]);

  const trigger: Trigger | null = useMemo(() => {
    const t = findTrigger(text, caret);
    return t && t.start !== dismissed ? t : null;
  }, [text, caret, dismissed]);
  const suggestions = useMemo(() => {
    if (!trigger) return [];
    if (trigger.kind === 'command') {
      return rankSuggestions(commands.map((c) => ({ insert: `/${c.name}`, label: `/${c.name}${c.arg_hint ? ` ${c.arg_hint}` : ''}`, detail: `${c.description} · @${c.agent.handle}`, agent: true })), trigger.query);
    }
    const people = Object.values(members)
      .filter((m) => m.status === 'active' && m.id !== me?.id)
      .map((m) => ({ insert: `@${m.handle}`, label: m.display_name, detail: `@${m.handle}`, agent: m.kind === 'agent' }));
    return rankSuggestions(people, trigger.query);
  }, [trigger, commands, members, me]);

  const choose = (s: Suggestion | undefined) => {
    if (!s || !trigger) return;
    const next = applySuggestion(text, caret, trigger, s);
    setText(next.text);
    setCaret(next.caret);
    requestAnimationFrame(() => { box.current?.setSelectionRange(next.caret, next.caret); });
  };

  const send = async () => {
    const body = text.trim();
    const attached = files.ready();
    if (!attached) { setError('Wait for the files to finish uploading.'); return; }
    if (!body && attached.length === 0) return;
    setText('');
    setError(null);
    try {
      if (attached.length > 0) await sendWithFiles(store, channelId, body, attached, threadRootId);
      else await store.send(channelId, body, threadRootId);
      files.clear();
    } catch (e) {
      setText(body);
      setError(errorMessage(e));
    }
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (suggestions.length > 0) {
      if (e.key === 'ArrowDown') { e.preventDefault(); setActive((a) => (a + 1) % suggestions.length); return; }
      if (e.key === 'ArrowUp') { e.preventDefault(); setActive((a) => (a - 1 + suggestions.length) % suggestions.length); return; }
      if (e.key === 'Enter' || e.key === 'Tab') { e.preventDefault(); choose(suggestions[active]); return; }
      if (e.key === 'Escape') { e.preventDefault(); setDismissed(trigger?.start ?? null); return; }
    }
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      void send();
      return;
    }
    if (e.key === 'ArrowUp' && text === '' && onEditLast) {
      e.preventDefault();
      onEditLast();
    }
  };

  const onChange = (value: string, at: number) => {
    setText(value);
    setCaret(at);
    setActive(0);
    if (dismissed !== null && findTrigger(value, at)?.start !== dismissed) setDismissed(null);
    const now = Date.now();
    if (value && now - lastTyping.current > typingEveryMs) {
      lastTyping.current = now;
      store.typing(channelId, threadRootId);
    }
  };

  const listId = `suggest-${draftKey}`;
  return (
    <div className="composer" {...(held ? {} : drop.props)}>
      {suggestions.length > 0 && (
        <ul id={listId} role="listbox" className="suggestions" aria-label={trigger?.kind === 'command' ? 'Commands' : 'People and agents'}>
          {suggestions.map((s, i) => (
            <li key={s.insert} id={`${listId}-${i}`} role="option" aria-selected={i === active} className={i === active ? 'active' : ''} onMouseDown={(e) => { e.preventDefault(); choose(s); }}>
              <strong>{s.label}</strong> {s.agent && <AgentBadge />} <span className="muted">{s.detail}</span>
            </li>
          ))}
        </ul>
      )}
      {error && <p className="form-error" role="alert">{error}</p>}
      <PendingChips files={files} />
      <div className="composer-row">
      <AttachButton files={files} />
      <textarea
        ref={box}
        className="composer-input"
        aria-label={placeholder}
        placeholder={placeholder}
        rows={1}
        value={text}
        role="combobox"
        aria-autocomplete="list"
        aria-expanded={suggestions.length > 0}
        aria-controls={suggestions.length > 0 ? listId : undefined}
        aria-activedescendant={suggestions.length > 0 ? `${listId}-${active}` : undefined}
        onChange={(e) => { onChange(e.target.value, e.target.selectionStart); }}
        onSelect={(e) => { setCaret(e.currentTarget.selectionStart); }}
        onKeyDown={onKeyDown}
      />
      </div>
      <div className="composer-hint" aria-hidden="true">Enter to send · Shift+Enter for a new line</div>
    </div>
  );
}
