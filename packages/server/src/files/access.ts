import type { FileView } from '@chorus/protocol/views';
import type { AppContext } from '../context.js';
import type { FileRow } from '../db/schema.js';
import { accessChannel } from '../channels/access.js';
import type { Principal } from '../http/auth.js';
import { AppError, notFound } from '../http/errors.js';
import type { Actor } from '../policy/actor.js';
import type { ChannelAccess } from '../policy/channel.js';
import { enforce } from '../policy/decision.js';
import { canReadFiles, canReadPending } from '../policy/file.js';
import { visibleMessages } from '../messages/history.js';
import { presentFile } from './presenters.js';

/**
 * A file and the caller's access to its channel, or 404: a file is read like
 * the message it is attached to (through the channel's read path: history
 * floor, audience, agent access, agent history days, reasoning visibility), and
 * a pending file only by its uploader. Other channels' files, deleted files and
 * files of hidden messages do not exist from here.
 */
export async function accessFile(ctx: AppContext, who: Principal | Actor, fileId: string, rule = canReadFiles): Promise<{ a: ChannelAccess; file: FileRow }> {
  const file = await ctx.db.selectFrom('files').selectAll().where('id', '=', fileId).where('deleted_at', 'is', null).executeTakeFirst();
  if (!file) throw notFound('file');
  const a = await accessChannel(ctx, who, file.channel_id, rule).catch((error: unknown) => {
    throw error instanceof AppError && error.code === 'channel_not_found' ? notFound('file') : error;
  });
  if (file.message_id === null) {
    enforce(canReadPending(a, file));
    return { a, file };
  }
  const message = await visibleMessages(ctx, a).where('id', '=', file.message_id).where('deleted_at', 'is', null).executeTakeFirst();
  if (!message) throw notFound('file');
  return { a, file };
}

/**
 * The channel's files the reader may read, newest first: those attached to
 * messages it may read, and its own pending uploads. `before` pages by upload time.
 */
export async function channelFiles(ctx: AppContext, a: ChannelAccess, query: { before?: string | undefined; limit: number }): Promise<{ files: FileView[]; has_more: boolean }> {
  const me = a.actor.member.id;
  let q = ctx.db
    .selectFrom('files')
    .select(['id', 'channel_id', 'message_id', 'uploader_id', 'name', 'size', 'mime', 'width', 'height', 'preview_key', 'created_at'])
    .where('channel_id', '=', a.channel.id)
    .where('deleted_at', 'is', null)
    .where((eb) =>
      eb.or([
        eb('message_id', 'in', visibleMessages(ctx, a).clearSelect().select('messages.id').where('deleted_at', 'is', null)),
        eb.and([eb('message_id', 'is', null), eb('uploader_id', '=', me)]),
      ]),
    );
  if (query.before) q = q.where('created_at', '<', new Date(query.before));
  const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(query.limit + 1).execute();
  return { files: rows.slice(0, query.limit).map(presentFile), has_more: rows.length > query.limit };
}
