import { Readable } from 'node:stream';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RestClient } from '@chorus/sdk';
import type { RunningServer } from '../server.js';
import { createWorld } from '../test/fixtures.js';
import { download, png } from '../test/files.js';
import { startS3 } from '../test/s3.js';
import { startTestServer } from '../test/server.js';
import { S3Store } from './storage.js';

/** Files in an S3-compatible store: the same API, the bytes in the bucket under `<org>/<channel>/<file>`. */

let s3: Awaited<ReturnType<typeof startS3>>;
let server: RunningServer;
beforeAll(async () => {
  s3 = await startS3();
  server = await startTestServer({ files: { s3: s3.config } });
});
afterAll(async () => {
  await server.close();
  await s3.close();
});

const keysIn = async () => ((await s3.client.send(new ListObjectsV2Command({ Bucket: s3.config.bucket }))).Contents ?? []).map((o) => o.Key);

describe('files in S3', () => {
  it('uploads through the SDK (bytes and a Node-style stream), stores in the bucket, downloads the same bytes, deletes them', async () => {
    const w = await createWorld(server.url);
    const pat = await w.person('member', 'Pat');
    const channelId = await w.channel(w.owner, { kind: 'private', members: [pat.memberId] });
    const rest = new RestClient(server.url, pat.token);
    const image = await png(800, 600);
    const { file } = await rest.uploadFile(channelId, new Uint8Array(image), 'photo.jpg');
    expect(file).toMatchObject({ mime: 'image/png', width: 800, height: 600, preview: true });
    const key = `${w.orgId}/${channelId}/${file.id}`;
    expect(await keysIn()).toEqual(expect.arrayContaining([key, `${key}.preview.webp`]));
    const stored = await s3.client.send(new GetObjectCommand({ Bucket: s3.config.bucket, Key: key }));
    expect(Buffer.from(await (stored.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray()).equals(image)).toBe(true);
    expect(stored.ContentType).toBe('image/png');

    const lines = Readable.from(['line 0\n', 'line 1\n', 'line 2\n', 'line 3\n'].map((l) => new TextEncoder().encode(l)));
    const { file: text } = await rest.uploadFile(channelId, lines, 'lines.txt');
    expect(text).toMatchObject({ mime: 'text/plain', size: 28 });

    const { message } = await rest.post(channelId, { body: 'Photo and notes', file_ids: [file.id, text.id] });
    expect(message.attachments.map((f) => f.name)).toEqual(['photo.jpg', 'lines.txt']);
    const owner = new RestClient(server.url, w.owner.token);
    expect(Buffer.from(await (await owner.downloadFile(file.id)).arrayBuffer()).equals(image)).toBe(true);
    const thumb = await sharp(Buffer.from(await (await owner.downloadFile(file.id, 'preview')).arrayBuffer())).metadata();
    expect(thumb).toMatchObject({ format: 'webp', width: 400, height: 300 });
    expect(await (await owner.downloadFile(text.id)).text()).toBe('line 0\nline 1\nline 2\nline 3\n');

    const { files } = await owner.files(channelId);
    expect(files.map((f) => f.id).sort()).toEqual([file.id, text.id].sort());

    await rest.delete(message.id);
    await expect(s3.client.send(new HeadObjectCommand({ Bucket: s3.config.bucket, Key: key }))).rejects.toMatchObject({ name: 'NotFound' });
    expect((await keysIn()).filter((k) => k?.includes(file.id) || k?.includes(text.id))).toEqual([]);
    const link = await owner.fileLink(file.id).catch((error: unknown) => error);
    expect(link).toMatchObject({ status: 404, code: 'file_not_found' });
  });

  it('a missing object reads as MissingObject, deleting one is not an error', async () => {
    const store = new S3Store(s3.config);
    try {
      const key = '00000000-0000-4000-8000-000000000000/00000000-0000-4000-8000-000000000001/00000000-0000-4000-8000-000000000002';
      await expect(store.get(key)).rejects.toMatchObject({ name: 'MissingObject' });
      await expect(store.delete(key)).resolves.toBeUndefined();
    } finally {
      store.close();
    }
  });
});

it('serves a link only with the server’s signature (S3 too)', async () => {
  const w = await createWorld(server.url);
  const rest = new RestClient(server.url, w.owner.token);
  const { file } = await rest.uploadFile(w.generalId, new TextEncoder().encode('hello'), 'hello.txt');
  const link = await rest.fileLink(file.id);
  expect((await download(server.url, link.path)).status).toBe(200);
  expect((await download(server.url, link.path.replace(/sig=[^&]+/, 'sig=AAAA'))).status).toBe(403);
});
