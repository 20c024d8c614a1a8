import { useMemo, useSyncExternalStore } from 'react';
import { threadReplies, timeline, type ChannelState, type ChannelView, type MemberView, type MessageView } from '@chorus/sdk';
import { useStore } from './provider.js';
import type { WorkspaceView } from './workspace-store.js';

/** The whole workspace view; re-renders on every change. Prefer the narrower hooks below. */
export function useWorkspace(): WorkspaceView {
  const store = useStore();
  return useSyncExternalStore(store.subscribe, store.getSnapshot);
}

/** A slice of the view; re-renders only when the slice changes (compared by reference). */
export function useWorkspaceSelector<T>(select: (view: WorkspaceView) => T): T {
  const store = useStore();
  return useSyncExternalStore(store.subscribe, () => select(store.getSnapshot()));
}

export function useChannel(channelId: string | null): ChannelState | undefined {
  return useWorkspaceSelector((v) => (channelId ? v.ws.channels[channelId] : undefined));
}

const timelines = new WeakMap<object, MessageView[]>();

/** The channel's top-level messages held, oldest first (sorted once per change). */
export function useTimeline(channelId: string): MessageView[] {
  const channel = useChannel(channelId);
  return useMemo(() => {
    if (!channel) return [];
    const cached = timelines.get(channel.messages);
    if (cached) return cached;
    const sorted = timeline(channel);
    timelines.set(channel.messages, sorted);
    return sorted;
  }, [channel]);
}

export function useThread(channelId: string, rootId: string): { root: MessageView | undefined; replies: MessageView[] } {
  const channel = useChannel(channelId);
  return useMemo(() => ({ root: channel?.messages[rootId], replies: channel ? threadReplies(channel, rootId) : [] }), [channel, rootId]);
}

export function useMe(): MemberView | null {
  return useWorkspaceSelector((v) => v.me);
}

export function useMembers(): Readonly<Record<string, MemberView>> {
  return useWorkspaceSelector((v) => v.members);
}

/** A channel's name as people see it: `#name`, or the other members' names for a DM. */
export function channelLabel(channel: ChannelView, members: Readonly<Record<string, MemberView>>, me: string | undefined): string {
  if (channel.kind !== 'dm' && channel.kind !== 'group_dm') return `#${channel.name ?? ''}`;
  const others = (channel.dm_members ?? []).filter((id) => id !== me);
  const names = (others.length ? others : (channel.dm_members ?? [])).map((id) => members[id]?.display_name ?? 'someone');
  return names.join(', ');
}
