import { RestClient } from '@chorus/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../server.js';
import { Api } from '../test/client.js';
import { auditOf, issueTaskToken } from '../test/context-fixtures.js';
import { distil, reviewQueue } from '../test/experience.js';
import { createWorld } from '../test/fixtures.js';
import { startTestServer } from '../test/server.js';
import { freshness, isPoor, poorScore, score } from './quality.js';

let server: RunningServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

async function org() {
  const w = await createWorld(server.url);
  const pat = await w.person('member', 'Pat');
  const sam = await w.person('member', 'Sam');
  const kim = await w.person('member', 'Kim');
  const bot = await w.agent();
  const ops = await w.channel(w.owner, { members: [pat.memberId, sam.memberId, kim.memberId, bot.memberId] });
  const lesson = await w.post(pat, ops, 'Restart the worker after rotating keys.');
  const entry = await distil(pat, ops, [{ type: 'message', id: lesson.id }]);
  return { w, pat, sam, kim, bot, ops, lesson, entry };
}

describe('the score', () => {
  it('is a Bayesian average of decayed signals: 1/2 with none, poor below 0.3', () => {
    expect(score({ positive: 0, negative: 0 })).toBe(0.5);
    expect(score({ positive: 3, negative: 0 })).toBe(0.8);
    expect(score({ positive: 0, negative: 2 })).toBe(0.25);
    expect(score({ positive: 0, negative: 1 })).toBeGreaterThan(poorScore);
    const now = new Date('2030-01-01T00:00:00Z');
    expect(freshness({ updated_at: now, confirmed_at: null }, now)).toBe(1);
    expect(freshness({ updated_at: new Date(now.getTime() - 180 * 86_400_000), confirmed_at: null }, now)).toBeCloseTo(0.5);
    // A confirmation makes an old entry fresh again.
    expect(freshness({ updated_at: new Date(0), confirmed_at: now }, now)).toBe(1);
    const signals = { endorsements: 0, flags: 2, helpful: 0, unhelpful: 0, positive: 0, negative: 2 };
    expect(isPoor({ last_negative_at: now, confirmed_at: null }, signals)).toBe(true);
    expect(isPoor({ last_negative_at: now, confirmed_at: new Date(now.getTime() + 1) }, signals)).toBe(false);
  });
});

describe('votes', () => {
  it('one vote per person, changeable; a flag needs a reason; nobody rates their own entry; agents do not vote', async () => {
    const { pat, sam, kim, bot, entry } = await org();
    const endorsed = await sam.api.put(`/experience/${entry.id}/vote`, { vote: 'endorse' });
    expect(endorsed.status).toBe(200);
    expect(endorsed.body.experience.quality).toMatchObject({ endorsements: 1, flags: 0 });
    expect((await sam.api.put(`/experience/${entry.id}/vote`, { vote: 'endorse' })).body.experience.quality.endorsements).toBe(1);
    expect((await sam.api.put(`/experience/${entry.id}/vote`, { vote: 'flag' })).body.error.code).toBe('reason_required');
    const flagged = await sam.api.put(`/experience/${entry.id}/vote`, { vote: 'flag', reason: 'The worker restarts by itself now.' });
    expect(flagged.body.experience.quality).toMatchObject({ endorsements: 0, flags: 1 });
    expect((await kim.api.put(`/experience/${entry.id}/vote`, { vote: 'endorse' })).body.experience.quality).toMatchObject({ endorsements: 1, flags: 1 });
    expect((await pat.api.put(`/experience/${entry.id}/vote`, { vote: 'endorse' })).body.error.code).toBe('own_entry');
    expect((await bot.api.put(`/experience/${entry.id}/vote`, { vote: 'endorse' })).body.error.code).toBe('agents_not_allowed');
    expect((await kim.api.delete(`/experience/${entry.id}/vote`)).status).toBe(204);
    expect((await kim.api.delete(`/experience/${entry.id}/vote`)).status).toBe(404);
    expect((await kim.api.get(`/experience/${entry.id}`)).body.experience.quality).toMatchObject({ endorsements: 0, flags: 1 });
  });

  it('queues a poorly rated entry for review until a person confirms it; new flags queue it again', async () => {
    const { w, pat, sam, kim, ops, entry } = await org();
    await sam.api.put(`/experience/${entry.id}/vote`, { vote: 'flag', reason: 'Outdated.' });
    expect(await reviewQueue(pat, ops)).toEqual([]);
    await kim.api.put(`/experience/${entry.id}/vote`, { vote: 'flag', reason: 'Wrong since v2.' });
    expect(await reviewQueue(pat, ops)).toEqual([{ id: entry.id, review: ['low_score'] }]);
    expect((await pat.api.post(`/experience/${entry.id}/confirm`, {})).status).toBe(200);
    expect(await reviewQueue(pat, ops)).toEqual([]);
    const lee = await w.person('member', 'Lee');
    await lee.api.put(`/experience/${entry.id}/vote`, { vote: 'flag', reason: 'Still wrong.' });
    expect(await reviewQueue(pat, ops)).toEqual([{ id: entry.id, review: ['low_score'] }]);
  });
});

describe('agent reports', () => {
  it('ties each report to a task the agent holds: one per task and entry', async () => {
    const { w, pat, bot, ops, lesson, entry } = await org();
    const task = await issueTaskToken(server, { orgId: w.orgId, channelId: ops, agentId: bot.memberId, requesterId: pat.memberId, requestMessageId: lesson.id });
    const taskApi = new Api(server.url, task.token);
    const helped = await taskApi.post(`/experience/${entry.id}/reports`, { task_id: task.taskId, outcome: 'helpful' });
    expect(helped.status, JSON.stringify(helped.body)).toBe(201);
    expect(helped.body.experience.quality).toMatchObject({ helpful: 1, unhelpful: 0 });
    expect((await taskApi.post(`/experience/${entry.id}/reports`, { task_id: task.taskId, outcome: 'unhelpful' })).body.error.code).toBe('already_reported');
    const [written] = await auditOf(server, w.orgId, 'agent.experience.write');
    expect(written).toMatchObject({ actor_id: bot.memberId, target_id: entry.id, items: [entry.id], details: { change: ['quality'], task_id: task.taskId } });

    // With its own token, for another task of its own.
    const second = await issueTaskToken(server, { orgId: w.orgId, channelId: ops, agentId: bot.memberId, requesterId: pat.memberId, requestMessageId: (await w.post(pat, ops, 'again')).id });
    const own = await bot.api.post(`/experience/${entry.id}/reports`, { task_id: second.taskId, outcome: 'unhelpful', note: 'Did not apply.' });
    expect(own.body.experience.quality).toMatchObject({ helpful: 1, unhelpful: 1 });
    // A task token reports for its own task only; another agent's task is not there; people do not report.
    expect((await taskApi.post(`/experience/${entry.id}/reports`, { task_id: second.taskId, outcome: 'helpful' })).body.error.code).toBe('task_not_found');
    const other = await w.agent();
    await w.owner.api.post(`/channels/${ops}/members`, { member_id: other.memberId });
    expect((await other.api.post(`/experience/${entry.id}/reports`, { task_id: task.taskId, outcome: 'helpful' })).body.error.code).toBe('task_not_found');
    expect((await pat.api.post(`/experience/${entry.id}/reports`, { task_id: task.taskId, outcome: 'helpful' })).body.error.code).toBe('agents_only');
    expect((await bot.api.post(`/experience/${entry.id}/reports`, { task_id: '00000000-0000-4000-8000-000000000000', outcome: 'helpful' })).body.error.code).toBe('task_not_found');
  });

  it('refuses a report on an entry the task could not have been served', async () => {
    const { w, pat, bot, ops, lesson } = await org();
    const elsewhere = await w.channel(w.owner, { members: [pat.memberId, bot.memberId] });
    const there = await distil(pat, elsewhere, [{ type: 'message', id: (await w.post(pat, elsewhere, 'another lesson')).id }]);
    const task = await issueTaskToken(server, { orgId: w.orgId, channelId: ops, agentId: bot.memberId, requesterId: pat.memberId, requestMessageId: lesson.id });
    expect((await bot.api.post(`/experience/${there.id}/reports`, { task_id: task.taskId, outcome: 'helpful' })).status).toBe(404);
  });
});

describe('the SDK', () => {
  it('speaks the experience API: distil, vote, review, retire', async () => {
    const { w, pat, sam, ops, lesson } = await org();
    const patSdk = new RestClient(server.url, pat.token);
    const samSdk = new RestClient(server.url, sam.token);
    const { experience } = await patSdk.createExperience(ops, { title: 'Keys', body: 'Rotate quarterly.', tags: ['security'], sources: [{ type: 'message', id: lesson.id }] });
    expect((await samSdk.voteExperience(experience.id, 'endorse')).experience.quality.endorsements).toBe(1);
    expect((await samSdk.channelExperience(ops, { tag: 'security' })).experience.map((e) => e.id)).toEqual([experience.id]);
    await patSdk.editExperience(experience.id, { review_by: new Date(Date.now() - 1000).toISOString() });
    expect((await patSdk.experienceReviewQueue({ channelId: ops })).experience.map((e) => e.id)).toEqual([experience.id]);
    await patSdk.confirmExperience(experience.id);
    await patSdk.deprecateExperience(experience.id);
    expect((await samSdk.channelExperience(ops, { status: 'deprecated', tag: 'security' })).experience.map((e) => e.status)).toEqual(['deprecated']);
    await expect(new RestClient(server.url, (await w.person('guest')).token).experience(experience.id)).rejects.toMatchObject({ status: 404, code: 'experience_not_found' });
  });
});
