import { useEffect } from 'react';
import { navigate } from '../../app/router.js';
import { paths } from '../../app/routes.js';
import { useStore } from '../../app/workspace/provider.js';
import { channelLabel } from '../../app/workspace/hooks.js';
import { noticeFor } from './desktop.js';
import { prefsOf, useFollowPrefs } from './prefs.js';

/** Whether the browser may show notifications now (permission is asked from a click, in the profile screen). */
export const notificationsAllowed = () => typeof Notification !== 'undefined' && Notification.permission === 'granted';

/**
 * Shows a desktop notification for mentions, direct messages and finished
 * agent tasks (or every message, or none: the person's preference), never for
 * muted channels or the channel in view. Renders nothing.
 */
export function DesktopNotifier() {
  const store = useStore();
  useFollowPrefs(store);
  useEffect(() => {
    let detach: (() => void) | null = null;
    const attach = () => {
      const socket = store.socket;
      if (detach || !socket) return;
      detach = socket.on('event', (event) => {
        const view = store.getSnapshot();
        const settings = prefsOf(store).get();
        if (!view.me || !settings || !notificationsAllowed()) return;
        const notice = noticeFor(event, {
          me: view.me,
          level: settings.desktop,
          muted: (id) => settings.muted_channel_ids.includes(id),
          isDirect: (id) => ['dm', 'group_dm'].includes(view.ws.channels[id]?.channel.kind ?? ''),
          watching: (id) => id === store.activeChannelId && document.visibilityState === 'visible',
          channelName: (id) => {
            const channel = view.ws.channels[id]?.channel;
            return channel ? channelLabel(channel, view.members, view.me?.id) : 'a channel';
          },
        });
        if (!notice) return;
        const shown = new Notification(notice.title, { body: notice.body, tag: notice.tag });
        shown.onclick = () => {
          window.focus();
          navigate(paths.channel(view.orgId, notice.channelId));
        };
      });
    };
    attach();
    const off = store.subscribe(attach);
    return () => {
      off();
      detach?.();
    };
  }, [store]);
  return null;
}
