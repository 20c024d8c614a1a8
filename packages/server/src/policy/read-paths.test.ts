import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../server.js';
import { Api } from '../test/client.js';
import { age } from '../test/context-fixtures.js';
import { createWorld, unique } from '../test/fixtures.js';
import { startTestServer } from '../test/server.js';
import { openSocket } from '../test/sockets.js';
import { assign, claim, finish } from '../test/tasks.js';
import { upload } from '../test/files.js';

/**
 * The exhaustive read-path table (DESIGN §2.1, issue "Agents at work"): an
 * agent serves channels A and B (A's readers ⊉ B's) and works on a task in B.
 * With its task token and with its own agent token it tries every way there is
 * to read A's content — and the messages the channel rules hide from agents in
 * any channel (`audience: humans`, `mentions_only`, `since_join`,
 * `agent_history_days`) — and the secret text never appears in a response body
 * or a socket frame.
 *
 * Each row is one way of reading. Adding a read path is adding a row:
 * `work` says which channel the read is for — `B` (the task's channel: nothing
 * of A may reach it), `A` (A itself: the task token is refused, the agent token
 * may read A but never what the rules hide) or `org` (across channels).
 */

let server: RunningServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

interface Secrets {
  /** A's content: readable by the agent in A with its own token, never in B or with the task token. */
  inA: string[];
  /** Hidden from every agent wherever it is, by the channel's rules. */
  hidden: string[];
}

interface Scene {
  orgId: string;
  owner: Api;
  agentId: string;
  agentHandle: string;
  a: string;
  b: string;
  m: string;
  j: string;
  d: string;
  /** Message ids by secret name. */
  ids: Record<string, string>;
  /** The file attached to a message, by the message's secret name. */
  files: Record<string, string>;
  seqs: Record<string, number>;
  taskB: string;
  taskA: string;
  taskToken: string;
  agentToken: string;
  secrets: Secrets;
}

type Work = 'A' | 'B' | 'org';
interface Row {
  name: string;
  work: Work;
  /** Returns everything the caller received; a status to check when the path must refuse this token. */
  read(api: Api, s: Scene): Promise<{ status: number; body: unknown }[]>;
  /** Statuses the task token must get (it is confined to B). */
  taskTokenRefused?: number[] | undefined;
}

const one = async (p: Promise<{ status: number; body: unknown }>) => [await p];

async function scene(): Promise<Scene> {
  const w = await createWorld(server.url);
  const pat = await w.person('member', 'Pat');
  await w.person('member', 'Bob'); // reads B (public), not A
  const bot = await w.agent();
  const tag = unique('');
  const s = (name: string) => `SECRET-${name}-${tag}`;
  const ids: Record<string, string> = {};
  const seqs: Record<string, number> = {};
  const keep = (name: string, message: { id: string; seq: number }) => {
    ids[name] = message.id;
    seqs[name] = message.seq;
  };
  // A file attached to a message: its name and its bytes are secrets like the message's text.
  const files: Record<string, string> = {};
  const withFile = async (author: { api: Api }, channelId: string, name: string) => {
    const up = await upload(author.api, channelId, `${s(`${name}-bytes`)}\n`, `${s(`${name}-file`)}.txt`);
    expect(up.status, JSON.stringify(up.body)).toBe(201);
    files[name] = up.body.file.id;
    return { file_ids: [up.body.file.id as string] };
  };

  const a = await w.channel(w.owner, { kind: 'private', topic: s('A-topic'), members: [pat.memberId, bot.memberId] });
  const b = await w.channel(w.owner, { kind: 'public', members: [bot.memberId] });
  keep('A-root', await w.post(pat, a, s('A-root'), await withFile(pat, a, 'A-root')));
  keep('A-reply', await w.post(w.owner, a, s('A-reply'), { thread_root_id: ids['A-root'] }));
  keep('A-humans', await w.post(w.owner, a, s('A-humans'), { audience: 'humans', ...(await withFile(w.owner, a, 'A-humans')) }));
  keep('A-under-humans', await w.post(pat, a, s('A-under-humans'), { thread_root_id: ids['A-humans'] }));
  keep('B-humans', await w.post(w.owner, b, s('B-humans'), { audience: 'humans', ...(await withFile(w.owner, b, 'B-humans')) }));
  keep('B-under-humans', await w.post(w.owner, b, s('B-under-humans'), { thread_root_id: ids['B-humans'] }));
  keep('B-ok', await w.post(w.owner, b, 'Plans for B'));

  // mentions_only: what does not mention the agent is not its business.
  const m = await w.channel(w.owner, { kind: 'private', agent_access: 'mentions_only', members: [bot.memberId] });
  keep('M-unmentioned', await w.post(w.owner, m, s('M-unmentioned'), await withFile(w.owner, m, 'M-unmentioned')));
  keep('M-under-unmentioned', await w.post(w.owner, m, s('M-under-unmentioned'), { thread_root_id: ids['M-unmentioned'] }));
  keep('M-mention', await w.post(w.owner, m, `@${bot.handle} look at this`));
  // since_join: what came before the agent joined.
  const j = await w.channel(w.owner, { kind: 'private', history_for_new_members: 'since_join' });
  keep('J-before', await w.post(w.owner, j, s('J-before'), await withFile(w.owner, j, 'J-before')));
  expect((await w.owner.api.post(`/channels/${j}/members`, { member_id: bot.memberId })).status).toBe(201);
  keep('J-under-before', await w.post(w.owner, j, s('J-under-before'), { thread_root_id: ids['J-before'] }));
  keep('J-after', await w.post(w.owner, j, 'After the agent joined'));
  // agent_history_days: older than the bound.
  const d = await w.channel(w.owner, { kind: 'private', agent_history_days: 1, members: [bot.memberId] });
  keep('D-old', await w.post(w.owner, d, s('D-old'), await withFile(w.owner, d, 'D-old')));
  keep('D-under-old', await w.post(w.owner, d, s('D-under-old'), { thread_root_id: ids['D-old'] }));
  await age(server, [ids['D-old'] as string], 3);
  keep('D-new', await w.post(w.owner, d, 'Fresh news'));

  const taskA = await assign(pat, a, bot.memberId, s('A-task-request'));
  const taskB = await assign(w.owner, b, bot.memberId, 'Summarise B, please.');
  const claimed = await claim(bot, taskB.task.id);
  return {
    orgId: w.orgId,
    owner: w.owner.api,
    agentId: bot.memberId,
    agentHandle: bot.handle,
    a,
    b,
    m,
    j,
    d,
    ids,
    files,
    seqs,
    taskA: taskA.task.id,
    taskB: taskB.task.id,
    taskToken: claimed.token,
    agentToken: bot.token,
    secrets: {
      inA: [s('A-topic'), s('A-root'), s('A-reply'), s('A-task-request'), s('A-root-file'), s('A-root-bytes')],
      hidden: [
        s('A-humans'),
        s('A-under-humans'),
        s('B-humans'),
        s('B-under-humans'),
        s('M-unmentioned'),
        s('M-under-unmentioned'),
        s('J-before'),
        s('J-under-before'),
        s('D-old'),
        s('D-under-old'),
        ...['A-humans', 'B-humans', 'M-unmentioned', 'J-before', 'D-old'].flatMap((name) => [s(`${name}-file`), s(`${name}-bytes`)]),
      ],
    },
  };
}

/** Every way to read the channel `ch` (and the messages named), as rows. */
function channelRows(name: string, work: Work, ch: (s: Scene) => string, messages: string[]): Row[] {
  const refused = work === 'B' ? undefined : [403, 404];
  const rows: Row[] = [
    { name: `${name}: history, latest`, work, taskTokenRefused: refused, read: (api, s) => one(api.get(`/channels/${ch(s)}/messages`)) },
    { name: `${name}: history, before`, work, taskTokenRefused: refused, read: (api, s) => one(api.get(`/channels/${ch(s)}/messages?before=1000`)) },
    { name: `${name}: history, after`, work, taskTokenRefused: refused, read: (api, s) => one(api.get(`/channels/${ch(s)}/messages?after=0`)) },
    {
      name: `${name}: history, around each message`,
      work,
      taskTokenRefused: refused,
      read: (api, s) => Promise.all(messages.map((msg) => api.get(`/channels/${ch(s)}/messages?around=${s.seqs[msg] ?? 0}&limit=3`))),
    },
    { name: `${name}: the channel itself`, work, taskTokenRefused: refused, read: (api, s) => one(api.get(`/channels/${ch(s)}`)) },
    { name: `${name}: its members`, work, taskTokenRefused: refused, read: (api, s) => one(api.get(`/channels/${ch(s)}/members`)) },
    { name: `${name}: its tasks`, work, taskTokenRefused: refused, read: (api, s) => one(api.get(`/channels/${ch(s)}/tasks`)) },
    { name: `${name}: its commands`, work, taskTokenRefused: refused, read: (api, s) => one(api.get(`/channels/${ch(s)}/commands`)) },
    { name: `${name}: context`, work, taskTokenRefused: refused, read: (api, s) => one(api.get(`/channels/${ch(s)}/context`)) },
    { name: `${name}: context, longest`, work, taskTokenRefused: refused, read: (api, s) => one(api.get(`/channels/${ch(s)}/context?limit=200&max_chars=200000`)) },
    { name: `${name}: its files`, work, taskTokenRefused: refused, read: (api, s) => one(api.get(`/channels/${ch(s)}/files?limit=200`)) },
  ];
  for (const msg of messages) {
    rows.push(
      { name: `${name}: GET ${msg} by id`, work, read: (api, s) => one(api.get(`/messages/${s.ids[msg]}`)) },
      { name: `${name}: ${msg} as a thread`, work, read: (api, s) => one(api.get(`/messages/${s.ids[msg]}/thread`)) },
      { name: `${name}: ${msg} as a thread, around`, work, read: (api, s) => one(api.get(`/messages/${s.ids[msg]}/thread?around=${s.seqs[msg] ?? 0}`)) },
      { name: `${name}: react to ${msg}`, work, read: (api, s) => one(api.put(`/messages/${s.ids[msg]}/reactions/eyes`)) },
      { name: `${name}: reply to ${msg}`, work, read: (api, s) => one(api.post(`/channels/${ch(s)}/messages`, { body: 'on it', thread_root_id: s.ids[msg] })) },
      { name: `${name}: the file of ${msg}, if any, by id`, work, read: async (api, s) => (s.files[msg] ? one(api.get(`/files/${s.files[msg]}`)) : []) },
      { name: `${name}: the file of ${msg}, if any, by link`, work, read: async (api, s) => (s.files[msg] ? followLink(api, s.files[msg]) : []) },
    );
  }
  return rows;
}

/** Asks for a link to the file and, when one is given, downloads through it: both answers are what the caller received. */
async function followLink(api: Api, fileId: string): Promise<{ status: number; body: unknown }[]> {
  const link = await api.post(`/files/${fileId}/link`, {});
  if (link.status !== 200) return [link];
  const res = await fetch(`${api.baseUrl}${link.body.path as string}`);
  return [link, { status: res.status, body: await res.text() }];
}

const table: Row[] = [
  ...channelRows('A', 'A', (s) => s.a, ['A-root', 'A-reply', 'A-humans', 'A-under-humans']),
  ...channelRows('B', 'B', (s) => s.b, ['B-humans', 'B-under-humans', 'B-ok']),
  ...channelRows('mentions_only', 'A', (s) => s.m, ['M-unmentioned', 'M-under-unmentioned', 'M-mention']),
  ...channelRows('since_join', 'A', (s) => s.j, ['J-before', 'J-under-before', 'J-after']),
  ...channelRows('agent_history_days', 'A', (s) => s.d, ['D-old', 'D-under-old', 'D-new']),
  { name: 'B: context for the task', work: 'B', read: (api, s) => one(api.get(`/channels/${s.b}/context?task_id=${s.taskB}&limit=200&max_chars=200000`)) },
  { name: 'B: context naming the task in A', work: 'B', read: (api, s) => one(api.get(`/channels/${s.b}/context?task_id=${s.taskA}`)) },
  { name: 'B: the task in B', work: 'B', read: (api, s) => one(api.get(`/tasks/${s.taskB}`)) },
  {
    name: 'B: post citing A (and hidden messages) as sources',
    work: 'B',
    read: (api, s) =>
      Promise.all(['A-root', 'A-reply', 'A-humans', 'B-humans', 'M-unmentioned', 'J-before', 'D-old'].map((msg) =>
        api.post(`/channels/${s.b}/messages`, { body: 'As discussed', sources: [{ type: 'message', id: s.ids[msg] }] }),
      )),
  },
  {
    name: 'B: post attaching the files of A (and of hidden messages)',
    work: 'B',
    read: (api, s) => Promise.all(Object.values(s.files).map((fileId) => api.post(`/channels/${s.b}/messages`, { body: 'Attached', file_ids: [fileId] }))),
  },
  { name: 'A: the task in A', work: 'A', taskTokenRefused: [404], read: (api, s) => one(api.get(`/tasks/${s.taskA}`)) },
  { name: 'A: claim the task in A', work: 'A', taskTokenRefused: [403, 404], read: (api, s) => one(api.post(`/tasks/${s.taskA}/claim`)) },
  { name: 'A: post in A', work: 'A', taskTokenRefused: [404], read: (api, s) => one(api.post(`/channels/${s.a}/messages`, { body: 'hello A' })) },
  { name: 'A: mark A read', work: 'A', taskTokenRefused: [403, 404], read: (api, s) => one(api.post(`/channels/${s.a}/read`, { seq: 1 })) },
  { name: 'org: the agent’s tasks', work: 'org', read: (api, s) => one(api.get(`/agents/${s.agentId}/tasks`)) },
  { name: 'org: the agent’s stats', work: 'org', read: (api, s) => one(api.get(`/agents/${s.agentId}/stats`)) },
  { name: 'org: the agent', work: 'org', read: (api, s) => one(api.get(`/agents/${s.agentId}`)) },
  { name: 'org: channels and unread counts', work: 'org', read: (api, s) => one(api.get(`/orgs/${s.orgId}/channels`)) },
  { name: 'org: browse channels', work: 'org', read: (api, s) => one(api.get(`/orgs/${s.orgId}/channels/browse`)) },
  { name: 'org: presence', work: 'org', read: (api, s) => one(api.get(`/orgs/${s.orgId}/presence`)) },
  { name: 'org: members', work: 'org', read: (api, s) => one(api.get(`/orgs/${s.orgId}/members`)) },
  { name: 'org: a member’s avatar', work: 'org', taskTokenRefused: [403], read: (api, s) => one(api.get(`/orgs/${s.orgId}/members/${s.agentId}/avatar`)) },
  { name: 'org: notification settings', work: 'org', taskTokenRefused: [403], read: (api, s) => one(api.get(`/orgs/${s.orgId}/notifications`)) },
  { name: 'A: mute A', work: 'A', taskTokenRefused: [403, 404], read: (api, s) => one(api.put(`/channels/${s.a}/mute`, { muted: true })) },
  { name: 'org: interventions', work: 'org', read: (api, s) => one(api.get(`/orgs/${s.orgId}/insights/interventions`)) },
  { name: 'org: audit', work: 'org', taskTokenRefused: [403, 404], read: (api, s) => one(api.get(`/orgs/${s.orgId}/audit`)) },
  { name: 'org: audit of A', work: 'org', taskTokenRefused: [403, 404], read: (api, s) => one(api.get(`/orgs/${s.orgId}/audit?channel_id=${s.a}`)) },
  { name: 'org: audit export', work: 'org', taskTokenRefused: [403, 404], read: (api, s) => one(api.get(`/orgs/${s.orgId}/audit/export`)) },
  { name: 'org: audit verify', work: 'org', taskTokenRefused: [403, 404], read: (api, s) => one(api.post(`/orgs/${s.orgId}/audit/verify`)) },
  { name: 'org: built-in agents', work: 'org', taskTokenRefused: [403, 404], read: (api, s) => one(api.get(`/orgs/${s.orgId}/builtin-agents`)) },
  { name: 'org: retention policies', work: 'org', taskTokenRefused: [403, 404], read: (api, s) => one(api.get(`/orgs/${s.orgId}/retention`)) },
  { name: 'org: legal holds', work: 'org', taskTokenRefused: [403, 404], read: (api, s) => one(api.get(`/orgs/${s.orgId}/legal-holds?include_released=true`)) },
  { name: 'A: retention policy', work: 'A', taskTokenRefused: [404], read: (api, s) => one(api.get(`/channels/${s.a}/retention`)) },
  {
    name: 'org: compliance export',
    work: 'org',
    taskTokenRefused: [403, 404],
    read: (api, s) => one(api.get(`/orgs/${s.orgId}/compliance-export?from=2000-01-01T00:00:00Z&to=2100-01-01T00:00:00Z`)),
  },
  {
    name: 'A: compliance export of A',
    work: 'A',
    taskTokenRefused: [403, 404],
    read: (api, s) => one(api.get(`/orgs/${s.orgId}/compliance-export?from=2000-01-01T00:00:00Z&to=2100-01-01T00:00:00Z&channel_id=${s.a}`)),
  },
];

/** What must never reach this token on this row. */
function forbidden(s: Scene, token: 'task' | 'agent', work: Work): string[] {
  return token === 'task' || work === 'B' ? [...s.secrets.inA, ...s.secrets.hidden] : s.secrets.hidden;
}

describe('every read path, for an agent working in B', () => {
  let s: Scene;
  beforeAll(async () => {
    s = await scene();
  });

  for (const token of ['task', 'agent'] as const) {
    it.each(table.map((row) => [row.name, row] as const))(`${token} token: %s`, async (_name, row) => {
      const api = new Api(server.url, token === 'task' ? s.taskToken : s.agentToken);
      const replies = await row.read(api, s);
      for (const reply of replies) {
        const text = JSON.stringify(reply.body);
        for (const secret of forbidden(s, token, row.work)) expect(text, `${row.name} leaked ${secret}`).not.toContain(secret);
        expect(reply.status, text).toBeLessThan(500);
        if (token === 'task' && row.taskTokenRefused) expect(row.taskTokenRefused, text).toContain(reply.status);
      }
    });
  }

  it('the agent token reads A where it is a member (the table would pass vacuously otherwise)', async () => {
    const agent = new Api(server.url, s.agentToken);
    const history = await agent.get(`/channels/${s.a}/messages`);
    expect(history.body.messages.map((m: { body: string }) => m.body)).toContain(s.secrets.inA[1]);
    const task = new Api(server.url, s.taskToken);
    expect((await task.get(`/channels/${s.b}/messages`)).status).toBe(200);
    const [, content] = await followLink(agent, s.files['A-root'] as string);
    expect(content?.body).toContain(s.secrets.inA[5]);
  });

  it('hides replies under a root the agent cannot read', async () => {
    const agent = new Api(server.url, s.agentToken);
    for (const reply of ['A-under-humans', 'B-under-humans', 'M-under-unmentioned', 'J-under-before', 'D-under-old']) {
      expect((await agent.get(`/messages/${s.ids[reply]}`)).status, reply).toBe(404);
      expect((await agent.post(`/channels/${s.b}/messages`, { body: 'reply', thread_root_id: s.ids['B-humans'] })).status).toBe(404);
    }
  });
});

describe('socket frames, for an agent working in B', () => {
  it('are refused to the task token, and never carry hidden messages to the agent token', async () => {
    const s = await scene();
    // A task token opens no socket: the task's events reach the agent on its own token's connection.
    await expect(openSocket(server.url, s.taskToken, s.orgId)).rejects.toMatchObject({ code: 'task_token_out_of_scope' });
    const socket = await openSocket(server.url, s.agentToken, s.orgId);
    try {
      // The owner, who reads everything, makes things happen in A and B.
      const owner = s.owner;
      const live = `SECRET-B-live-humans-${unique('')}`;
      const hiddenRoot = await owner.post(`/channels/${s.b}/messages`, { body: live, audience: 'humans' });
      expect(hiddenRoot.status).toBe(201);
      expect((await owner.post(`/channels/${s.b}/messages`, { body: `${live} reply`, thread_root_id: hiddenRoot.body.message.id })).status).toBe(201);
      expect((await owner.put(`/messages/${hiddenRoot.body.message.id}/reactions/tada`)).status).toBe(204);
      expect((await owner.post(`/channels/${s.a}/messages`, { body: `${live} in A`, audience: 'humans' })).status).toBe(201);
      for (const [ch, old] of [[s.m, 'M-unmentioned'], [s.j, 'J-before'], [s.d, 'D-old']] as const) {
        expect((await owner.post(`/channels/${ch}/messages`, { body: `${live} under ${old}`, thread_root_id: s.ids[old] })).status).toBe(201);
        expect((await owner.patch(`/messages/${s.ids[old]}`, { body: `${live} edited ${old}` })).status).toBe(200);
      }
      expect((await owner.post(`/channels/${s.m}/messages`, { body: `${live} not for agents` })).status).toBe(201);
      // Each channel's events arrive in order: once the barrier is in, everything before it was judged.
      const barrier = `barrier @${s.agentHandle}`;
      for (const ch of [s.a, s.b, s.m, s.j, s.d]) expect((await owner.post(`/channels/${ch}/messages`, { body: barrier })).status).toBe(201);
      await socket.until(() => [s.a, s.b, s.m, s.j, s.d].every((ch) => socket.messagesIn(ch).includes(barrier)));
      const text = JSON.stringify([socket.events, socket.frames]);
      for (const secret of [...s.secrets.hidden, live]) expect(text, `the agent's socket received ${secret}`).not.toContain(secret);
    } finally {
      socket.close();
    }
  });
});

describe('what the counts and task events say about hidden messages', () => {
  it('an agent’s unread counts count only what it may read', async () => {
    const s = await scene();
    const agent = new Api(server.url, s.agentToken);
    const list = await agent.get(`/orgs/${s.orgId}/channels`);
    expect(list.status).toBe(200);
    for (const ch of [s.a, s.b, s.m, s.j, s.d]) {
      const entry = list.body.channels.find((c: { channel: { id: string } }) => c.channel.id === ch);
      const history = await agent.get(`/channels/${ch}/messages?limit=200`);
      const readable = history.body.messages.filter((m: { seq: number; author: { id: string } }) => m.seq > entry.membership.last_read_seq && m.author.id !== s.agentId);
      expect(entry.unread_count, ch).toBe(readable.length);
    }
    // The rules did hide something in each of these channels: the counts differ from a person's.
    const owner = await s.owner.get(`/orgs/${s.orgId}/channels`);
    const count = (body: { channels: { channel: { id: string }; unread_count: number }[] }, ch: string) => body.channels.find((c) => c.channel.id === ch)?.unread_count;
    expect(count(list.body, s.m)).toBe(1);
    expect(count(list.body, s.d)).toBe(1);
    expect(count(owner.body, s.m)).toBe(0); // the owner wrote them all
  });

  it('a task reaches another agent only if it may read the task’s request (mentions_only)', async () => {
    const w = await createWorld(server.url);
    const x = await w.agent();
    const y = await w.agent();
    const ch = await w.channel(w.owner, { kind: 'private', agent_access: 'mentions_only', members: [x.memberId, y.memberId] });
    const socket = await openSocket(server.url, y.token, w.orgId);
    try {
      const forX = await assign(w.owner, ch, x.memberId, 'Only for x');
      const forY = await assign(w.owner, ch, y.memberId, 'For y');
      await socket.until(() => socket.eventsOf(ch, 'task.created').some((e) => e.type === 'task.created' && e.payload.task.id === forY.task.id));
      const tasks = socket.events.filter((e) => (e.type === 'task.created' || e.type === 'task.updated') && e.payload.task.id === forX.task.id);
      expect(tasks).toEqual([]);
    } finally {
      socket.close();
    }
  });

  it('a rating reaches another agent only if it may read the task’s request (mentions_only); the rated agent hears it', async () => {
    const w = await createWorld(server.url);
    const x = await w.agent();
    const y = await w.agent();
    const ch = await w.channel(w.owner, { kind: 'private', agent_access: 'mentions_only', members: [x.memberId, y.memberId] });
    const [ySocket, xSocket] = [await openSocket(server.url, y.token, w.orgId), await openSocket(server.url, x.token, w.orgId)];
    try {
      const forX = await assign(w.owner, ch, x.memberId, 'Only for x');
      await finish(x, forX.task.id, 'Done, x.');
      expect((await w.owner.api.put(`/tasks/${forX.task.id}/rating`, { score: 2, comment: 'SECRET-rating-comment' })).status).toBe(200);
      await xSocket.until(() => xSocket.eventsOf(ch, 'task.rated').length > 0);
      // A later task for y: y hears of it, and so of everything before it in the channel that it may read.
      const forY = await assign(w.owner, ch, y.memberId, 'For y');
      await ySocket.until(() => ySocket.eventsOf(ch, 'task.created').some((e) => e.type === 'task.created' && e.payload.task.id === forY.task.id));
      expect(ySocket.eventsOf(ch, 'task.rated')).toEqual([]);
      expect(JSON.stringify([xSocket.events, ySocket.events])).not.toContain('SECRET-rating-comment');
    } finally {
      ySocket.close();
      xSocket.close();
    }
  });
});
