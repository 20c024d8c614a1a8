import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../server.js';
import { Api } from '../test/client.js';
import { createWorld } from '../test/fixtures.js';
import { startTestServer } from '../test/server.js';
import { openSocket, type RecordingSocket } from '../test/sockets.js';
import { tasksIn } from '../test/tasks.js';

let server: RunningServer;
let anonymous: Api;
const sockets: RecordingSocket[] = [];
beforeAll(async () => {
  server = await startTestServer({ rateLimits: { hookPostsPerMinute: 5 } });
  anonymous = new Api(server.url);
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await server.close();
});

/** A world with a channel where Maya is a member and the owner made an incoming webhook. */
async function setUp() {
  const w = await createWorld(server.url);
  const maya = await w.person('member', 'Maya');
  const channel = await w.channel(w.owner, { members: [maya.memberId] });
  const created = await w.owner.api.post(`/channels/${channel}/incoming-webhooks`, { name: 'CI builds' });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const { webhook, secret, url } = created.body;
  return { w, maya, channel, webhook, secret: secret as string, url: url as string, path: `/hooks/${webhook.id}/${secret}` };
}

describe('incoming webhooks', () => {
  it('a Slack-style post through the secret URL appears in history and on sockets, as the integration member', async () => {
    const { w, maya, channel, webhook, url, path } = await setUp();
    expect(url).toBe(`${server.ctx.config.publicUrl}/api/v1${path}`);
    const socket = await openSocket(server.url, maya.token, w.orgId);
    sockets.push(socket);

    // Slack clients send more than `text`; unknown fields are ignored.
    const res = await anonymous.post(path, { text: 'Build *42* passed :tada:', username: 'ci-bot', icon_emoji: ':robot:', attachments: [], mrkdwn: true });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.message).toMatchObject({ channel_id: channel, body: 'Build *42* passed :tada:', author: { id: webhook.member_id, display_name: 'CI builds', kind: 'agent' } });

    const history = await maya.api.get(`/channels/${channel}/messages`);
    expect(history.body.messages.map((m: any) => [m.author.id, m.body])).toContainEqual([webhook.member_id, 'Build *42* passed :tada:']);
    await socket.until(() => socket.messagesIn(channel).includes('Build *42* passed :tada:'));

    const listed = await w.owner.api.get(`/channels/${channel}/incoming-webhooks`);
    expect(listed.body.webhooks).toEqual([expect.objectContaining({ id: webhook.id, name: 'CI builds', revoked_at: null })]);
    expect(JSON.stringify(listed.body)).not.toContain(path.split('/')[3]);
  });

  it('goes through the normal send path: a mention in a hook post wakes an agent; the hook member itself takes no work', async () => {
    const { w, channel, webhook, path } = await setUp();
    const bot = await w.agent();
    expect((await w.owner.api.post(`/channels/${channel}/members`, { member_id: bot.memberId })).status).toBe(201);
    const hookMember = (await w.owner.api.get(`/agents/${webhook.member_id}`)).body.agent;

    expect((await anonymous.post(path, { text: `@${bot.handle} the deploy failed, please look` })).status).toBe(200);
    await w.post(w.owner, channel, `@${hookMember.handle} thanks`);
    const tasks = await tasksIn(w.owner, channel);
    expect(tasks.map((t: any) => [t.task.agent_id, t.task.requester_id])).toEqual([[bot.memberId, webhook.member_id]]);
  });

  it('answers 404 alike for a wrong secret, an unknown hook and a revoked hook', async () => {
    const { w, channel, webhook, secret, path } = await setUp();
    const wrong = await anonymous.post(`/hooks/${webhook.id}/${secret.slice(0, -2)}xx`, { text: 'hi' });
    expect(wrong.status).toBe(404);
    expect(wrong.body.error.code).toBe('incoming_webhook_not_found');
    expect((await anonymous.post(`/hooks/00000000-0000-4000-8000-000000000000/${secret}`, { text: 'hi' })).status).toBe(404);
    expect((await anonymous.post(`/hooks/not-a-uuid/${secret}`, { text: 'hi' })).status).toBe(404);

    expect((await w.owner.api.delete(`/channels/${channel}/incoming-webhooks/${webhook.id}`)).status).toBe(204);
    const revoked = await anonymous.post(path, { text: 'still here?' });
    expect(revoked.status).toBe(404);
    expect(revoked.body.error.code).toBe('incoming_webhook_not_found');
    const history = await w.owner.api.get(`/channels/${channel}/messages`);
    expect(history.body.messages.map((m: any) => m.body)).not.toContain('still here?');
    const listed = await w.owner.api.get(`/channels/${channel}/incoming-webhooks`);
    expect(listed.body.webhooks[0].revoked_at).toEqual(expect.any(String));
    const audit = await w.owner.api.get(`/orgs/${w.orgId}/audit?channel_id=${channel}`);
    expect(audit.body.events.map((e: any) => e.action)).toEqual(expect.arrayContaining(['integration.incoming_webhook_created', 'integration.incoming_webhook_revoked']));
  });

  it('refuses a post without usable text with 400, and limits posts per hook', async () => {
    const { path } = await setUp();
    for (const body of [{}, { text: '' }, { text: { blocks: [] } }, { text: 'x'.repeat(40_001) }, { text: 'ok', username: 'x'.repeat(81) }]) {
      const res = await anonymous.post(path, body);
      expect(res.status, JSON.stringify(body).slice(0, 60)).toBe(400);
      expect(res.body.error.code).toEqual(expect.any(String));
    }
    // Five posts a minute in this server: the 400s above counted too, so the next one is refused.
    const limited = await anonymous.post(path, { text: 'one too many' });
    expect(limited.status).toBe(429);
  });

  it('refuses a blank post', async () => {
    const { path } = await setUp();
    const res = await anonymous.post(path, { text: '  \n ' });
    expect(res.status).toBe(400);
  });

  it('refuses names that are blank, and unknown fields when creating', async () => {
    const w = await createWorld(server.url);
    const channel = await w.channel(w.owner);
    expect((await w.owner.api.post(`/channels/${channel}/incoming-webhooks`, { name: ' ' })).status).toBe(400);
    expect((await w.owner.api.post(`/channels/${channel}/incoming-webhooks`, { name: 'CI', icon: 'x' })).status).toBe(400);
  });
});
