import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../server.js';
import { Api } from '../test/client.js';
import { auditOf, issueTaskToken } from '../test/context-fixtures.js';
import { distil, eventsOf, listed, reviewQueue } from '../test/experience.js';
import { createWorld } from '../test/fixtures.js';
import { startTestServer } from '../test/server.js';
import { currentWhere, isCurrent } from './access.js';

let server: RunningServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

/** An org with Pat (member) and a bot in a public #ops, a private #team (owner and Pat), and a lesson learnt in #ops. */
async function org() {
  const w = await createWorld(server.url);
  const pat = await w.person('member', 'Pat');
  const bot = await w.agent();
  const ops = await w.channel(w.owner, { members: [pat.memberId, bot.memberId] });
  const team = await w.channel(w.owner, { kind: 'private', members: [pat.memberId] });
  const lesson = await w.post(pat, ops, 'The deploy failed: the migration lock was held by a stale job.');
  return { w, pat, bot, ops, team, lesson };
}

describe('creating experience', () => {
  it('distils an entry from a message, keeps its provenance and owner, and tells the channel', async () => {
    const { w, pat, ops, lesson } = await org();
    const entry = await distil(pat, ops, [{ type: 'message', id: lesson.id }], { tags: ['Deploy', 'deploy', 'db'] });
    expect(entry).toMatchObject({
      channel_id: ops,
      author_id: pat.memberId,
      scope: 'channel',
      status: 'active',
      tags: ['deploy', 'db'],
      sources: [{ type: 'message', id: lesson.id, channel_id: ops }],
      quality: { endorsements: 0, flags: 0, helpful: 0, unhelpful: 0, use_count: 0, score: 0.5 },
      review: [],
    });
    expect((await w.owner.api.get(`/experience/${entry.id}`)).body.experience.id).toBe(entry.id);
    expect(await eventsOf(server, ops)).toEqual([{ type: 'experience.created', payload: { experience: { id: entry.id, channel_id: ops, author_id: pat.memberId, scope: 'channel', status: 'active', audience: 'all' } } }]);
  });

  it('distils from a thread; refuses sources the author cannot read (404) or that fewer people read (403 audience_violation)', async () => {
    const { w, pat, ops, team } = await org();
    const root = await w.post(pat, ops, 'Why is staging slow?');
    await w.post(w.owner, ops, 'The cache was cold.', { thread_root_id: root.id });
    const fromThread = await distil(pat, ops, [{ type: 'thread', id: root.id }]);
    expect(fromThread.sources).toEqual([{ type: 'thread', id: root.id, channel_id: ops }]);

    const secret = await w.post(w.owner, team, 'The budget is cut by half.');
    const intoPublic = await pat.api.post(`/channels/${ops}/experience`, { title: 'Budget', body: 'Halved.', sources: [{ type: 'message', id: secret.id }] });
    expect(intoPublic.status).toBe(403);
    expect(intoPublic.body.error).toMatchObject({ code: 'audience_violation', details: { source: { type: 'message', id: secret.id } } });
    // From the public channel into the private one, everyone there could read it already.
    const opsNote = await w.post(pat, ops, 'Rollbacks take five minutes.');
    expect((await pat.api.post(`/channels/${team}/experience`, { title: 'Rollbacks', body: 'Five minutes.', sources: [{ type: 'message', id: opsNote.id }] })).status).toBe(201);

    const outsider = await w.person('member', 'Olly');
    const unreadable = await outsider.api.post(`/channels/${ops}/experience`, { title: 'Budget', body: 'Halved.', sources: [{ type: 'message', id: secret.id }] });
    expect(unreadable.status).toBe(404);
    expect(unreadable.body.error.code).toBe('source_not_found');
    const notARoot = await pat.api.post(`/channels/${ops}/experience`, { title: 'x', body: 'y', sources: [{ type: 'thread', id: (await w.post(pat, ops, 'r', { thread_root_id: root.id })).id }] });
    expect(notARoot.body.error.code).toBe('source_not_found');
    const bad = await pat.api.post(`/channels/${ops}/experience`, { title: 'x', body: 'y', sources: [] });
    expect(bad.status).toBe(400);
  });

  it('lets an agent with a task token distil only in its task channel, from what it may read, on the record', async () => {
    const { w, pat, bot, ops, lesson } = await org();
    const elsewhere = await w.channel(w.owner, { members: [bot.memberId] });
    const other = await w.post(w.owner, elsewhere, 'Elsewhere, a note.');
    const task = await issueTaskToken(server, { orgId: w.orgId, channelId: ops, agentId: bot.memberId, requesterId: pat.memberId, requestMessageId: lesson.id });
    const taskApi = new Api(server.url, task.token);

    const entry = await distil({ api: taskApi }, ops, [{ type: 'message', id: lesson.id }]);
    expect(entry.author_id).toBe(bot.memberId);
    expect((await taskApi.post(`/channels/${elsewhere}/experience`, { title: 'x', body: 'y', sources: [{ type: 'message', id: other.id }] })).status).toBe(404);
    const crossing = await taskApi.post(`/channels/${ops}/experience`, { title: 'x', body: 'y', sources: [{ type: 'message', id: other.id }] });
    expect(crossing.body.error.code).toBe('source_not_found');
    const humansOnly = await w.post(pat, ops, 'Only for people.', { audience: 'humans' });
    expect((await taskApi.post(`/channels/${ops}/experience`, { title: 'x', body: 'y', sources: [{ type: 'message', id: humansOnly.id }] })).body.error.code).toBe('source_not_found');

    const [written] = await auditOf(server, w.orgId, 'agent.experience.write');
    expect(written).toMatchObject({ actor_id: bot.memberId, target_id: entry.id, channel_id: ops, items: [entry.id, lesson.id], details: { change: 'created', task_id: task.taskId } });
  });

  it('keeps an entry drawn on a message for people only away from every agent', async () => {
    const { w, pat, bot, ops } = await org();
    const humansOnly = await w.post(pat, ops, 'Only for people: the vendor contract ends in May.', { audience: 'humans' });
    const entry = await distil(pat, ops, [{ type: 'message', id: humansOnly.id }]);
    expect(entry.audience).toBe('humans');
    expect((await bot.api.get(`/experience/${entry.id}`)).status).toBe(404);
    expect(await listed(bot, ops)).toEqual([]);
    expect(await listed(w.owner, ops)).toEqual([entry.id]);
  });
});

describe('ownership', () => {
  it('lets the author, the channel moderators and org admins edit; others are refused; non-readers see nothing', async () => {
    const { w, pat, ops, team, lesson } = await org();
    const entry = await distil(pat, ops, [{ type: 'message', id: lesson.id }]);
    const sam = await w.person('member', 'Sam');
    const admin = await w.person('admin', 'Ada');
    const guest = await w.person('guest', 'Gus');

    const byAuthor = await pat.api.patch(`/experience/${entry.id}`, { body: 'Clear the stale lock first.' });
    expect(byAuthor.status).toBe(200);
    expect(byAuthor.body.experience.body).toBe('Clear the stale lock first.');
    expect((await sam.api.patch(`/experience/${entry.id}`, { title: 'Mine now' })).body.error.code).toBe('not_entry_owner');
    expect((await admin.api.patch(`/experience/${entry.id}`, { tags: ['ops'] })).status).toBe(200);
    expect((await w.owner.api.patch(`/experience/${entry.id}`, { title: 'Owner of the channel' })).status).toBe(200);
    expect((await guest.api.patch(`/experience/${entry.id}`, { title: 'x' })).status).toBe(404);
    expect((await guest.api.get(`/experience/${entry.id}`)).body.error.code).toBe('experience_not_found');
    expect((await pat.api.patch(`/experience/${entry.id}`, {})).status).toBe(400);
    expect((await pat.api.patch(`/experience/${entry.id}`, { status: 'active' })).status).toBe(400);

    const privateEntry = await distil(pat, team, [{ type: 'message', id: (await w.post(pat, team, 'team note')).id }]);
    expect((await sam.api.get(`/experience/${privateEntry.id}`)).status).toBe(404);
    expect((await admin.api.get(`/experience/${privateEntry.id}`)).status).toBe(404);

    const events = await eventsOf(server, ops, 'experience.updated');
    expect(events.map((e) => e.payload.changed)).toEqual([['body'], ['tags'], ['title']]);
  });
});

describe('timeliness', () => {
  it('is current strictly before its expiry instant and never at or after it', async () => {
    const expires_at = new Date('2030-01-01T00:00:00.000Z');
    const entry = { status: 'active' as const, expires_at };
    expect(isCurrent(entry, new Date(expires_at.getTime() - 1))).toBe(true);
    expect(isCurrent(entry, expires_at)).toBe(false);
    expect(isCurrent(entry, new Date(expires_at.getTime() + 1))).toBe(false);

    // The SQL filter every list and the bundle use agrees, to the millisecond.
    const { w, pat, ops, lesson } = await org();
    const created = await distil(pat, ops, [{ type: 'message', id: lesson.id }], { expires_at: expires_at.toISOString() });
    const currentAt = async (now: Date) =>
      (await server.ctx.db.selectFrom('experience_entries').select('id').where('id', '=', created.id).where(currentWhere(now)).execute()).length === 1;
    expect(await currentAt(new Date(expires_at.getTime() - 1))).toBe(true);
    expect(await currentAt(expires_at)).toBe(false);
    expect(await currentAt(new Date(expires_at.getTime() + 1))).toBe(false);
    expect(w.orgId).toBeTruthy();
  });

  it('serves an expired entry as history only, without any sweep', async () => {
    const { pat, ops, lesson } = await org();
    const entry = await distil(pat, ops, [{ type: 'message', id: lesson.id }], { expires_at: new Date(Date.now() + 3_600_000).toISOString() });
    expect(await listed(pat, ops)).toEqual([entry.id]);
    const expired = await pat.api.patch(`/experience/${entry.id}`, { expires_at: new Date(Date.now() - 1000).toISOString() });
    expect(expired.body.experience.status).toBe('expired');
    expect(await listed(pat, ops)).toEqual([]);
    expect(await listed(pat, ops, '?status=expired')).toEqual([entry.id]);
    expect(await listed(pat, ops, '?status=all')).toEqual([entry.id]);
    expect((await pat.api.get(`/experience/${entry.id}`)).body.experience.status).toBe('expired');
  });

  it('queues an entry past review_by; a person confirms it with a new date, and it leaves the queue', async () => {
    const { w, pat, bot, ops, lesson } = await org();
    const due = await distil(pat, ops, [{ type: 'message', id: lesson.id }], { review_by: new Date(Date.now() - 60_000).toISOString() });
    const notDue = await distil(pat, ops, [{ type: 'message', id: lesson.id }], { review_by: new Date(Date.now() + 86_400_000).toISOString() });
    expect(await reviewQueue(pat, ops)).toEqual([{ id: due.id, review: ['review_due'] }]);
    expect((await w.owner.api.get(`/orgs/${w.orgId}/experience/review`)).body.experience).toEqual([]);

    expect((await bot.api.post(`/experience/${due.id}/confirm`, {})).body.error.code).toBe('agents_not_allowed');
    expect((await pat.api.post(`/experience/${due.id}/confirm`, { review_by: new Date(Date.now() - 1000).toISOString() })).status).toBe(400);
    const next = new Date(Date.now() + 30 * 86_400_000).toISOString();
    const confirmed = await pat.api.post(`/experience/${due.id}/confirm`, { review_by: next });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.experience).toMatchObject({ review_by: next, review: [] });
    expect(confirmed.body.experience.confirmed_at).not.toBeNull();
    expect(await reviewQueue(pat, ops)).toEqual([]);
    expect(notDue.review).toEqual([]);
  });
});

describe('retiring', () => {
  it('deprecates: never current again, readable as history, and the channel is told', async () => {
    const { w, pat, ops, lesson } = await org();
    const entry = await distil(pat, ops, [{ type: 'message', id: lesson.id }]);
    const sam = await w.person('member', 'Sam');
    expect((await sam.api.post(`/experience/${entry.id}/deprecate`)).body.error.code).toBe('not_entry_owner');
    const res = await pat.api.post(`/experience/${entry.id}/deprecate`);
    expect(res.body.experience.status).toBe('deprecated');
    expect(await listed(pat, ops)).toEqual([]);
    expect(await listed(pat, ops, '?status=deprecated')).toEqual([entry.id]);
    expect((await pat.api.get(`/experience/${entry.id}`)).body.experience.status).toBe('deprecated');
    expect((await pat.api.post(`/experience/${entry.id}/deprecate`)).status).toBe(409);
    expect((await pat.api.post(`/experience/${entry.id}/confirm`, {})).body.error.code).toBe('entry_not_current');
    const [changed] = await eventsOf(server, ops, 'experience.status_changed');
    expect(changed?.payload).toEqual({ experience: expect.objectContaining({ id: entry.id, status: 'deprecated' }), previous: { status: 'active', scope: 'channel' } });
  });

  it('supersedes only by a current entry that every reader of the old one reads too', async () => {
    const { w, pat, ops, team, lesson } = await org();
    const old = await distil(pat, ops, [{ type: 'message', id: lesson.id }]);
    const narrower = await distil(pat, team, [{ type: 'message', id: (await w.post(pat, team, 'team only')).id }]);
    const refused = await pat.api.post(`/experience/${old.id}/supersede`, { by: narrower.id });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('audience_violation');
    expect((await pat.api.post(`/experience/${old.id}/supersede`, { by: old.id })).status).toBe(400);
    expect((await pat.api.post(`/experience/${old.id}/supersede`, { by: '00000000-0000-4000-8000-000000000000' })).body.error.code).toBe('successor_not_found');
    const gone = await distil(pat, ops, [{ type: 'message', id: lesson.id }]);
    await pat.api.post(`/experience/${gone.id}/deprecate`);
    expect((await pat.api.post(`/experience/${old.id}/supersede`, { by: gone.id })).body.error.code).toBe('successor_not_current');

    const successor = await distil(pat, ops, [{ type: 'message', id: lesson.id }], { title: 'Clear stale migration locks' });
    const res = await pat.api.post(`/experience/${old.id}/supersede`, { by: successor.id });
    expect(res.body.experience).toMatchObject({ status: 'superseded', superseded_by: successor.id });
    expect(await listed(pat, ops)).toEqual([successor.id]);
    expect(await listed(pat, ops, '?status=superseded')).toEqual([old.id]);
    // A narrower entry may be superseded by a wider one.
    expect((await pat.api.post(`/experience/${narrower.id}/supersede`, { by: successor.id })).status).toBe(200);
  });
});

describe('promotion to org scope', () => {
  it('promotes when every person of the org reads the sources; the org reads it, guests do not', async () => {
    const { w, pat, ops, lesson } = await org();
    const entry = await distil(pat, ops, [{ type: 'message', id: lesson.id }]);
    const sam = await w.person('member', 'Sam');
    const guest = await w.person('guest', 'Gus');
    const res = await pat.api.post(`/experience/${entry.id}/promote`, {});
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.experience).toMatchObject({ scope: 'org', promoted_by: pat.memberId, promotion_override: false });
    expect((await sam.api.get(`/orgs/${w.orgId}/experience`)).body.experience.map((e: any) => e.id)).toEqual([entry.id]);
    expect((await guest.api.get(`/experience/${entry.id}`)).status).toBe(404);
    expect((await guest.api.get(`/orgs/${w.orgId}/experience`)).body.experience).toEqual([]);
    expect((await pat.api.post(`/experience/${entry.id}/promote`, {})).body.error.code).toBe('already_org_scope');
    const [audited] = await auditOf(server, w.orgId, 'experience.promote');
    expect(audited).toMatchObject({ actor_id: pat.memberId, target_id: entry.id, details: expect.objectContaining({ override: false }) });
  });

  it('refuses when a source is private, unless an org admin overrides explicitly, with a reason, on the record', async () => {
    const { w, pat, bot, team } = await org();
    const note = await w.post(pat, team, 'Our on-call rota rule: hand over at 9.');
    const entry = await distil(pat, team, [{ type: 'message', id: note.id }]);
    // Sam is a person of the org who does not read #team.
    const sam = await w.person('member', 'Sam');
    const refused = await pat.api.post(`/experience/${entry.id}/promote`, {});
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('audience_rule_not_met');
    expect((await pat.api.post(`/experience/${entry.id}/promote`, { override: true, reason: 'Useful for all.' })).body.error.code).toBe('admin_required');
    expect((await w.owner.api.post(`/experience/${entry.id}/promote`, { override: true })).body.error.code).toBe('reason_required');
    expect((await bot.api.post(`/experience/${entry.id}/promote`, {})).status).toBe(404);

    const res = await w.owner.api.post(`/experience/${entry.id}/promote`, { override: true, reason: 'The rota applies to every team.' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.experience).toMatchObject({ scope: 'org', promotion_override: true });
    const [audited] = await auditOf(server, w.orgId, 'experience.promote.override');
    expect(audited).toMatchObject({ actor_id: w.owner.memberId, target_id: entry.id, decision: 'allow', details: expect.objectContaining({ override: true, reason: 'The rota applies to every team.' }) });
    expect((await sam.api.get(`/experience/${entry.id}`)).status).toBe(200);
  });
});
