import { readdir } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../server.js';
import { createWorld, type World } from '../test/fixtures.js';
import { download, png, upload } from '../test/files.js';
import { startTestServer } from '../test/server.js';
import { signLink } from './links.js';
import { sweepFiles } from './service.js';

let server: RunningServer;
const maxBytes = 256 * 1024;
beforeAll(async () => {
  server = await startTestServer({ files: { maxBytes } });
});
afterAll(() => server.close());

/** Every file stored on disk for this server, staging area aside. */
async function storedFiles(): Promise<string[]> {
  const entries = await readdir(server.ctx.config.files.dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile() && !e.parentPath.includes('.staging')).map((e) => path.join(e.parentPath, e.name));
}

async function room(w: World) {
  const pat = await w.person('member', 'Pat');
  const outsider = await w.person('member', 'Olive');
  const channelId = await w.channel(w.owner, { kind: 'private', members: [pat.memberId] });
  return { pat, outsider, channelId };
}

describe('uploading and reading files', () => {
  it('types a file from its content: a PNG named .txt is a PNG, with its size and a thumbnail', async () => {
    const w = await createWorld(server.url);
    const { pat, channelId } = await room(w);
    const bytes = await png(1200, 800);
    const up = await upload(pat.api, channelId, bytes, 'notes.txt', 'text/plain');
    expect(up.status, JSON.stringify(up.body)).toBe(201);
    expect(up.body.file).toMatchObject({ name: 'notes.txt', mime: 'image/png', size: bytes.length, width: 1200, height: 800, preview: true, message_id: null });

    const link = await pat.api.post(`/files/${up.body.file.id}/link`, {});
    expect(link.status).toBe(200);
    const res = await download(server.url, link.body.path);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('content-disposition')).toMatch(/^inline; filename="notes.txt"/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);

    const previewLink = await pat.api.post(`/files/${up.body.file.id}/link`, { variant: 'preview' });
    const preview = await download(server.url, previewLink.body.path);
    expect(preview.headers.get('content-type')).toBe('image/webp');
    const meta = await sharp(Buffer.from(await preview.arrayBuffer())).metadata();
    expect(meta).toMatchObject({ format: 'webp', width: 400, height: 267 });
  });

  it('serves HTML and SVG as attachments, never as a page of the app', async () => {
    const w = await createWorld(server.url);
    const { pat, channelId } = await room(w);
    for (const [name, text] of [
      ['page.html', '<!doctype html><html><body><script>alert(document.cookie)</script></body></html>'],
      ['logo.svg', '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'],
    ] as const) {
      const up = await upload(pat.api, channelId, text, name, 'text/html');
      expect(up.status).toBe(201);
      expect(up.body.file.preview).toBe(false);
      const res = await download(server.url, (await pat.api.post(`/files/${up.body.file.id}/link`, {})).body.path);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).not.toMatch(/html|svg/);
      expect(res.headers.get('content-disposition')).toMatch(new RegExp(`^attachment; filename="${name}"`));
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('content-security-policy')).toMatch(/default-src 'none'.*sandbox/);
      expect(await res.text()).toBe(text);
    }
  });

  it('keeps a safe filename in the download whatever the name given', async () => {
    const w = await createWorld(server.url);
    const { pat, channelId } = await room(w);
    const up = await upload(pat.api, channelId, 'hello', '../../etc/"rapport"; été.txt');
    expect(up.body.file.name).toBe('"rapport"; été.txt');
    const res = await download(server.url, (await pat.api.post(`/files/${up.body.file.id}/link`, {})).body.path);
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="_rapport__ _t_.txt"; filename*=UTF-8''%22rapport%22%3B%20%C3%A9t%C3%A9.txt`);
  });

  it('refuses a file over the limit with 413, declared or streamed, and keeps nothing', async () => {
    const w = await createWorld(server.url);
    const { pat, channelId } = await room(w);
    const before = await storedFiles();
    const big = Buffer.alloc(maxBytes + 1, 1);
    const declared = await upload(pat.api, channelId, big, 'big.bin');
    expect(declared.status).toBe(413);
    expect(declared.body.error).toMatchObject({ code: 'file_too_large', details: { max_bytes: maxBytes } });
    expect(declared.body.error.message).toContain(`${maxBytes} bytes`);
    // Chunked: no Content-Length, cut off while streaming.
    const chunks = function* () {
      for (let i = 0; i < 5; i++) yield new Uint8Array(maxBytes / 2);
    };
    const streamed = await fetch(`${server.url}/api/v1/channels/${channelId}/files?name=big.bin`, {
      method: 'POST',
      headers: { authorization: `Bearer ${pat.token}`, 'content-type': 'application/octet-stream' },
      body: ReadableStream.from(chunks()),
      duplex: 'half',
    });
    expect(streamed.status).toBe(413);
    expect((await pat.api.get(`/channels/${channelId}/files`)).body.files).toEqual([]);
    expect(await storedFiles()).toEqual(before);
    expect(await readdir(path.join(server.ctx.config.files.dir, '.staging'))).toEqual([]);
  });

  it('a pending file is its uploader’s; attached, it is read by the channel’s readers through its message', async () => {
    const w = await createWorld(server.url);
    const { pat, outsider, channelId } = await room(w);
    const up = await upload(pat.api, channelId, await png(20, 10), 'dot.png');
    const fileId: string = up.body.file.id;
    expect((await w.owner.api.get(`/files/${fileId}`)).status).toBe(404);
    expect((await w.owner.api.get(`/channels/${channelId}/files`)).body.files).toEqual([]);
    expect((await pat.api.get(`/channels/${channelId}/files`)).body.files.map((f: { id: string }) => f.id)).toEqual([fileId]);

    const posted = await pat.api.post(`/channels/${channelId}/messages`, { body: 'The dot', file_ids: [fileId] });
    expect(posted.status, JSON.stringify(posted.body)).toBe(201);
    expect(posted.body.message.attachments).toEqual([expect.objectContaining({ id: fileId, name: 'dot.png', mime: 'image/png', width: 20, height: 10, preview: true, message_id: posted.body.message.id })]);
    const read = await w.owner.api.get(`/messages/${posted.body.message.id}`);
    expect(read.body.message.attachments).toEqual(posted.body.message.attachments);
    expect((await w.owner.api.get(`/files/${fileId}`)).body.file.message_id).toBe(posted.body.message.id);
    expect((await w.owner.api.get(`/channels/${channelId}/files`)).body.files.map((f: { id: string }) => f.id)).toEqual([fileId]);

    // Not a reader of the channel: the file does not exist.
    expect((await outsider.api.get(`/files/${fileId}`)).body.error.code).toBe('file_not_found');
    expect((await outsider.api.post(`/files/${fileId}/link`, {})).status).toBe(404);
    expect((await outsider.api.get(`/channels/${channelId}/files`)).status).toBe(404);
    expect((await upload(outsider.api, channelId, 'x', 'x.txt')).status).toBe(404);

    // Attached once only, and only by its uploader.
    expect((await pat.api.post(`/channels/${channelId}/messages`, { body: 'again', file_ids: [fileId] })).body.error.code).toBe('file_attached');
    const mine = await upload(w.owner.api, channelId, 'mine', 'mine.txt');
    expect((await pat.api.post(`/channels/${channelId}/messages`, { body: 'theirs', file_ids: [mine.body.file.id] })).body.error.code).toBe('file_not_found');
    const elsewhere = await upload(pat.api, w.generalId, 'general', 'g.txt');
    expect((await pat.api.post(`/channels/${channelId}/messages`, { body: 'moved', file_ids: [elsewhere.body.file.id] })).body.error.code).toBe('file_not_found');
  });

  it('refuses forged and expired links with 403', async () => {
    const w = await createWorld(server.url);
    const { pat, channelId } = await room(w);
    const up = await upload(pat.api, channelId, 'secret plans', 'plans.txt');
    const fileId: string = up.body.file.id;
    const { path: good } = (await pat.api.post(`/files/${fileId}/link`, {})).body;
    expect((await download(server.url, good)).status).toBe(200);
    const url = new URL(good, server.url);
    const forged = new URL(url);
    forged.searchParams.set('expires', String(Number(url.searchParams.get('expires')) + 3600));
    expect(await (await download(server.url, forged.pathname + forged.search)).json()).toMatchObject({ error: { code: 'invalid_signature' } });
    const other = await upload(pat.api, channelId, 'other', 'other.txt');
    const swapped = good.replace(fileId, other.body.file.id);
    expect((await download(server.url, swapped)).status).toBe(403);
    const asPreview = good.replace('variant=original', 'variant=preview');
    expect((await download(server.url, asPreview)).status).toBe(403);
    const expired = await signLink(server.ctx, fileId, 'original', Date.now() - 3600_000);
    const res = await download(server.url, expired.path);
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: { code: 'link_expired' } });
  });
});

describe('agents and files', () => {
  it("an agent's uploads, reads, links and deletions are on the audit record, and the chain verifies", async () => {
    const w = await createWorld(server.url);
    const bot = await w.agent();
    const channelId = await w.channel(w.owner, { kind: 'private', members: [bot.memberId] });
    const up = await upload(bot.api, channelId, 'Findings: all green.', 'findings.md');
    expect(up.status, JSON.stringify(up.body)).toBe(201);
    const fileId: string = up.body.file.id;
    await w.post(bot, channelId, 'My findings', { file_ids: [fileId] });
    const theirs = await upload(w.owner.api, channelId, await png(10, 10), 'chart.png');
    await w.post(w.owner, channelId, 'A chart', { file_ids: [theirs.body.file.id] });
    expect((await bot.api.get(`/channels/${channelId}/files`)).body.files).toHaveLength(2);
    expect((await bot.api.get(`/files/${theirs.body.file.id}`)).status).toBe(200);
    expect((await bot.api.post(`/files/${theirs.body.file.id}/link`, { variant: 'preview' })).status).toBe(200);
    expect((await bot.api.delete(`/files/${fileId}`)).status).toBe(204);

    const audit = await w.owner.api.get(`/orgs/${w.orgId}/audit?actor_id=${bot.memberId}`);
    const seen = (audit.body.events as { action: string; items: string[]; details: unknown }[]).filter((e) => e.action.startsWith('agent.files.')).map((e) => ({ action: e.action, items: e.items }));
    expect(seen).toEqual(
      expect.arrayContaining([
        { action: 'agent.files.write', items: [fileId] },
        { action: 'agent.files.read', items: expect.arrayContaining([fileId, theirs.body.file.id]) as unknown as string[] },
        { action: 'agent.files.read', items: [theirs.body.file.id] },
        { action: 'agent.files.delete', items: [fileId] },
      ]),
    );
    expect((await w.owner.api.post(`/orgs/${w.orgId}/audit/verify`)).body).toMatchObject({ ok: true });
  });
});

describe('deleting files', () => {
  it('deleting a message deletes its files: metadata, links and bytes', async () => {
    const w = await createWorld(server.url);
    const { pat, channelId } = await room(w);
    const up = await upload(pat.api, channelId, await png(30, 30), 'gone.png');
    const fileId: string = up.body.file.id;
    const message = await w.post(pat, channelId, 'Soon gone', { file_ids: [fileId] });
    const link = (await pat.api.post(`/files/${fileId}/link`, {})).body.path as string;
    const onDisk = (await storedFiles()).filter((f) => f.includes(fileId));
    expect(onDisk).toHaveLength(2); // the file and its thumbnail

    const deleted = await pat.api.delete(`/messages/${message.id}`);
    expect(deleted.body.message.attachments).toEqual([]);
    expect((await pat.api.get(`/files/${fileId}`)).status).toBe(404);
    expect((await download(server.url, link)).status).toBe(404);
    expect((await storedFiles()).filter((f) => f.includes(fileId))).toEqual([]);
    expect((await pat.api.get(`/channels/${channelId}/files`)).body.files).toEqual([]);
  });

  it('the uploader or a channel moderator deletes a file; its message loses the attachment', async () => {
    const w = await createWorld(server.url);
    const { pat, channelId } = await room(w);
    const sam = await w.person('member', 'Sam');
    expect((await w.owner.api.post(`/channels/${channelId}/members`, { member_id: sam.memberId })).status).toBe(201);
    const first = await upload(pat.api, channelId, 'one', 'one.txt');
    const second = await upload(pat.api, channelId, 'two', 'two.txt');
    const message = await w.post(pat, channelId, 'Two files', { file_ids: [first.body.file.id, second.body.file.id] });
    expect(message.attachments.map((f: { name: string }) => f.name)).toEqual(['one.txt', 'two.txt']);

    expect((await sam.api.delete(`/files/${first.body.file.id}`)).body.error.code).toBe('moderator_required');
    expect((await pat.api.delete(`/files/${first.body.file.id}`)).status).toBe(204);
    expect((await w.owner.api.delete(`/files/${second.body.file.id}`)).status).toBe(204); // the channel's owner
    expect((await sam.api.get(`/messages/${message.id}`)).body.message.attachments).toEqual([]);
    expect((await pat.api.delete(`/files/${first.body.file.id}`)).status).toBe(404);
  });

  it('collects files never attached', async () => {
    const w = await createWorld(server.url);
    const { pat, channelId } = await room(w);
    const pending = await upload(pat.api, channelId, 'forgotten', 'forgotten.txt');
    const attached = await upload(pat.api, channelId, 'kept', 'kept.txt');
    await w.post(pat, channelId, 'Kept', { file_ids: [attached.body.file.id] });
    const later = new Date(Date.now() + (server.ctx.config.files.unattachedSeconds + 60) * 1000);
    const swept = await sweepFiles(server.ctx, later);
    expect(swept.collected).toBeGreaterThanOrEqual(1);
    expect((await pat.api.get(`/files/${pending.body.file.id}`)).status).toBe(404);
    expect((await pat.api.get(`/files/${attached.body.file.id}`)).status).toBe(200);
    expect((await storedFiles()).filter((f) => f.includes(pending.body.file.id))).toEqual([]);
  });
});
