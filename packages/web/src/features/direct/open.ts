import { navigate } from '../../app/router.js';
import { paths } from '../../app/routes.js';
import type { WorkspaceStore } from '../../app/workspace/workspace-store.js';

/**
 * Opens the direct message with these members (you are added by the server)
 * and goes there. The server finds the existing conversation of exactly these
 * members before it creates one, so opening it twice never makes a duplicate;
 * a new one reaches the sidebar through the socket (your `member.joined`).
 */
export async function openDirectMessage(store: WorkspaceStore, memberIds: string[]): Promise<void> {
  const orgId = store.getSnapshot().orgId;
  const { channel } = await store.rest.openDm(orgId, memberIds);
  navigate(paths.channel(orgId, channel.id));
}
