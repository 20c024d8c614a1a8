import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../server.js';
import { Api, type Reply } from '../test/client.js';
import { signUp, tinyPng, unique } from '../test/fixtures.js';
import { startTestServer } from '../test/server.js';
import { upload } from '../test/files.js';
import { agentScopes, type Scope } from './actor.js';
import { actors, authorizationTable, publicRoutes, type ActorName, type Cast, type Cell, type Method, type Req, type Route } from './authorization-table.js';

/**
 * Runs the authorization table (authorization-table.ts) over real HTTP, checks
 * that every route the server registers has a row, and checks agent token scopes.
 */

let server: RunningServer;
let api: Api;
let pool: Pool;
beforeAll(async () => {
  server = await startTestServer();
  api = new Api(server.url);
  pool = await signUpPool();
});
afterAll(() => server.close());

const allScopes: Scope[] = [...agentScopes];
const people = ['owner', 'admin', 'member', 'guest', 'deactivated', 'nonMember'] as const;
type PersonName = (typeof people)[number];
/** One spare person per cell, for rows whose target is a fresh person. */
const sparesPerRow = actors.length + 1;

interface Account {
  token: string;
  userId: string;
}

/**
 * Signed-up accounts shared by rows: a person may belong to many orgs, and
 * every row builds its own org, so their roles never leak from row to row.
 */
interface Pool {
  people: Record<PersonName, Account>;
  spares: Account[];
}

async function signUpPeople(): Promise<Record<PersonName, Account>> {
  const accounts = await Promise.all(people.map(async (name) => [name, await signUp(api, name)] as const));
  const named = {} as Record<PersonName, Account>;
  for (const [name, account] of accounts) named[name] = account;
  ok(await api.as(named.nonMember.token).post('/orgs', { name: 'Elsewhere' }));
  return named;
}

async function signUpPool(): Promise<Pool> {
  const [named, spares] = await Promise.all([signUpPeople(), Promise.all(Array.from({ length: sparesPerRow }, () => signUp(api, 'Spare')))]);
  return { people: named, spares };
}

function ok(reply: Reply, status = 201): Reply {
  expect(reply.status, JSON.stringify(reply.body)).toBe(status);
  return reply;
}

interface Stage extends Cast {
  apis: Record<ActorName | 'anonymous', Api>;
}

/** A fresh org with the cast described on {@link Cast}. */
async function buildCast(accounts: Pool): Promise<Stage> {
  const as = (a: Account) => api.as(a.token);
  const owner = as(accounts.people.owner);
  const created = ok(await owner.post('/orgs', { name: 'Acme' }));
  const orgId: string = created.body.org.id;
  const channels = ok(await owner.get(`/orgs/${orgId}/channels`), 200);
  const generalId: string = channels.body.channels[0].channel.id;

  const invite = async (role: 'admin' | 'member' | 'guest') => ok(await owner.post(`/orgs/${orgId}/invites`, { role })).body.token as string;
  const join = async (account: Account, role: 'admin' | 'member' | 'guest') =>
    ok(await as(account).post(`/invites/${await invite(role)}/accept`, {})).body.member.id as string;
  const [admin, member, guest, deactivated] = await Promise.all([
    join(accounts.people.admin, 'admin'),
    join(accounts.people.member, 'member'),
    join(accounts.people.guest, 'guest'),
    join(accounts.people.deactivated, 'member'),
  ]);
  const newAgent = async () => ok(await owner.post(`/orgs/${orgId}/agents`, { handle: unique('bot'), display_name: 'Bot' })).body.agent.id as string;
  const [agent, helperId] = await Promise.all([newAgent(), newAgent()]);
  const agentToken = ok(await owner.post(`/agents/${agent}/tokens`, { name: 'all', scopes: allScopes })).body.secret as string;
  const apis: Stage['apis'] = {
    owner,
    admin: as(accounts.people.admin),
    member: as(accounts.people.member),
    guest: as(accounts.people.guest),
    agent: api.as(agentToken),
    nonMember: as(accounts.people.nonMember),
    deactivated: as(accounts.people.deactivated),
    anonymous: api,
  };

  const post = async (by: Api, channelId: string) => ok(await by.post(`/channels/${channelId}/messages`, { body: 'The plan is on track.' })).body.message.id as string;
  const channel = async (kind: 'public' | 'private', memberIds: string[]) => {
    const channelId: string = ok(await owner.post(`/orgs/${orgId}/channels`, { name: unique('c'), kind })).body.channel.id;
    for (const id of memberIds) ok(await owner.post(`/channels/${channelId}/members`, { member_id: id }));
    return channelId;
  };
  const roomId = await channel('public', [member, agent, deactivated]);
  const secretId = await channel('private', [guest, agent, deactivated]);
  const room = { channelId: roomId, messageId: await post(owner, roomId) };
  const secret = { channelId: secretId, messageId: await post(owner, secretId) };
  const generalMessageId = await post(owner, generalId);
  for (const messageId of [room.messageId, secret.messageId, generalMessageId]) ok(await owner.put(`/messages/${messageId}/pin`, {}));
  ok(await owner.post(`/orgs/${orgId}/members/${deactivated}/deactivate`), 200);

  const spares = [...accounts.spares];
  const newRoom: Cast['newRoom'] = async (options = {}) => {
    const channelId = await channel('public', [member, agent, ...(options.withHelper ? [helperId] : [])]);
    const messageId = options.stream
      ? (ok(await owner.post(`/channels/${channelId}/messages`, { body: 'Streaming…', stream: true })).body.message.id as string)
      : await post(options.author === 'member' ? apis.member : owner, channelId);
    if (options.archived) ok(await owner.post(`/channels/${channelId}/archive`), 200);
    return { channelId, messageId };
  };
  return {
    orgId,
    generalId,
    ids: { owner: created.body.member.id, admin, member, guest, agent, nonMember: 'none', deactivated },
    helperId,
    room,
    secret,
    generalMessageId,
    apis,
    unique,
    newRoom,
    async newPerson(options = {}) {
      const spare = spares.shift();
      if (!spare) throw new Error(`A row may use at most ${sparesPerRow} fresh people.`);
      const id = await join(spare, 'member');
      if (options.deactivated) ok(await owner.post(`/orgs/${orgId}/members/${id}/deactivate`), 200);
      return id;
    },
    async newInvite() {
      const res = ok(await owner.post(`/orgs/${orgId}/invites`, { role: 'member' }));
      return { id: res.body.invite.id, token: res.body.token };
    },
    async newHelperToken() {
      return ok(await owner.post(`/agents/${helperId}/tokens`, { name: 'temp', scopes: ['messages:read'] })).body.token.id as string;
    },
    async newTask(options = {}) {
      const channelId = await channel('public', [member, agent]);
      const taskId = ok(await owner.post(`/channels/${channelId}/tasks`, { agent_id: agent, body: 'Summarise the plan, please.' })).body.task.id as string;
      if (options.state === 'running' || options.state === 'done') ok(await apis.agent.post(`/tasks/${taskId}/claim`), 200);
      if (options.state === 'done') {
        const resultId = await post(apis.agent, channelId);
        ok(await apis.agent.post(`/tasks/${taskId}/complete`, { result_message_id: resultId }), 200);
      }
      return { taskId, channelId };
    },
    async newDoc(options = {}) {
      const where = options.in ?? 'fresh';
      const channelId = where === 'room' ? roomId : where === 'secret' ? secretId : where === 'general' ? generalId : (await newRoom()).channelId;
      const docId = ok(await owner.post(`/channels/${channelId}/docs`, { title: 'Runbook', body: 'Step one.\n' })).body.doc.id as string;
      for (let revision = 1; revision < (options.revisions ?? 1); revision++) {
        ok(await owner.patch(`/docs/${docId}`, { revision, body: `Step one.\nStep ${revision + 1}.\n` }), 200);
      }
      if (options.archived) ok(await owner.post(`/docs/${docId}/archive`), 200);
      return { docId, channelId };
    },
    async newFile(options = {}) {
      const where = options.in ?? 'fresh';
      const channelId = where === 'room' ? roomId : where === 'secret' ? secretId : where === 'general' ? generalId : (await newRoom()).channelId;
      const fileId = ok(await upload(owner, channelId, 'The plan, in detail.', 'plan.txt')).body.file.id as string;
      if (!options.pending) ok(await owner.post(`/channels/${channelId}/messages`, { body: 'The plan', file_ids: [fileId] }));
      return { fileId, channelId };
    },
    async newPinned() {
      const room = await newRoom();
      ok(await owner.put(`/messages/${room.messageId}/pin`, {}));
      return room;
    },
    async newEntry(options = {}) {
      const channelId = options.in === 'secret' ? secret.channelId : options.in ? options.in.channelId : await channel('public', [member, agent]);
      const where = options.in === 'secret' ? secret : { channelId, messageId: await post(owner, channelId) };
      const entryId = ok(
        await owner.post(`/channels/${where.channelId}/experience`, { title: 'Lesson', body: 'What we learnt.', sources: [{ type: 'message', id: where.messageId }] }),
      ).body.experience.id as string;
      for (const name of options.endorsedBy ?? []) ok(await apis[name].put(`/experience/${entryId}/vote`, { vote: 'endorse' }), 200);
      return entryId;
    },
    async rate(taskId, by) {
      for (const name of by) ok(await apis[name].put(`/tasks/${taskId}/rating`, { score: 3 }), 200);
    },
    async react(messageId, emoji, by) {
      for (const name of by) ok(await apis[name].put(`/messages/${messageId}/reactions/${emoji}`), 204);
    },
    async setAvatar(memberId) {
      ok(await owner.put(`/orgs/${orgId}/members/${memberId}/avatar`, { image: tinyPng }), 200);
    },
    async setWebhook(agentId) {
      ok(await owner.put(`/agents/${agentId}/webhook`, { url: 'http://127.0.0.1:9/nobody-listens' }), 200);
    },
    async newDelivery() {
      ok(await owner.put(`/agents/${agent}/webhook`, { url: 'http://127.0.0.1:9/nobody-listens' }), 200);
      const channelId = await channel('public', [member, agent]);
      const taskId = ok(await owner.post(`/channels/${channelId}/tasks`, { agent_id: agent, body: 'Summarise the plan, please.' })).body.task.id as string;
      const log = ok(await owner.get(`/agents/${agent}/webhook/deliveries?limit=200`), 200);
      return (log.body.deliveries as { id: string; task_id: string }[]).find((d) => d.task_id === taskId)?.id ?? 'missing';
    },
    async newIncomingWebhook(channelId) {
      const res = ok(await owner.post(`/channels/${channelId}/incoming-webhooks`, { name: 'CI' }));
      return { id: res.body.webhook.id as string, secret: res.body.secret as string };
    },
    async newLegalHold() {
      return ok(await owner.post(`/orgs/${orgId}/legal-holds`, { channel_id: roomId, reason: 'Case 42' })).body.hold.id as string;
    },
  };
}

/** What a caller saw, written as a table cell: the status, with the error code when refused. */
type Answer = number | string;

function cellOf(reply: Reply): Answer {
  return reply.status < 300 ? reply.status : `${reply.status} ${reply.body?.error?.code as string}`;
}

/** A route's method, and a pattern its concrete paths match (`:param` is one path segment). */
function parseRoute(route: Route): { method: Method; pattern: RegExp } {
  const [method, template] = route.split(' ') as [Method, string];
  // A query string may follow the path.
  return { method, pattern: new RegExp(`^${template.replace(/:\w+/g, '[^/?]+')}(?:\\?.*)?$`) };
}

/** Sends a row's request as `as` and returns what it saw. */
async function send(as: Api, route: Route, req: Req): Promise<Answer> {
  const { method, pattern } = parseRoute(route);
  expect(req.path, 'the request is for the route its row names').toMatch(pattern);
  return cellOf(await as.request(method, req.path, req.body ?? (method === 'POST' || method === 'PATCH' ? {} : undefined)));
}

describe('authorization table', () => {
  for (const row of authorizationTable) {
    it(`${row.route}${row.given ? ` — ${row.given}` : ''}`, async () => {
      const cast = await buildCast(row.endsSessions ? { ...pool, people: await signUpPeople() } : pool);
      const shared = row.route.startsWith('GET ') ? await row.arrange(cast) : null;
      const seen: Record<string, Answer> = {};
      for (const caller of [...actors, 'anonymous'] as const) {
        seen[caller] = await send(cast.apis[caller], row.route, shared ?? (await row.arrange(cast)));
      }
      expect(seen).toEqual({ ...row.expect, anonymous: '401 unauthorized' });
    });
  }
});

/** What each agent token scope unlocks: without it, `403 insufficient_scope`; with it, the status given. */
interface ScopeCheck {
  route: Route;
  given?: string;
  arrange: (c: Stage) => Promise<Req> | Req;
  allowed: Cell;
}

const scopeChecks: Record<Scope, ScopeCheck[]> = {
  'messages:write': [
    { route: 'POST /channels/:channelId/messages', given: 'a room the agent is in', arrange: async (c) => ({ path: `/channels/${(await c.newRoom()).channelId}/messages`, body: { body: 'hi' } }), allowed: 201 },
    { route: 'PUT /messages/:messageId/reactions/:emoji', arrange: async (c) => ({ path: `/messages/${(await c.newRoom()).messageId}/reactions/eyes` }), allowed: 204 },
    { route: 'POST /channels/:channelId/files', given: 'a room the agent is in', arrange: async (c) => ({ path: `/channels/${(await c.newRoom()).channelId}/files?name=a.txt` }), allowed: 201 },
    {
      route: 'POST /channels/:channelId/experience',
      given: 'a room the agent is in',
      arrange: async (c) => {
        const room = await c.newRoom();
        return { path: `/channels/${room.channelId}/experience`, body: { title: 'Lesson', body: 'Learnt.', sources: [{ type: 'message', id: room.messageId }] } };
      },
      allowed: 201,
    },
    { route: 'PATCH /messages/:messageId', given: "the agent's own message", arrange: async (c) => ({ path: `/messages/${await agentMessage(c)}`, body: { body: 'edited' } }), allowed: 200 },
    { route: 'DELETE /messages/:messageId', given: "the agent's own message", arrange: async (c) => ({ path: `/messages/${await agentMessage(c)}` }), allowed: 200 },
    { route: 'PUT /messages/:messageId/pin', arrange: async (c) => ({ path: `/messages/${(await c.newRoom()).messageId}/pin`, body: {} }), allowed: 201 },
    { route: 'POST /channels/:channelId/docs', arrange: async (c) => ({ path: `/channels/${(await c.newRoom()).channelId}/docs`, body: { title: 'Notes', body: '' } }), allowed: 201 },
    { route: 'PATCH /docs/:docId', arrange: async (c) => ({ path: `/docs/${(await c.newDoc()).docId}`, body: { revision: 1, title: 'Renamed' } }), allowed: 200 },
    {
      route: 'DELETE /messages/:messageId',
      given: "the member's message, in a room where the agent is a moderator",
      arrange: async (c) => {
        const room = await c.newRoom({ author: 'member' });
        ok(await c.apis.owner.patch(`/channels/${room.channelId}/members/${c.ids.agent}`, { role: 'moderator' }), 204);
        return { path: `/messages/${room.messageId}` };
      },
      allowed: 200,
    },
  ],
  'messages:read': [
    { route: 'GET /channels/:channelId/files', arrange: (c) => ({ path: `/channels/${c.room.channelId}/files` }), allowed: 200 },
    { route: 'GET /files/:fileId', given: "a file attached in #room", arrange: async (c) => ({ path: `/files/${(await c.newFile({ in: 'room' })).fileId}` }), allowed: 200 },
    { route: 'POST /files/:fileId/link', given: "a file attached in #room", arrange: async (c) => ({ path: `/files/${(await c.newFile({ in: 'room' })).fileId}/link`, body: {} }), allowed: 200 },
    { route: 'GET /channels/:channelId/messages', arrange: (c) => ({ path: `/channels/${c.room.channelId}/messages` }), allowed: 200 },
    { route: 'GET /messages/:messageId', arrange: (c) => ({ path: `/messages/${c.room.messageId}` }), allowed: 200 },
    { route: 'GET /messages/:messageId/thread', arrange: (c) => ({ path: `/messages/${c.room.messageId}/thread` }), allowed: 200 },
    { route: 'GET /channels/:channelId/pins', arrange: (c) => ({ path: `/channels/${c.room.channelId}/pins` }), allowed: 200 },
    { route: 'GET /channels/:channelId/docs', arrange: (c) => ({ path: `/channels/${c.room.channelId}/docs` }), allowed: 200 },
    { route: 'GET /docs/:docId', arrange: async (c) => ({ path: `/docs/${(await c.newDoc({ in: 'room' })).docId}` }), allowed: 200 },
    { route: 'POST /channels/:channelId/read', arrange: (c) => ({ path: `/channels/${c.room.channelId}/read`, body: { seq: 1 } }), allowed: 200 },
    { route: 'POST /tasks/:taskId/claim', given: 'a fresh task for the agent', arrange: async (c) => ({ path: `/tasks/${(await c.newTask()).taskId}/claim` }), allowed: 200 },
    { route: 'GET /orgs/:orgId/search', arrange: (c) => ({ path: `/orgs/${c.orgId}/search?q=hello` }), allowed: 200 },
    { route: 'GET /experience/:entryId', given: 'an entry of a fresh room', arrange: async (c) => ({ path: `/experience/${await c.newEntry()}` }), allowed: 200 },
    { route: 'GET /channels/:channelId/experience', arrange: (c) => ({ path: `/channels/${c.room.channelId}/experience` }), allowed: 200 },
  ],
  'channels:read': [
    { route: 'GET /orgs/:orgId/channels', arrange: (c) => ({ path: `/orgs/${c.orgId}/channels` }), allowed: 200 },
    { route: 'GET /channels/:channelId', arrange: (c) => ({ path: `/channels/${c.room.channelId}` }), allowed: 200 },
    { route: 'GET /channels/:channelId/members', arrange: (c) => ({ path: `/channels/${c.room.channelId}/members` }), allowed: 200 },
    { route: 'GET /orgs/:orgId/members', arrange: (c) => ({ path: `/orgs/${c.orgId}/members` }), allowed: 200 },
    { route: 'GET /channels/:channelId/retention', arrange: (c) => ({ path: `/channels/${c.room.channelId}/retention` }), allowed: 200 },
  ],
  'context:read': [{ route: 'GET /channels/:channelId/context', arrange: (c) => ({ path: `/channels/${c.room.channelId}/context` }), allowed: 200 }],
};

/** A message the agent posted (with its full token) in a fresh room. */
async function agentMessage(c: Stage): Promise<string> {
  const { channelId } = await c.newRoom();
  return ok(await c.apis.agent.post(`/channels/${channelId}/messages`, { body: 'Draft summary.' })).body.message.id as string;
}

describe('agent token scopes', () => {
  let cast: Stage;
  beforeAll(async () => {
    cast = await buildCast(pool);
  });

  for (const [scope, checks] of Object.entries(scopeChecks) as [Scope, ScopeCheck[]][]) {
    if (checks.length === 0) continue;
    it(`a token without ${scope} is refused where it is needed, and the same agent with it is not`, async () => {
      const scopes = allScopes.filter((s) => s !== scope);
      const token = ok(await cast.apis.owner.post(`/agents/${cast.ids.agent}/tokens`, { name: `no ${scope}`, scopes })).body.secret as string;
      const lacking = api.as(token);
      const seen: Record<string, { without: Answer; with: Answer }> = {};
      const wanted: typeof seen = {};
      for (const check of checks) {
        const name = `${check.route}${check.given ? ` — ${check.given}` : ''}`;
        seen[name] = {
          without: await send(lacking, check.route, await check.arrange(cast)),
          with: await send(cast.apis.agent, check.route, await check.arrange(cast)),
        };
        wanted[name] = { without: '403 insufficient_scope', with: check.allowed };
      }
      expect(seen).toEqual(wanted);
    });
  }
});

describe('public routes', () => {
  /** How to call each public route, and the status it answers without a token. */
  const calls: Record<string, { call: () => Promise<Reply>; status: Cell }> = {
    'GET /health': { call: () => api.get('/health'), status: 200 },
    'GET /live': { call: () => api.get('/live'), status: 200 },
    'GET /ready': { call: () => api.get('/ready'), status: 200 },
    // Not under /api/v1; off (404) on a server without CHORUS_METRICS_TOKEN, such as this one (system/operations.test.ts covers the token).
    'GET /metrics': {
      call: async () => {
        const res = await fetch(`${api.baseUrl}/metrics`);
        return { status: res.status, body: await res.json(), headers: res.headers };
      },
      status: '404 route_not_found',
    },
    'GET /agents/guide.md': { call: () => api.get('/agents/guide.md'), status: 200 },
    'POST /hooks/:hookId/:secret': {
      call: async () => {
        const cast = await buildCast(pool);
        const hook = await cast.newIncomingWebhook(cast.room.channelId);
        return api.post(`/hooks/${hook.id}/${hook.secret}`, { text: 'Build 42 passed.' });
      },
      status: 200,
    },
    'GET /openapi.json': { call: () => api.get('/openapi.json'), status: 200 },
    'GET /files/:fileId/content': {
      call: async () => {
        const cast = await buildCast(pool);
        const { fileId } = await cast.newFile({ in: 'room' });
        const link = ok(await cast.apis.owner.post(`/files/${fileId}/link`, {}), 200).body.path as string;
        return api.get(link.replace(/^\/api\/v1/, ''));
      },
      status: 200,
    },
    'POST /auth/signup': { call: () => api.post('/auth/signup', { email: `${unique('new')}@example.test`, password: 'a long passphrase', display_name: 'New' }), status: 201 },
    'POST /auth/login': {
      call: async () => {
        const { email } = await signUp(api);
        return api.post('/auth/login', { email, password: 'correct horse battery' });
      },
      status: 200,
    },
    'GET /invites/:token': {
      call: async () => {
        const cast = await buildCast(pool);
        return api.get(`/invites/${(await cast.newInvite()).token}`);
      },
      status: 200,
    },
  };

  it('answer without credentials', async () => {
    expect(Object.keys(calls).sort()).toEqual([...publicRoutes].sort());
    const seen: Record<string, Answer> = {};
    for (const [route, { call }] of Object.entries(calls)) seen[route] = cellOf(await call());
    expect(seen).toEqual(Object.fromEntries(Object.entries(calls).map(([route, { status }]) => [route, status])));
  });
});

/**
 * Every route the server registers, as `METHOD /path` under the API prefix,
 * read from Fastify's route tree (HEAD is Fastify's automatic twin of GET).
 */
function registeredRoutes(): string[] {
  const routes: string[] = [];
  const stack: string[] = [];
  for (const line of server.app.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = /^((?:[│ ] {3})*)[├└]── (.*?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!match) continue;
    const depth = (match[1] ?? '').length / 4;
    stack.length = depth;
    const path = (stack[depth - 1] ?? '') + (match[2] ?? '');
    stack.push(path);
    for (const method of (match[3] ?? '').split(', ').filter((m) => m && m !== 'HEAD')) routes.push(`${method} ${path.replace(/^\/api\/v1/, '')}`);
  }
  return routes.sort();
}

describe('the authorization table is complete', () => {
  it('reads the route tree correctly: it holds every route the OpenAPI document lists', () => {
    const documented = Object.entries((server.app.swagger() as { paths: Record<string, object> }).paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => `${method.toUpperCase()} ${path.replace(/^\/api\/v1/, '').replace(/\{(\w+)\}/g, ':$1')}`),
    );
    expect(documented.length).toBeGreaterThan(30);
    expect(registeredRoutes()).toEqual(expect.arrayContaining(documented));
  });

  it('has a row for every route the server registers, and no row for a route it does not', () => {
    const registered = registeredRoutes();
    const covered = new Set<string>([...authorizationTable.map((row) => row.route), ...publicRoutes]);
    expect(registered.filter((route) => !covered.has(route)), 'routes without a row in authorization-table.ts').toEqual([]);
    expect([...covered].filter((route) => !registered.includes(route)), 'rows for routes the server does not have').toEqual([]);
  });
});
