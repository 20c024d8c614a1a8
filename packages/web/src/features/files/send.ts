import type { MessageView } from '@chorus/sdk';
import type { WorkspaceStore } from '../../app/workspace/workspace-store.js';

/**
 * Sends a message with attachments over REST (the socket's send frame carries no files in the SDK);
 * the message also comes back as an event. A message of only files is named by its files.
 */
export async function sendWithFiles(store: WorkspaceStore, channelId: string, body: string, files: { id: string; name: string }[], threadRootId?: string): Promise<MessageView> {
  const { message } = await store.rest.post(channelId, {
    body: body || files.map((f) => f.name).join(', '),
    file_ids: files.map((f) => f.id),
    client_msg_id: crypto.randomUUID(),
    ...(threadRootId ? { thread_root_id: threadRootId } : {}),
  });
  return message;
}
