import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { verifyChain } from '../audit/chain.js';
import { connect, migrate, type Db } from '../db/database.js';
import type { RunningServer } from '../server.js';
import { Api } from '../test/client.js';
import { distil } from '../test/experience.js';
import { createWorld, tinyPng, type World } from '../test/fixtures.js';
import { startTestServer } from '../test/server.js';
import { assign, finish } from '../test/tasks.js';
import { download, png, upload } from '../test/files.js';
import { ArchiveReader } from './archive.js';
import { fileBlobs } from './file-blobs.js';
import { entities } from './entities.js';
import { exportArchive } from './exporter.js';
import { importArchive, NotEmptyError } from './importer.js';

/**
 * The round trip (docs/BACKUP.md): an org with rich content is exported,
 * imported into a fresh database on the same PostgreSQL server, and exported
 * again; the two archives hold the same rows, entity by entity.
 */

let server: RunningServer;
let dir: string;
const fresh: { name: string; db: Db }[] = [];

beforeAll(async () => {
  server = await startTestServer();
  dir = await mkdtemp(path.join(tmpdir(), 'chorus-roundtrip-'));
});
afterAll(async () => {
  await server.close();
  const admin = connect(inject('databaseUrl'), 1);
  for (const f of fresh) {
    await f.db.destroy();
    await sql`drop database if exists ${sql.id(f.name)}`.execute(admin);
  }
  await admin.destroy();
  await rm(dir, { recursive: true, force: true });
});

/** A new, empty, migrated database on the test run's PostgreSQL server. */
async function freshDatabase(): Promise<{ db: Db; url: string }> {
  const name = `chorus_import_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  await sql`create database ${sql.id(name)}`.execute(server.ctx.db);
  const url = new URL(inject('databaseUrl'));
  url.pathname = `/${name}`;
  const db = connect(url.toString(), 4);
  fresh.push({ name, db });
  await migrate(db);
  return { db, url: url.toString() };
}

async function rowsOf(file: string): Promise<Record<string, Record<string, unknown>[]>> {
  const archive = await ArchiveReader.open(file);
  try {
    const out: Record<string, Record<string, unknown>[]> = {};
    for (const e of archive.manifest.entities) {
      out[e.name] = [];
      for await (const row of archive.rows(e)) out[e.name]?.push(row);
    }
    return out;
  } finally {
    await archive.close();
  }
}

/** An org with something in every table an archive carries. */
async function richOrg(): Promise<World & { secretId: string; rootId: string; fileId: string }> {
  const w = await createWorld(server.url);
  const admin = await w.person('admin', 'Ada');
  const pat = await w.person('member', 'Pat');
  const guest = await w.person('guest', 'Gus');
  const bot = await w.agent();
  const room = await w.channel(w.owner, { members: [pat.memberId, bot.memberId] });
  const secretId = await w.channel(w.owner, { kind: 'private', members: [guest.memberId, bot.memberId] });
  const root = await w.post(w.owner, room, `Plan for the launch, @${pat.handle}`);
  await w.post(pat, room, 'Agreed 👍', { thread_root_id: root.id });
  await w.post(admin, w.generalId, 'Welcome everyone');
  await w.post(guest, secretId, 'Guest note', { audience: 'humans' });
  expect((await pat.api.put(`/messages/${root.id}/reactions/${encodeURIComponent('🎉')}`)).status).toBe(204);
  expect((await w.owner.api.put(`/messages/${root.id}/pin`, { note: 'the plan' })).status).toBe(201);
  const edited = await w.post(pat, room, 'tpyo');
  expect((await pat.api.patch(`/messages/${edited.id}`, { body: 'typo' })).status).toBe(200);
  const gone = await w.post(pat, room, 'oops');
  expect((await pat.api.delete(`/messages/${gone.id}`)).status).toBe(200);
  const doc = await w.owner.api.post(`/channels/${room}/docs`, { title: 'Runbook', body: 'Step 1' });
  expect((await w.owner.api.patch(`/docs/${doc.body.doc.id}`, { revision: 1, body: 'Step 1\nStep 2' })).status).toBe(200);
  const task = await assign(w.owner, room, bot.memberId, `@${bot.handle} summarise, please`);
  const { resultId } = await finish(bot, task.task.id);
  expect((await w.owner.api.post(`/tasks/${task.task.id}/reject`, { reason: 'Too short' })).status).toBe(200);
  expect((await w.owner.api.put(`/tasks/${task.task.id}/rating`, { score: 2, comment: 'Missed the budget' })).status).toBe(200);
  const first = await distil(w.owner, room, [{ type: 'message', id: root.id }]);
  const second = await distil(w.owner, room, [{ type: 'message', id: resultId }], { title: 'Launch, revised', body: 'Revised.' });
  expect((await w.owner.api.post(`/experience/${first.id}/supersede`, { by: second.id })).status, 'supersede').toBe(200);
  expect((await pat.api.put(`/experience/${second.id}/vote`, { vote: 'endorse' })).status).toBeLessThan(300);
  const report = await bot.api.post(`/experience/${second.id}/reports`, { task_id: task.task.id, outcome: 'helpful' });
  expect(report.status, JSON.stringify(report.body)).toBeLessThan(300);
  const streamed = await bot.api.post(`/channels/${room}/messages`, { body: 'Thinking', stream: true });
  expect(streamed.status, JSON.stringify(streamed.body)).toBe(201);
  await w.owner.api.put(`/orgs/${w.orgId}/retention`, { keep_days: 365 });
  await w.owner.api.put(`/channels/${room}/retention`, { keep_days: null });
  await w.owner.api.post(`/orgs/${w.orgId}/legal-holds`, { member_id: pat.memberId, reason: 'Case 7' });
  // Profiles and preferences: an avatar, a muted channel.
  expect((await pat.api.put(`/orgs/${w.orgId}/members/${pat.memberId}/avatar`, { image: tinyPng })).status).toBe(200);
  expect((await pat.api.put(`/channels/${room}/mute`, { muted: true })).status).toBe(200);
  // A file with its thumbnail, attached to a message: its bytes travel in the archive.
  const picture = await upload(pat.api, room, await png(320, 200), 'launch.png');
  expect(picture.status, JSON.stringify(picture.body)).toBe(201);
  await w.post(pat, room, 'The poster', { file_ids: [picture.body.file.id] });
  // The agent reads: audited, with items.
  expect((await bot.api.get(`/channels/${room}/messages`)).status).toBe(200);
  return { ...w, secretId, rootId: root.id, fileId: picture.body.file.id as string };
}

describe('export and import', () => {
  it('round trip: export, import into a fresh database, export again: the same rows, entity by entity, and the audit chain verifies', async () => {
    const w = await richOrg();
    const first = path.join(dir, 'first.tar.gz');
    const progress: string[] = [];
    const sourceFiles = fileBlobs(server.ctx.config.files);
    const manifest = await exportArchive(server.ctx.db, { kind: 'org', orgId: w.orgId }, first, (p) => progress.push(p.entity), sourceFiles);
    expect(manifest.entities.map((e) => e.name)).toEqual(entities.map((e) => e.table));
    // Something of everything: a lossless round trip of empty tables would prove little.
    for (const e of manifest.entities) expect(e.count, e.name).toBeGreaterThan(0);
    expect(new Set(progress)).toEqual(new Set(entities.map((e) => e.table)));

    const target = await freshDatabase();
    const targetFiles = { ...server.ctx.config.files, dir: await mkdtemp(path.join(tmpdir(), 'chorus-roundtrip-files-')) };
    const targetBlobs = fileBlobs(targetFiles);
    const imported = await importArchive(target.db, first, undefined, targetBlobs);
    expect(imported.audit).toMatchObject({ ok: true });
    expect(imported.dropped_references).toBe(0);

    const second = path.join(dir, 'second.tar.gz');
    await exportArchive(target.db, { kind: 'org', orgId: w.orgId }, second, undefined, targetBlobs);
    sourceFiles.close();
    targetBlobs.close();
    const a = await rowsOf(first);
    const b = await rowsOf(second);
    expect(Object.keys(b)).toEqual(Object.keys(a));
    for (const name of Object.keys(a)) {
      if (name === 'audit_events' || name === 'audit_heads') continue;
      expect(b[name], name).toEqual(a[name]);
    }
    // The audit log: the same chain, and the import recorded at its end.
    const before = a.audit_events ?? [];
    const after = b.audit_events ?? [];
    expect(after.slice(0, before.length)).toEqual(before);
    expect(after.slice(before.length).map((e) => e.action)).toEqual(['archive.imported']);
    expect(b.audit_heads?.[0]).toMatchObject({ seq: before.length + 1, hash: after.at(-1)?.hash });
    // …and the second export after it, recorded once its snapshot was taken (so not in the archive it made).
    expect(await verifyChain(target.db, w.orgId)).toMatchObject({ ok: true, events: before.length + 2 });
    const last = await target.db.selectFrom('audit_events').select('action').where('org_id', '=', w.orgId).orderBy('seq', 'desc').executeTakeFirstOrThrow();
    expect(last.action).toBe('archive.exported');

    // A server on the restored database: people sign in with their passwords and read what they read before.
    const restored = await startTestServer({ databaseUrl: target.url, files: { dir: targetFiles.dir } });
    try {
      const login = await new Api(restored.url).post('/auth/login', { email: w.owner.email, password: 'correct horse battery' });
      expect(login.status, JSON.stringify(login.body)).toBe(200);
      const owner = new Api(restored.url, login.body.session.token);
      const thread = await owner.get(`/messages/${w.rootId}/thread`);
      expect(thread.body.messages.map((m: any) => m.body)).toEqual(['Agreed 👍']);
      // The file's bytes came along: the restored server serves the very same image and its thumbnail.
      const [original, thumbnail] = await Promise.all(
        (['original', 'preview'] as const).map(async (variant) => {
          const link = await owner.post(`/files/${w.fileId}/link`, { variant });
          expect(link.status, JSON.stringify(link.body)).toBe(200);
          return Buffer.from(await (await download(restored.url, link.body.path)).arrayBuffer());
        }),
      );
      const sourceLink = await w.owner.api.post(`/files/${w.fileId}/link`, {});
      expect(original).toEqual(Buffer.from(await (await download(server.url, sourceLink.body.path)).arrayBuffer()));
      expect(thumbnail?.subarray(8, 12).toString('latin1')).toBe('WEBP');
      const agents = await owner.get(`/orgs/${w.orgId}/agents`);
      expect(agents.status).toBe(200);
      // Tokens are not carried: the agent exists, with no token to act with.
      const tokens = await target.db.selectFrom('agent_tokens').select('id').execute();
      expect(tokens).toEqual([]);
    } finally {
      await restored.close();
    }
  });

  it('refuses to import into a database that holds data, and writes nothing', async () => {
    const w = await createWorld(server.url);
    const file = path.join(dir, 'small.tar.gz');
    await exportArchive(server.ctx.db, { kind: 'org', orgId: w.orgId }, file);
    const orgs = await server.ctx.db.selectFrom('orgs').select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow();
    await expect(importArchive(server.ctx.db, file)).rejects.toThrow(NotEmptyError);
    expect(await server.ctx.db.selectFrom('orgs').select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow()).toEqual(orgs);
  });

  it('a channel archive holds that channel and the people its rows name', async () => {
    const w = await createWorld(server.url);
    const room = await w.channel(w.owner);
    await w.post(w.owner, room, 'in the room');
    await w.post(w.owner, w.generalId, 'in general');
    const file = path.join(dir, 'channel.tar.gz');
    await exportArchive(server.ctx.db, { kind: 'channel', orgId: w.orgId, channelId: room }, file);
    const rows = await rowsOf(file);
    expect(rows.channels?.map((c) => c.id)).toEqual([room]);
    expect(rows.messages?.map((m) => m.body)).toEqual(['in the room']);
    const target = await freshDatabase();
    const imported = await importArchive(target.db, file);
    // The org's default channel (#general) is not in the archive: that reference is left empty.
    expect(imported.dropped_references).toBe(1);
    expect(await target.db.selectFrom('messages').select('body').execute()).toEqual([{ body: 'in the room' }]);
  });
});
