import { memo, useState, type KeyboardEvent } from 'react';
import type { MessageView } from '@chorus/sdk';
import { useStore } from '../../app/workspace/provider.js';
import { AgentBadge } from '../../components/AgentBadge.js';
import { errorMessage } from '../../components/errors.js';
import { messageActions } from './actions.js';
import { messageFooters } from './footers.js';
import { Markdown } from './Markdown.js';
import { useMessageList } from './MessageContext.js';
import { AuthorName } from '../agents/AuthorName.js';
import { Avatar } from '../profile/Avatar.js';
import { CustomStatusText } from '../profile/CustomStatusText.js';
import { PresenceDot } from '../../components/PresenceDot.js';
import { onToolbarKey } from '../../components/roving.js';

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/**
 * One message: author (avatar, presence, custom status; agents badged) at the head of a run, time, body as safe
 * markdown, the actions menu, and the footer slot. `position` places it in a list that holds only part of the
 * history (the virtualised channel list): its 1-based place among the loaded messages and how many there are
 * (-1 while older ones exist).
 */
export const MessageItem = memo(function MessageItem({ message, compact, position }: { message: MessageView; compact: boolean; position?: { index: number; size: number } }) {
  const store = useStore();
  const list = useMessageList();
  const editing = list.editingId === message.id;
  const deleted = message.deleted_at !== null;
  const created = new Date(message.created_at);
  const actions = messageActions.filter((a) => a.visible({ message, store, list }));
  const isAgent = message.author.kind === 'agent';
  // The directory's entry (avatar, status), kept current by the socket; the message's own author until it is known.
  const author = list.members[message.author.id] ?? { ...message.author, avatar_url: null, custom_status: null };
  return (
    <article
      className={`message${compact ? ' compact' : ''}${isAgent ? ' from-agent' : ''}${message.kind !== 'chat' ? ` kind-${message.kind}` : ''}`}
      aria-label={`${message.author.display_name}${isAgent ? ' (agent)' : ''}, ${dateFormat.format(created)}`}
      data-seq={message.seq}
      data-message-id={message.id}
      aria-posinset={position?.index}
      aria-setsize={position?.size}
      tabIndex={-1}
    >
      {/* First in the DOM (drawn at the top right), so Tab from a focused message reaches its actions first. */}
      {actions.length > 0 && !editing && (
        <div className="message-actions" role="toolbar" aria-label="Message actions" onKeyDown={onToolbarKey}>
          {actions.map((a, i) => (
            <button key={a.id} type="button" className="icon-button" tabIndex={i === 0 ? 0 : -1} aria-label={a.label} title={a.label} onClick={() => { void a.run({ message, store, list }); }}>
              {a.icon}
            </button>
          ))}
        </div>
      )}
      {!compact && (
        <header className="message-header">
          <Avatar member={author} rest={store.rest} size={34} />
          <AuthorName author={message.author} />
          <PresenceDot memberId={message.author.id} />
          {isAgent && <AgentBadge />}
          <CustomStatusText member={author} />
          <time dateTime={message.created_at} title={dateFormat.format(created)}>{timeFormat.format(created)}</time>
        </header>
      )}
      <div className="message-content">
        {deleted ? <p className="tombstone">This message was deleted.</p>
          : editing ? <EditBox message={message} onDone={() => { list.setEditingId(null); }} />
          : <Markdown body={message.body} env={list.markdown} />}
        {!deleted && message.edited_at && !editing && <span className="edited">(edited)</span>}
        {messageFooters.map((f) => <FooterSlot key={f.id} render={() => f.render(message)} />)}
      </div>
    </article>
  );
});

function FooterSlot({ render }: { render: () => React.ReactNode }) {
  return <>{render()}</>;
}

function EditBox({ message, onDone }: { message: MessageView; onDone: () => void }) {
  const store = useStore();
  const [body, setBody] = useState(message.body);
  const [error, setError] = useState<string | null>(null);
  const save = async () => {
    if (body.trim() === '' || body === message.body) { onDone(); return; }
    try {
      await store.rest.edit(message.id, body);
      onDone();
    } catch (e) {
      setError(errorMessage(e));
    }
  };
  const onKey = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Escape') { e.preventDefault(); onDone(); }
    if (e.key === 'Enter' && !e.shiftKey) { e.preventDefault(); void save(); }
  };
  return (
    <div className="edit-box">
      <textarea aria-label="Edit message" value={body} autoFocus onChange={(e) => { setBody(e.target.value); }} onKeyDown={onKey} />
      <div className="edit-hint">Enter to save · Escape to cancel</div>
      {error && <p className="form-error" role="alert">{error}</p>}
    </div>
  );
}
