import { useState, type SyntheticEvent } from 'react';
import { Dialog } from '../../components/Dialog.js';
import { errorMessage } from '../../components/errors.js';
import { navigate } from '../../app/router.js';
import { paths } from '../../app/routes.js';
import { useStore } from '../../app/workspace/provider.js';

export function CreateChannelDialog({ onClose }: { onClose: () => void }) {
  const store = useStore();
  const [name, setName] = useState('');
  const [topic, setTopic] = useState('');
  const [isPrivate, setPrivate] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (event: SyntheticEvent) => {
    event.preventDefault();
    try {
      const { channel } = await store.rest.createChannel(store.getSnapshot().orgId, { name, kind: isPrivate ? 'private' : 'public', ...(topic ? { topic } : {}) });
      onClose();
      navigate(paths.channel(channel.org_id, channel.id));
    } catch (e) {
      setError(errorMessage(e));
    }
  };
  return (
    <Dialog title="Create a channel" onClose={onClose}>
      <form className="form" onSubmit={(e) => { void submit(e); }}>
        <label>Name <input value={name} onChange={(e) => { setName(e.target.value); }} required data-autofocus placeholder="e.g. releases" /></label>
        <label>Topic <input value={topic} onChange={(e) => { setTopic(e.target.value); }} /></label>
        <label className="checkbox"><input type="checkbox" checked={isPrivate} onChange={(e) => { setPrivate(e.target.checked); }} /> Private: only invited members see it</label>
        {error && <p className="form-error" role="alert">{error}</p>}
        <button type="submit" className="primary">Create</button>
      </form>
    </Dialog>
  );
}
