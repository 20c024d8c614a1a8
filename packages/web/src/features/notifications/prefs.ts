import { useEffect, useSyncExternalStore } from 'react';
import type { ChorusSocket, NotificationSettings } from '@chorus/sdk';
import type { WorkspaceStore } from '../../app/workspace/workspace-store.js';
import { useStore } from '../../app/workspace/provider.js';

/**
 * The person's notification preferences in one org (desktop level, muted
 * channels), as the server keeps them: fetched once per workspace, then kept
 * current by the socket's `notifications` frames, so a mute set on another
 * device applies here at once.
 */
export class NotificationPrefs {
  #settings: NotificationSettings | null = null;
  readonly #listeners = new Set<() => void>();
  #attached: ChorusSocket | null = null;

  constructor(readonly store: WorkspaceStore) {}

  subscribe = (listener: () => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  get = () => this.#settings;

  set(settings: NotificationSettings): void {
    this.#settings = settings;
    for (const l of this.#listeners) l();
  }

  /** Loads the settings and follows the socket (the workspace creates its socket when it starts). */
  start(): () => void {
    const attach = () => {
      const socket = this.store.socket;
      if (!socket || socket === this.#attached) return;
      this.#attached = socket;
      socket.on('notifications', (frame) => { this.set(frame.settings); });
      // After a reconnect, what changed meanwhile is fetched again (frames are not replayed).
      socket.on('ready', () => { void this.refresh(); });
    };
    attach();
    const off = this.store.subscribe(attach);
    void this.refresh();
    return off;
  }

  async refresh(): Promise<void> {
    try {
      this.set(await this.store.rest.notificationSettings(this.store.getSnapshot().orgId));
    } catch {
      // Preferences are a comfort: without them nothing is muted and mentions notify.
    }
  }

  isMuted(channelId: string): boolean {
    return this.#settings?.muted_channel_ids.includes(channelId) ?? false;
  }

  async setMuted(channelId: string, muted: boolean): Promise<void> {
    this.set(await this.store.rest.muteChannel(channelId, muted));
  }

  async setDesktop(desktop: NotificationSettings['desktop']): Promise<void> {
    this.set(await this.store.rest.setDesktopNotifications(this.store.getSnapshot().orgId, desktop));
  }
}

const byStore = new WeakMap<WorkspaceStore, NotificationPrefs>();

/** The preferences of this workspace (one per store). */
export function prefsOf(store: WorkspaceStore): NotificationPrefs {
  let prefs = byStore.get(store);
  if (!prefs) {
    prefs = new NotificationPrefs(store);
    byStore.set(store, prefs);
  }
  return prefs;
}

export function usePrefs(store: WorkspaceStore): NotificationSettings | null {
  const prefs = prefsOf(store);
  return useSyncExternalStore(prefs.subscribe, prefs.get);
}

/** Starts following the preferences for as long as the calling component is mounted. */
export function useFollowPrefs(store: WorkspaceStore): void {
  useEffect(() => prefsOf(store).start(), [store]);
}

/** Whether the person muted this channel (false until the preferences are loaded). */
export function useMuted(channelId: string): boolean {
  const store = useStore();
  const settings = usePrefs(store);
  return settings?.muted_channel_ids.includes(channelId) ?? false;
}
