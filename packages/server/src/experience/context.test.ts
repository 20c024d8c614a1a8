import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../server.js';
import { Api } from '../test/client.js';
import { auditOf, issueTaskToken } from '../test/context-fixtures.js';
import { distil } from '../test/experience.js';
import { createWorld } from '../test/fixtures.js';
import { startTestServer } from '../test/server.js';

let server: RunningServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

/** #ops (public) with Pat, Sam and a bot; a task for the bot about a failing deploy. */
async function org() {
  const w = await createWorld(server.url);
  const pat = await w.person('member', 'Pat');
  const sam = await w.person('member', 'Sam');
  const bot = await w.agent();
  const ops = await w.channel(w.owner, { members: [pat.memberId, sam.memberId, bot.memberId] });
  const source = await w.post(pat, ops, 'Notes from the last incident.');
  const request = await w.post(pat, ops, 'The deploy is failing on the database migration, please investigate.');
  const task = await issueTaskToken(server, { orgId: w.orgId, channelId: ops, agentId: bot.memberId, requesterId: pat.memberId, requestMessageId: request.id });
  const taskApi = new Api(server.url, task.token);
  const lesson = (title: string, body: string, extra: Record<string, unknown> = {}, channelId = ops, sourceId = source.id) =>
    distil(pat, channelId, [{ type: 'message', id: sourceId }], { title, body, ...extra });
  const bundle = async (api = taskApi, channelId = ops) => {
    const res = await api.get(`/channels/${channelId}/context`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body;
  };
  return { w, pat, sam, bot, ops, task, taskApi, lesson, bundle };
}

describe('experience in the context bundle', () => {
  it('serves relevant current entries for the task, citable by id, audited and counted as used', async () => {
    const { w, bot, ops, task, lesson, bundle } = await org();
    const relevant = await lesson('Database migration deploys', 'Take the migration lock before a deploy.', { tags: ['deploy'] });
    await lesson('Lunch orders', 'Order before eleven.');
    const expired = await lesson('Old migration trick', 'Skip the migration.', { expires_at: new Date(Date.now() + 3_600_000).toISOString() });
    await w.owner.api.patch(`/experience/${expired.id}`, { expires_at: new Date(Date.now() - 1).toISOString() });
    const deprecated = await lesson('Deploy on Fridays', 'Database migration on Fridays is fine.');
    await w.owner.api.post(`/experience/${deprecated.id}/deprecate`);
    const superseded = await lesson('Migration retries', 'Retry the database migration three times.');
    const successor = await lesson('Migration retries, revised', 'Retry the database migration once, then page.');
    await w.owner.api.post(`/experience/${superseded.id}/supersede`, { by: successor.id });

    const b = await bundle();
    const ids = b.experience.map((e: any) => e.id);
    expect(ids.sort()).toEqual([relevant.id, successor.id].sort());
    expect(b.experience[0]).toMatchObject({ type: 'experience', title: expect.any(String), body: expect.any(String), scope: 'channel', channel_id: ops });
    const entries: { title: string; body: string }[] = b.experience;
    const messages: { body: string }[] = [b.thread.root, ...b.thread.items, ...b.history.items];
    const chars = entries.reduce((n, e) => n + e.title.length + e.body.length, 0);
    expect(b.budget.chars).toBe(chars + messages.reduce((n, m) => n + m.body.length, 0));

    const [read] = await auditOf(server, w.orgId, 'agent.context.read');
    expect(read).toMatchObject({ actor_id: bot.memberId, details: expect.objectContaining({ task_id: task.taskId }) });
    for (const id of ids) expect(read?.items).toContain(id);
    expect((await w.owner.api.get(`/experience/${relevant.id}`)).body.experience.quality.use_count).toBe(1);
    expect((await w.owner.api.get(`/experience/${deprecated.id}`)).body.experience.quality.use_count).toBe(0);
  });

  it('ranks a poorly rated entry below an equally relevant good one', async () => {
    const { w, pat, sam, lesson, bundle } = await org();
    const poor = await lesson('Database migration failing', 'Drop the table and recreate it.');
    const good = await lesson('Database migration failing', 'Check the lock table for a stale job.');
    const before = (await bundle()).experience.map((e: any) => e.id);
    expect(before).toHaveLength(2);
    await sam.api.put(`/experience/${poor.id}/vote`, { vote: 'flag', reason: 'Loses data.' });
    await w.owner.api.put(`/experience/${poor.id}/vote`, { vote: 'flag', reason: 'Dangerous.' });
    await sam.api.put(`/experience/${good.id}/vote`, { vote: 'endorse' });
    const after = (await bundle()).experience;
    expect(after.map((e: any) => e.id)).toEqual([good.id, poor.id]);
    expect(after[0].score).toBeGreaterThan(after[1].score);
    expect(pat).toBeTruthy();
  });

  it('stays within its share of the character budget', async () => {
    const { lesson, taskApi, ops } = await org();
    await lesson('Database migration', 'x'.repeat(400));
    await lesson('Database migration lock', 'y'.repeat(400));
    const res = await taskApi.get(`/channels/${ops}/context?max_chars=2000`);
    expect(res.status).toBe(200);
    // A quarter of 2,000 characters holds one of the two entries.
    expect(res.body.experience).toHaveLength(1);
  });
});

describe('the boundary (leak cases)', () => {
  it('an agent working in B never gets an entry whose readers do not include all of B’s readers, by any route', async () => {
    const { w, pat, bot, lesson, ops } = await org();
    const guest = await w.person('guest', 'Gus');
    // B: where the bot works, with a guest in it.
    const b = await w.channel(w.owner, { kind: 'private', members: [bot.memberId, guest.memberId, pat.memberId] });
    const request = await w.post(pat, b, 'Database migration question for the bot.');
    const task = await issueTaskToken(server, { orgId: w.orgId, channelId: b, agentId: bot.memberId, requesterId: pat.memberId, requestMessageId: request.id });
    const inB = new Api(server.url, task.token);

    // An org-wide entry: guests do not read it, so it may not flow into B.
    const orgWide = await lesson('Database migration (org)', 'Use the lock.');
    expect((await pat.api.post(`/experience/${orgWide.id}/promote`, {})).status).toBe(200);
    // A channel entry of #ops, where the bot also serves.
    const opsOnly = await lesson('Database migration (ops)', 'Ops only.');
    // A private channel the bot is not in.
    const hidden = await w.channel(w.owner, { kind: 'private', members: [pat.memberId] });
    const hiddenEntry = await lesson('Database migration (hidden)', 'Hidden.', {}, hidden, (await w.post(pat, hidden, 'secret')).id);
    const inBEntry = await lesson('Database migration (B)', 'For B.', {}, b, request.id);

    const bundle = (await inB.get(`/channels/${b}/context`)).body;
    expect(bundle.experience.map((e: any) => e.id)).toEqual([inBEntry.id]);
    for (const id of [orgWide.id, opsOnly.id, hiddenEntry.id]) {
      expect((await inB.get(`/experience/${id}`)).status).toBe(404);
      expect((await inB.post(`/experience/${id}/reports`, { task_id: task.taskId, outcome: 'helpful' })).status).toBe(404);
      expect((await inB.patch(`/experience/${id}`, { title: 'x' })).status).toBe(404);
    }
    expect((await inB.get(`/channels/${b}/experience`)).body.experience.map((e: any) => e.id)).toEqual([inBEntry.id]);
    expect((await inB.get(`/channels/${ops}/experience`)).status).toBe(404);
    expect((await inB.get(`/orgs/${w.orgId}/experience`)).status).toBe(403);
    const ownList = await bot.api.get(`/orgs/${w.orgId}/experience`);
    expect(ownList.body.experience.map((e: any) => e.id)).toEqual([orgWide.id]);
    const orgRead = (await auditOf(server, w.orgId, 'agent.experience.read')).find((e) => e.target_type === 'org');
    expect(orgRead).toMatchObject({ actor_id: bot.memberId, target_type: 'org', items: [orgWide.id] });
    // With its own token the bot reads where it serves, but never the hidden channel's entry.
    expect((await bot.api.get(`/experience/${hiddenEntry.id}`)).status).toBe(404);
    expect((await bot.api.get(`/experience/${opsOnly.id}`)).status).toBe(200);
    // The guest reads B's entry, not the org's.
    expect((await guest.api.get(`/experience/${orgWide.id}`)).status).toBe(404);
    expect((await guest.api.get(`/experience/${inBEntry.id}`)).status).toBe(200);
    expect(ops).toBeTruthy();
  });

  it('serves org entries in a channel every reader of which reads them', async () => {
    const { pat, lesson, bundle } = await org();
    const orgWide = await lesson('Database migration (org)', 'Use the lock.');
    await pat.api.post(`/experience/${orgWide.id}/promote`, {});
    expect((await bundle()).experience.map((e: any) => e.id)).toContain(orgWide.id);
  });

  it('checks experience an agent cites in a post against the audience rule', async () => {
    const { w, pat, bot, ops, lesson } = await org();
    const team = await w.channel(w.owner, { kind: 'private', members: [pat.memberId, bot.memberId] });
    const teamEntry = await lesson('Team lesson', 'Private.', {}, team, (await w.post(pat, team, 'team note')).id);
    const opsEntry = await lesson('Ops lesson', 'Public.');
    const refused = await bot.api.post(`/channels/${ops}/messages`, { body: 'Per our lesson…', sources: [{ type: 'experience', id: teamEntry.id }] });
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatchObject({ code: 'audience_violation', details: { source: { type: 'experience', id: teamEntry.id } } });
    const allowed = await bot.api.post(`/channels/${team}/messages`, { body: 'Per the ops lesson…', sources: [{ type: 'experience', id: opsEntry.id }] });
    expect(allowed.status, JSON.stringify(allowed.body)).toBe(201);
    expect(allowed.body.message.sources).toEqual([{ type: 'experience', id: opsEntry.id }]);
    const unknown = await bot.api.post(`/channels/${ops}/messages`, { body: 'x', sources: [{ type: 'experience', id: '00000000-0000-4000-8000-000000000000' }] });
    expect(unknown.body.error.code).toBe('audience_violation');
  });
});

describe('insights', () => {
  it('shows a channel its most used and best rated experience, what is due for review, and its task interventions', async () => {
    const { w, pat, sam, ops, lesson, bundle } = await org();
    const used = await lesson('Database migration', 'Lock first.');
    const rated = await lesson('Pager etiquette', 'Ack within five minutes.');
    const due = await lesson('Quarterly keys', 'Rotate keys.', { review_by: new Date(Date.now() - 1000).toISOString() });
    await bundle();
    await sam.api.put(`/experience/${rated.id}/vote`, { vote: 'endorse' });
    const res = await pat.api.get(`/channels/${ops}/insights`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.experience.most_used.map((e: any) => e.id)).toEqual([used.id]);
    expect(res.body.experience.best_rated.map((e: any) => e.id)).toEqual([rated.id]);
    expect(res.body.experience.due_for_review.map((e: any) => e.id)).toEqual([due.id]);
    expect(res.body.tasks).toMatchObject({ by_channel: [], most_rejected: [] });

    const orgWide = await w.owner.api.get(`/orgs/${w.orgId}/insights/experience`);
    expect(orgWide.status).toBe(200);
    expect(orgWide.body.most_used).toEqual([]);
    await pat.api.post(`/experience/${used.id}/promote`, {});
    expect((await w.owner.api.get(`/orgs/${w.orgId}/insights/experience`)).body.most_used.map((e: any) => e.id)).toEqual([used.id]);
    expect((await pat.api.get(`/orgs/${w.orgId}/insights/experience`)).body.error.code).toBe('admin_required');
  });
});
