import { useEffect, useState } from 'react';
import type { MessageView } from '@chorus/sdk';
import { openPanel } from '../../app/panel-state.js';
import { useStore } from '../../app/workspace/provider.js';
import { errorMessage } from '../../components/errors.js';
import '../docs/knowledge.css';

/**
 * "Save as experience": distils a message (or, for a thread's root, the whole thread) into an entry of
 * its channel, with the message as provenance. The server checks the audience rule.
 */
export function SaveExperiencePanel({ messageId }: { messageId: string }) {
  const store = useStore();
  const [message, setMessage] = useState<MessageView | null>(null);
  const [title, setTitle] = useState('');
  const [body, setBody] = useState('');
  const [tags, setTags] = useState('');
  const [reviewBy, setReviewBy] = useState('');
  const [wholeThread, setWholeThread] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    store.rest.message(messageId).then(({ message: m }) => {
      setMessage(m);
      setBody(m.body);
      setTitle(m.body.split('\n')[0]?.slice(0, 80) ?? '');
    }, (e: unknown) => { setError(errorMessage(e)); });
  }, [store, messageId]);
  const save = async (event: { preventDefault(): void }) => {
    event.preventDefault();
    if (!message) return;
    try {
      await store.rest.createExperience(message.channel_id, {
        title: title.trim(),
        body: body.trim(),
        tags: tags.split(',').map((t) => t.trim()).filter(Boolean),
        ...(reviewBy ? { review_by: new Date(reviewBy).toISOString() } : {}),
        sources: [{ type: wholeThread ? 'thread' : 'message', id: message.id }],
      });
      openPanel('experience', message.channel_id);
    } catch (e) {
      setError(errorMessage(e));
    }
  };
  if (!message) return error ? <p className="form-error" role="alert">{error}</p> : <p className="empty-state" role="status">Loading…</p>;
  return (
    <form className="form knowledge-list" onSubmit={(e) => { void save(e); }}>
      <p className="muted">From {message.author.display_name}'s message. Everyone who reads this channel, its agents included, will find the entry.</p>
      <label>Title <input value={title} onChange={(e) => { setTitle(e.target.value); }} required maxLength={200} /></label>
      <label>Lesson (markdown) <textarea value={body} onChange={(e) => { setBody(e.target.value); }} required rows={6} /></label>
      <label>Tags (comma separated) <input value={tags} onChange={(e) => { setTags(e.target.value); }} /></label>
      <label>Review by (optional) <input type="date" value={reviewBy} onChange={(e) => { setReviewBy(e.target.value); }} /></label>
      {message.thread && message.thread.reply_count > 0 && (
        <label className="checkbox"><input type="checkbox" checked={wholeThread} onChange={(e) => { setWholeThread(e.target.checked); }} /> Distilled from the whole thread</label>
      )}
      {error && <p className="form-error" role="alert">{error}</p>}
      <button type="submit" className="primary">Save as experience</button>
    </form>
  );
}
