import { useState, type SyntheticEvent } from 'react';
import type { DesktopNotifications } from '@chorus/sdk';
import { useStore } from '../../app/workspace/provider.js';
import { useMe } from '../../app/workspace/hooks.js';
import { errorMessage } from '../../components/errors.js';
import { notificationsAllowed } from '../notifications/DesktopNotifier.js';
import { prefsOf, usePrefs } from '../notifications/prefs.js';
import { Avatar } from './Avatar.js';
import { expiryChoices, expiryOf, type ExpiryChoice } from './statusExpiry.js';
import '../settings/settings.css';

/** Your profile in this org (display name, avatar, status) and your notification preferences. */
export function ProfilePage() {
  const me = useMe();
  if (!me) return <div className="empty-state">Loading…</div>;
  return (
    <div className="settings-page">
      <h1>Profile and notifications</h1>
      <ProfileForm key={me.id} />
      <AvatarForm />
      <NotificationsForm />
    </div>
  );
}

export function ProfileForm() {
  const store = useStore();
  const me = useMe();
  const [name, setName] = useState(me?.display_name ?? '');
  const [emoji, setEmoji] = useState(me?.custom_status?.emoji ?? '');
  const [text, setText] = useState(me?.custom_status?.text ?? '');
  const [expiry, setExpiry] = useState<ExpiryChoice>('never');
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  if (!me) return null;
  const orgId = store.getSnapshot().orgId;
  const save = async (event: SyntheticEvent) => {
    event.preventDefault();
    try {
      const status = emoji.trim() || text.trim() ? { emoji, text, expires_at: expiryOf(expiry, new Date()) } : null;
      await store.rest.updateProfile(orgId, me.id, { display_name: name, custom_status: status });
      setMessage({ ok: true, text: 'Saved.' });
    } catch (e) {
      setMessage({ ok: false, text: errorMessage(e) });
    }
  };
  return (
    <form className="form settings-card" aria-labelledby="profile-heading" onSubmit={(e) => { void save(e); }}>
      <h2 id="profile-heading">Profile</h2>
      <label>Display name <input value={name} onChange={(e) => { setName(e.target.value); }} required maxLength={80} /></label>
      <fieldset className="status-fields">
        <legend>Status</legend>
        <label>Emoji <input value={emoji} onChange={(e) => { setEmoji(e.target.value); }} maxLength={16} placeholder="🌴" className="emoji-input" /></label>
        <label>What are you up to? <input value={text} onChange={(e) => { setText(e.target.value); }} maxLength={100} placeholder="On leave until Monday" /></label>
        <label>Clear after
          <select value={expiry} onChange={(e) => { setExpiry(e.target.value as ExpiryChoice); }}>
            {expiryChoices.map((c) => <option key={c.id} value={c.id}>{c.label}</option>)}
          </select>
        </label>
        {(emoji || text) && <button type="button" onClick={() => { setEmoji(''); setText(''); }}>Clear status</button>}
      </fieldset>
      {message && <p className={message.ok ? 'form-ok' : 'form-error'} role={message.ok ? 'status' : 'alert'}>{message.text}</p>}
      <button type="submit" className="primary">Save profile</button>
    </form>
  );
}

function AvatarForm() {
  const store = useStore();
  const me = useMe();
  const [error, setError] = useState<string | null>(null);
  if (!me) return null;
  const orgId = store.getSnapshot().orgId;
  const upload = async (file: File | undefined) => {
    if (!file) return;
    setError(null);
    if (file.size > 256 * 1024) {
      setError(`That image is ${Math.ceil(file.size / 1024)} KB; an avatar may be at most 256 KB.`);
      return;
    }
    try {
      await store.rest.setAvatar(orgId, me.id, new Uint8Array(await file.arrayBuffer()));
    } catch (e) {
      setError(errorMessage(e));
    }
  };
  return (
    <section className="form settings-card" aria-labelledby="avatar-heading">
      <h2 id="avatar-heading">Avatar</h2>
      <div className="avatar-row">
        <Avatar member={me} rest={store.rest} size={64} />
        <label>Upload an image (PNG, JPEG, GIF or WebP, up to 256 KB)
          <input type="file" accept="image/png,image/jpeg,image/gif,image/webp" onChange={(e) => { void upload(e.target.files?.[0]); }} />
        </label>
        {me.avatar_url && <button type="button" onClick={() => { store.rest.removeAvatar(orgId, me.id).catch((e: unknown) => { setError(errorMessage(e)); }); }}>Remove</button>}
      </div>
      {error && <p className="form-error" role="alert">{error}</p>}
    </section>
  );
}

const levels: { id: DesktopNotifications; label: string }[] = [
  { id: 'all', label: 'All new messages' },
  { id: 'mentions', label: 'Mentions, direct messages and my finished agent tasks' },
  { id: 'none', label: 'Nothing' },
];

function NotificationsForm() {
  const store = useStore();
  const settings = usePrefs(store);
  const [permission, setPermission] = useState(() => (typeof Notification === 'undefined' ? 'unsupported' : Notification.permission));
  const [error, setError] = useState<string | null>(null);
  const choose = (level: DesktopNotifications) => {
    prefsOf(store).setDesktop(level).catch((e: unknown) => { setError(errorMessage(e)); });
  };
  return (
    <section className="form settings-card" aria-labelledby="notifications-heading">
      <h2 id="notifications-heading">Desktop notifications</h2>
      <fieldset>
        <legend>Notify me about</legend>
        {levels.map((l) => (
          <label key={l.id} className="checkbox">
            <input type="radio" name="desktop" value={l.id} checked={settings?.desktop === l.id} onChange={() => { choose(l.id); }} /> {l.label}
          </label>
        ))}
      </fieldset>
      <p className="muted">Muted channels never notify and show a badge only for mentions. These settings follow you to every device.</p>
      {permission === 'unsupported' && <p className="muted">This browser does not show desktop notifications.</p>}
      {permission === 'denied' && <p className="muted">Notifications are blocked for this site in your browser&apos;s settings.</p>}
      {permission === 'default' && !notificationsAllowed() && (
        <button type="button" onClick={() => { void Notification.requestPermission().then(setPermission); }}>Allow desktop notifications in this browser</button>
      )}
      {permission === 'granted' && <p className="muted">This browser shows Chorus notifications.</p>}
      {error && <p className="form-error" role="alert">{error}</p>}
    </section>
  );
}
