import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChorusError, RestClient } from '@chorus/sdk';
import type { RunningServer } from '../../server.js';
import { Api } from '../../test/client.js';
import { auditOf, issueTaskToken } from '../../test/context-fixtures.js';
import { createWorld } from '../../test/fixtures.js';
import { startTestServer } from '../../test/server.js';
import { openSocket } from '../../test/sockets.js';

let server: RunningServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const v1 = 'Deploys\n\n1. Build\n2. Migrate\n3. Release\n';
const v2 = 'Deploys\n\n1. Build\n2. Migrate the database\n3. Release\n4. Announce\n';

async function docWorld() {
  const w = await createWorld(server.url);
  const pat = await w.person('member', 'Pat');
  const channelId = await w.channel(w.owner, { members: [pat.memberId] });
  const created = await pat.api.post(`/channels/${channelId}/docs`, { title: 'Runbook', body: v1 });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return { w, pat, channelId, doc: created.body.doc };
}

describe('channel docs', () => {
  it('creates, reads and lists docs; edits name the revision they start from; a stale edit is 409 with the current doc', async () => {
    const { w, pat, channelId, doc } = await docWorld();
    expect(doc).toMatchObject({ channel_id: channelId, title: 'Runbook', body: v1, revision: 1, agent_guide: false, created_by: pat.memberId, updated_by: pat.memberId, archived_at: null, body_length: v1.length });
    expect((await w.owner.api.get(`/docs/${doc.id}`)).body.doc).toEqual(doc);

    const edited = await w.owner.api.patch(`/docs/${doc.id}`, { revision: 1, body: v2 });
    expect(edited.status, JSON.stringify(edited.body)).toBe(200);
    expect(edited.body.doc).toMatchObject({ revision: 2, body: v2, title: 'Runbook', updated_by: w.owner.memberId, created_by: pat.memberId });

    // Pat edited revision 1 meanwhile: refused, with what is there now to merge into.
    const stale = await pat.api.patch(`/docs/${doc.id}`, { revision: 1, title: 'Deploy runbook' });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('revision_conflict');
    expect(stale.body.error.details.doc).toEqual(edited.body.doc);
    const merged = await pat.api.patch(`/docs/${doc.id}`, { revision: 2, title: 'Deploy runbook' });
    expect(merged.body.doc).toMatchObject({ revision: 3, title: 'Deploy runbook', body: v2 });
    // Saving what is there already writes no revision.
    expect((await pat.api.patch(`/docs/${doc.id}`, { revision: 3, body: v2 })).body.doc.revision).toBe(3);

    const second = await w.owner.api.post(`/channels/${channelId}/docs`, { title: 'Decisions', body: '' });
    expect(second.status).toBe(201);
    const listed = await pat.api.get(`/channels/${channelId}/docs`);
    expect(listed.body.docs.map((d: any) => d.title)).toEqual(['Decisions', 'Deploy runbook']);
    expect(listed.body.docs[0].body).toBeUndefined();
  });

  it('keeps every revision with its author, diffs any two, and restores an old one as a new revision', async () => {
    const { w, pat, doc } = await docWorld();
    await w.owner.api.patch(`/docs/${doc.id}`, { revision: 1, body: v2 });
    await pat.api.patch(`/docs/${doc.id}`, { revision: 2, title: 'Deploy runbook' });

    const revisions = await pat.api.get(`/docs/${doc.id}/revisions`);
    expect(revisions.body.revisions.map((r: any) => [r.revision, r.title, r.author.id, r.restored_from, r.body])).toEqual([
      [3, 'Deploy runbook', pat.memberId, null, undefined],
      [2, 'Runbook', w.owner.memberId, null, undefined],
      [1, 'Runbook', pat.memberId, null, undefined],
    ]);
    const paged = await pat.api.get(`/docs/${doc.id}/revisions?before=3&limit=1`);
    expect(paged.body).toMatchObject({ revisions: [{ revision: 2 }], has_more: true });
    expect((await pat.api.get(`/docs/${doc.id}/revisions/1`)).body.revision).toMatchObject({ revision: 1, body: v1, author: { id: pat.memberId } });
    expect((await pat.api.get(`/docs/${doc.id}/revisions/9`)).body.error.code).toBe('revision_not_found');

    const diff = await pat.api.get(`/docs/${doc.id}/diff?from=1&to=3`);
    expect(diff.status, JSON.stringify(diff.body)).toBe(200);
    expect(diff.body.title).toEqual({ from: 'Runbook', to: 'Deploy runbook' });
    expect(diff.body.unified).toBe(
      ['--- rev 1', '+++ rev 3', '@@ -1,5 +1,6 @@', ' Deploys', ' ', ' 1. Build', '-2. Migrate', '+2. Migrate the database', ' 3. Release', '+4. Announce', ''].join('\n'),
    );
    expect(diff.body.hunks).toEqual([{ old_start: 1, old_lines: 5, new_start: 1, new_lines: 6, lines: [' Deploys', ' ', ' 1. Build', '-2. Migrate', '+2. Migrate the database', ' 3. Release', '+4. Announce'] }]);
    const backwards = await pat.api.get(`/docs/${doc.id}/diff?from=3&to=1`);
    expect(backwards.body.hunks[0].lines).toContain('+2. Migrate');
    const same = await pat.api.get(`/docs/${doc.id}/diff?from=2&to=3`);
    expect(same.body).toMatchObject({ unified: '', hunks: [] });
    expect((await pat.api.get(`/docs/${doc.id}/diff?from=1&to=7`)).status).toBe(404);
    expect((await pat.api.get(`/docs/${doc.id}/diff?from=1`)).status).toBe(400);

    const restored = await pat.api.post(`/docs/${doc.id}/restore`, { revision: 1 });
    expect(restored.status, JSON.stringify(restored.body)).toBe(200);
    expect(restored.body.doc).toMatchObject({ revision: 4, title: 'Runbook', body: v1 });
    expect((await pat.api.get(`/docs/${doc.id}/revisions?limit=1`)).body.revisions[0]).toMatchObject({ revision: 4, restored_from: 1, author: { id: pat.memberId } });
    const guarded = await pat.api.post(`/docs/${doc.id}/restore`, { revision: 2, current_revision: 3 });
    expect(guarded.status).toBe(409);
    expect(guarded.body.error.details.doc.revision).toBe(4);
    expect((await pat.api.post(`/docs/${doc.id}/restore`, { revision: 4 })).body.error.code).toBe('already_current');
  });

  it('archives (out of the list unless asked, no edits) and unarchives', async () => {
    const { w, pat, channelId, doc } = await docWorld();
    const archived = await pat.api.post(`/docs/${doc.id}/archive`);
    expect(archived.status).toBe(200);
    expect(archived.body.doc.archived_at).not.toBeNull();
    expect((await pat.api.get(`/channels/${channelId}/docs`)).body.docs).toEqual([]);
    expect((await pat.api.get(`/channels/${channelId}/docs?include_archived=true`)).body.docs.map((d: any) => d.id)).toEqual([doc.id]);
    expect((await pat.api.get(`/docs/${doc.id}`)).status).toBe(200);
    const edit = await w.owner.api.patch(`/docs/${doc.id}`, { revision: 1, body: 'x' });
    expect(edit.status).toBe(409);
    expect(edit.body.error.code).toBe('doc_archived');
    expect((await pat.api.post(`/docs/${doc.id}/unarchive`)).body.doc.archived_at).toBeNull();
    expect((await pat.api.get(`/channels/${channelId}/docs`)).body.docs.map((d: any) => d.id)).toEqual([doc.id]);
  });

  it('validates sizes and fields', async () => {
    const { pat, channelId, doc } = await docWorld();
    const bad = [
      { title: '', body: '' },
      { title: '   ', body: '' },
      { title: 'x'.repeat(201), body: '' },
      { title: 'Big', body: 'x'.repeat(100_001) },
      { title: 'No body' },
      { title: 'Extra', body: '', owner: 'me' },
    ];
    for (const body of bad) expect((await pat.api.post(`/channels/${channelId}/docs`, body)).status, JSON.stringify(body).slice(0, 60)).toBe(400);
    expect((await pat.api.post(`/channels/${channelId}/docs`, { title: 'x'.repeat(200), body: 'é'.repeat(100_000) })).status).toBe(201);
    for (const edit of [{ body: 'no revision' }, { revision: 0, body: 'x' }, { revision: 1, title: '' }]) {
      expect((await pat.api.patch(`/docs/${doc.id}`, edit)).status, JSON.stringify(edit)).toBe(400);
    }
  });

  it("marks one doc as the channel's guide for agents: moderators and org admins only, one at a time, cleared by archiving", async () => {
    const { w, pat, channelId, doc } = await docWorld();
    const bot = await w.agent();
    expect((await w.owner.api.post(`/channels/${channelId}/members`, { member_id: bot.memberId })).status).toBe(201);
    const other = (await pat.api.post(`/channels/${channelId}/docs`, { title: 'How agents work here', body: 'Cite your sources.' })).body.doc;
    const set = (who: { api: Api }, docId: string | null) => who.api.put(`/channels/${channelId}/guide`, { doc_id: docId });

    expect((await set(pat, doc.id)).body.error.code).toBe('moderator_required');
    expect((await set(bot, doc.id)).body.error.code).toBe('agents_not_allowed');
    expect((await set(w.owner, doc.id)).body.guide).toMatchObject({ id: doc.id, agent_guide: true });
    expect((await set(w.owner, other.id)).body.guide).toMatchObject({ id: other.id, agent_guide: true });
    expect((await pat.api.get(`/docs/${doc.id}`)).body.doc.agent_guide).toBe(false);
    expect((await pat.api.get(`/channels/${channelId}/docs`)).body.docs[0]).toMatchObject({ id: other.id, agent_guide: true });
    const elsewhere = (await w.owner.api.post(`/channels/${w.generalId}/docs`, { title: 'General', body: '' })).body.doc;
    expect((await set(w.owner, elsewhere.id)).body.error.code).toBe('doc_not_found');

    await pat.api.post(`/docs/${other.id}/archive`);
    expect((await pat.api.get(`/docs/${other.id}`)).body.doc.agent_guide).toBe(false);
    expect((await set(w.owner, other.id)).body.error.code).toBe('doc_archived');
    expect((await set(w.owner, doc.id)).body.guide.id).toBe(doc.id);
    expect((await set(w.owner, null)).body.guide).toBeNull();
    const audit = await auditOf(server, w.orgId, 'channel.guide_set');
    expect(audit.map((e) => e.items)).toEqual([[doc.id], [other.id], [doc.id], []]);
  });

  it('puts doc changes on the channel log, without bodies, for the channel\'s sockets', async () => {
    const { w, pat, channelId } = await docWorld();
    const socket = await openSocket(server.url, pat.token, w.orgId);
    try {
      const doc = (await w.owner.api.post(`/channels/${channelId}/docs`, { title: 'Notes', body: 'secret-ish body' })).body.doc;
      await w.owner.api.patch(`/docs/${doc.id}`, { revision: 1, body: 'v2' });
      await w.owner.api.post(`/docs/${doc.id}/restore`, { revision: 1 });
      await w.owner.api.put(`/channels/${channelId}/guide`, { doc_id: doc.id });
      await w.owner.api.post(`/docs/${doc.id}/archive`);
      const docEvents = () => socket.eventsOf(channelId).filter((e) => e.type.startsWith('doc.'));
      await socket.until(() => docEvents().length === 6);
      expect(docEvents().map((e) => e.type)).toEqual(['doc.created', 'doc.updated', 'doc.updated', 'doc.guide_changed', 'doc.archived', 'doc.guide_changed']);
      const [created, edited, restored, guided, archived, cleared] = docEvents();
      expect(created?.payload).toEqual({ doc: { ...(({ body: _b, ...summary }) => summary)(doc) } });
      expect(edited?.payload).toMatchObject({ doc: { revision: 2, body_length: 2 }, restored_from: null });
      expect(restored?.payload).toMatchObject({ doc: { revision: 3 }, restored_from: 1 });
      expect(guided?.payload).toEqual({ doc_id: doc.id, previous_doc_id: null });
      expect(archived?.payload).toMatchObject({ doc: { id: doc.id, agent_guide: false } });
      expect(cleared?.payload).toEqual({ doc_id: null, previous_doc_id: doc.id });
      expect(JSON.stringify(docEvents())).not.toContain('secret-ish body');
    } finally {
      socket.close();
    }
  });

  it("follows the channel's readers exactly: everyone else, and agents outside their boundary, get 404 on every route", async () => {
    const w = await createWorld(server.url);
    const [pat, gus] = [await w.person('member', 'Pat'), await w.person('guest', 'Gus')];
    const bot = await w.agent();
    const a = await w.channel(w.owner, { kind: 'private', members: [bot.memberId] });
    const b = await w.channel(w.owner, { members: [bot.memberId] });
    const docA = (await w.owner.api.post(`/channels/${a}/docs`, { title: 'Private plans', body: 'Acquire the competitor.' })).body.doc;
    await w.owner.api.patch(`/docs/${docA.id}`, { revision: 1, body: 'Acquire the competitor in May.' });
    const request = await w.post(w.owner, b, 'Summarise the plans');
    const task = await issueTaskToken(server, { orgId: w.orgId, channelId: b, agentId: bot.memberId, requesterId: w.owner.memberId, requestMessageId: request.id });
    const taskApi = { api: new Api(server.url, task.token) };

    const routes = [
      ['GET', `/docs/${docA.id}`],
      ['GET', `/docs/${docA.id}/revisions`],
      ['GET', `/docs/${docA.id}/revisions/1`],
      ['GET', `/docs/${docA.id}/diff?from=1&to=2`],
      ['PATCH', `/docs/${docA.id}`, { revision: 2, body: 'x' }],
      ['POST', `/docs/${docA.id}/restore`, { revision: 1 }],
      ['POST', `/docs/${docA.id}/archive`],
      ['POST', `/docs/${docA.id}/unarchive`],
      ['GET', `/channels/${a}/docs`],
      ['POST', `/channels/${a}/docs`, { title: 'x', body: '' }],
      ['PUT', `/channels/${a}/guide`, { doc_id: docA.id }],
    ] as const;
    for (const [name, who] of Object.entries({ pat, gus, taskToken: taskApi })) {
      for (const [method, path, body] of routes) {
        const res = await who.api.request(method, path, body ?? (method === 'POST' ? {} : undefined));
        expect([res.status, res.body.error?.code], `${name} ${method} ${path}`).toEqual([404, path.startsWith('/docs/') ? 'doc_not_found' : 'channel_not_found']);
      }
    }
    // The same agent with its own token reads A, where it was added, and its reads are audited.
    expect((await bot.api.get(`/docs/${docA.id}`)).status).toBe(200);
    expect((await bot.api.get(`/channels/${a}/docs`)).body.docs.map((d: any) => d.id)).toEqual([docA.id]);
    const reads = await auditOf(server, w.orgId, 'agent.docs.read');
    expect(reads.map((e) => ({ actor: e.actor_id, channel: e.channel_id, items: e.items }))).toEqual([
      { actor: bot.memberId, channel: a, items: [docA.id] },
      { actor: bot.memberId, channel: a, items: [docA.id] },
    ]);
  });

  it("lets agents write docs where they may post, with messages:write, on the record", async () => {
    const w = await createWorld(server.url);
    const bot = await w.agent();
    const reader = await w.agent({ scopes: ['messages:read', 'channels:read', 'context:read'] });
    const channelId = await w.channel(w.owner, { members: [bot.memberId, reader.memberId] });
    const created = await bot.api.post(`/channels/${channelId}/docs`, { title: 'Findings', body: 'The cache is cold.' });
    expect(created.status).toBe(201);
    expect((await bot.api.patch(`/docs/${created.body.doc.id}`, { revision: 1, body: 'The cache is warm.' })).status).toBe(200);
    const refused = await reader.api.post(`/channels/${channelId}/docs`, { title: 'Findings', body: '' });
    expect([refused.status, refused.body.error.code]).toEqual([403, 'insufficient_scope']);
    expect((await reader.api.get(`/docs/${created.body.doc.id}`)).status).toBe(200);
    const writes = await auditOf(server, w.orgId, 'agent.doc.write');
    expect(writes.map((e) => [e.actor_id, e.target_id, e.details?.change])).toEqual([
      [bot.memberId, created.body.doc.id, 'created'],
      [bot.memberId, created.body.doc.id, 'edited'],
    ]);
  });

  it('is driven by the SDK: docs, a conflict with the current doc, diff, guide and pins', async () => {
    const { w, pat, channelId, doc } = await docWorld();
    const rest = new RestClient(server.url, pat.token);
    const owner = new RestClient(server.url, w.owner.token);
    const { doc: edited } = await owner.editDoc(doc.id, { revision: doc.revision, body: v2 });
    const conflict = await rest.editDoc(doc.id, { revision: 1, body: 'mine' }).catch((e: unknown) => e);
    expect(conflict).toBeInstanceOf(ChorusError);
    expect(conflict).toMatchObject({ status: 409, code: 'revision_conflict', details: { doc: edited } });
    expect((await rest.docDiff(doc.id, 1, 2)).hunks).toHaveLength(1);
    expect((await rest.docRevisions(doc.id)).revisions.map((r) => r.revision)).toEqual([2, 1]);
    expect((await rest.docRevision(doc.id, 1)).revision.body).toBe(v1);
    expect((await rest.restoreDoc(doc.id, { revision: 1 })).doc.revision).toBe(3);
    expect((await owner.setGuide(channelId, doc.id)).guide?.id).toBe(doc.id);
    expect((await rest.docs(channelId)).docs.map((d) => [d.id, d.agent_guide])).toEqual([[doc.id, true]]);
    expect((await rest.archiveDoc(doc.id)).doc.archived_at).not.toBeNull();
    expect((await rest.docs(channelId, { includeArchived: true })).docs).toHaveLength(1);
    expect((await rest.unarchiveDoc(doc.id)).doc.archived_at).toBeNull();

    const { message } = await rest.post(channelId, { body: 'Pin me' });
    expect((await rest.pin(message.id, 'why')).pin.note).toBe('why');
    expect((await rest.pins(channelId)).pins.map((p) => p.message.pinned)).toEqual([true]);
    await rest.unpin(message.id);
    expect((await rest.pins(channelId)).pins).toEqual([]);
  });
});
