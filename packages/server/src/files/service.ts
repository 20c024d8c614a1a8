import { randomUUID } from 'node:crypto';
import { rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { FileView } from '@chorus/protocol/views';
import { mutate, type AppContext } from '../context.js';
import type { Trx } from '../db/database.js';
import type { FileRow } from '../db/schema.js';
import { allocateSeq, appendEvent } from '../events/log.js';
import { recordAction } from '../audit/record.js';
import { isAgent } from '../policy/actor.js';
import type { ChannelAccess } from '../policy/channel.js';
import { enforce } from '../policy/decision.js';
import { canDeleteFile, canUpload } from '../policy/file.js';
import { viewOf } from '../messages/views.js';
import { detect, writePreview } from './inspect.js';
import { presentFile } from './presenters.js';
import { stage, tooLarge } from './staging.js';
import { openFileStore, type FileStore } from './storage.js';

const stores = new WeakMap<AppContext, FileStore>();

/** The process's file store (local disk or S3, per the configuration), opened on first use. */
export function fileStore(ctx: AppContext): FileStore {
  let store = stores.get(ctx);
  if (!store) {
    store = openFileStore(ctx.config.files);
    stores.set(ctx, store);
  }
  return store;
}

export function closeFileStore(ctx: AppContext): void {
  stores.get(ctx)?.close();
  stores.delete(ctx);
}

/** `<org_id>/<channel_id>/<file_id>`: the layout of both stores (docs/ARCHITECTURE.md). */
export const storageKey = (orgId: string, channelId: string, fileId: string) => `${orgId}/${channelId}/${fileId}`;
export const previewKey = (key: string) => `${key}.preview.webp`;

const stagingDir = (ctx: AppContext) => path.join(ctx.config.files.dir, '.staging');

/** A name to keep: no path, no control characters, at most 255 characters; never empty. */
export function cleanName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  const cleaned = base.replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, 255);
  return cleaned === '' || cleaned === '.' || cleaned === '..' ? 'file' : cleaned;
}

/**
 * Stores an upload in the channel: streamed to the staging area (refused past
 * `files.maxBytes`, nothing kept), typed from its content, a thumbnail for
 * raster images, the bytes put in the store, then the row. The file is
 * pending until a message of its uploader attaches it. An agent's upload is
 * audited with the row.
 */
export async function uploadFile(
  ctx: AppContext,
  a: ChannelAccess,
  upload: { body: Readable; name: string; declaredLength: number | null },
): Promise<FileView> {
  enforce(canUpload(a));
  const { maxBytes } = ctx.config.files;
  if (upload.declaredLength !== null && upload.declaredLength > maxBytes) throw tooLarge(maxBytes);
  const staged = await stage(upload.body, stagingDir(ctx), maxBytes);
  const id = randomUUID();
  const key = storageKey(a.channel.org_id, a.channel.id, id);
  const store = fileStore(ctx);
  const thumbnail = `${staged.path}.webp`;
  const stored: string[] = [];
  try {
    const detected = await detect(staged.path);
    const hasPreview = detected.width !== null && (await writePreview(staged.path, thumbnail));
    await store.put(key, staged.path, staged.size, detected.mime);
    stored.push(key);
    if (hasPreview) {
      const { size } = await stat(thumbnail);
      await store.put(previewKey(key), thumbnail, size, 'image/webp');
      stored.push(previewKey(key));
    }
    const row = await mutate(ctx, async (m) => {
      const inserted = await m.trx
        .insertInto('files')
        .values({
          id,
          org_id: a.channel.org_id,
          channel_id: a.channel.id,
          uploader_id: a.actor.member.id,
          name: cleanName(upload.name),
          size: staged.size,
          mime: detected.mime,
          sha256: staged.sha256,
          width: detected.width,
          height: detected.height,
          storage_key: key,
          preview_key: hasPreview ? previewKey(key) : null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      if (isAgent(a.actor)) {
        await recordAction(m.trx, a.actor, 'agent.files.write', {
          targetType: 'file',
          targetId: id,
          channelId: a.channel.id,
          items: [id],
          details: { size: staged.size, mime: detected.mime, ...(a.actor.boundary ? { task_id: a.actor.boundary.taskId } : {}) },
        });
      }
      return inserted;
    });
    return presentFile(row);
  } catch (error) {
    await Promise.all(stored.map((k) => store.delete(k).catch(() => undefined)));
    throw error;
  } finally {
    await rm(staged.path, { force: true });
    await rm(thumbnail, { force: true });
  }
}

/**
 * Tombstones the files attached to a deleted message, in its transaction;
 * their bytes are removed after commit ({@link purgeFiles}).
 */
export async function tombstoneAttachments(trx: Trx, messageId: string): Promise<string[]> {
  const rows = await trx.updateTable('files').set({ deleted_at: new Date() }).where('message_id', '=', messageId).where('deleted_at', 'is', null).returning('id').execute();
  return rows.map((r) => r.id);
}

/**
 * Deletes a file (its uploader, or a channel moderator or org admin): the row
 * stays as a tombstone, the bytes go. A file attached to a message changes that
 * message's view, so readers get `message.edited` without it.
 */
export async function deleteFile(ctx: AppContext, a: ChannelAccess, file: FileRow): Promise<void> {
  enforce(canDeleteFile(a, file));
  await mutate(ctx, async (m) => {
    const seq = file.message_id ? await allocateSeq(m.trx, file.channel_id) : null;
    await m.trx.updateTable('files').set({ deleted_at: new Date() }).where('id', '=', file.id).execute();
    if (isAgent(a.actor)) {
      await recordAction(m.trx, a.actor, 'agent.files.delete', { targetType: 'file', targetId: file.id, channelId: file.channel_id, items: [file.id] });
    }
    if (file.message_id && seq !== null) {
      const message = await m.trx.selectFrom('messages').selectAll().where('id', '=', file.message_id).executeTakeFirstOrThrow();
      const view = await viewOf(m.trx, message);
      await appendEvent(m, { orgId: message.org_id, channelId: message.channel_id, seq, type: 'message.edited', actorId: a.actor.member.id, payload: { message: view } });
    }
  });
  await purgeFiles(ctx, [file.id]);
}

/**
 * Removes the bytes of deleted files from the store and marks them purged.
 * A failure leaves them for the next sweep.
 */
export async function purgeFiles(ctx: AppContext, ids: string[]): Promise<number> {
  if (ids.length === 0) return 0;
  const rows = await ctx.db.selectFrom('files').select(['id', 'storage_key', 'preview_key']).where('id', 'in', ids).where('deleted_at', 'is not', null).where('purged_at', 'is', null).execute();
  const store = fileStore(ctx);
  let purged = 0;
  for (const row of rows) {
    try {
      await store.delete(row.storage_key);
      if (row.preview_key) await store.delete(row.preview_key);
      await ctx.db.updateTable('files').set({ purged_at: new Date() }).where('id', '=', row.id).execute();
      purged += 1;
    } catch (error) {
      ctx.log.warn({ err: error, file_id: row.id }, 'could not remove a deleted file from the store; the next sweep retries');
    }
  }
  return purged;
}

/**
 * The collector: files never attached within `files.unattachedSeconds` are
 * deleted, and deleted files whose bytes are still stored are purged, in
 * batches of 200. Returns how many of each.
 */
export async function sweepFiles(ctx: AppContext, now = new Date()): Promise<{ collected: number; purged: number }> {
  const cutoff = new Date(now.getTime() - ctx.config.files.unattachedSeconds * 1000);
  const collected = await ctx.db
    .updateTable('files')
    .set({ deleted_at: now })
    .where('id', 'in', (eb) => eb.selectFrom('files').select('id').where('message_id', 'is', null).where('deleted_at', 'is', null).where('created_at', '<', cutoff).limit(200))
    .returning('id')
    .execute();
  const due = await ctx.db.selectFrom('files').select('id').where('deleted_at', 'is not', null).where('purged_at', 'is', null).orderBy('deleted_at').limit(200).execute();
  const purged = await purgeFiles(ctx, due.map((r) => r.id));
  return { collected: collected.length, purged };
}

/** Runs {@link sweepFiles} every `files.sweepSeconds` (0: never). */
export function startFileSweeper(ctx: AppContext): { stop(): Promise<void> } {
  const every = ctx.config.files.sweepSeconds * 1000;
  if (every === 0) return { stop: async () => {} };
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    running = sweepFiles(ctx).catch((error: unknown) => { ctx.log.warn({ err: error }, 'file sweep failed'); });
  }, every);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
