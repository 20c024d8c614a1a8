import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../server.js';
import { Api } from '../test/client.js';
import { issueTaskToken } from '../test/context-fixtures.js';
import { writeEntry } from '../test/experience.js';
import { upload } from '../test/files.js';
import { signUp } from '../test/fixtures.js';
import { startTestServer } from '../test/server.js';

/**
 * The leak property for search: in a random org — public and private
 * channels, guests, an agent, `since_join`, `mentions_only`, messages kept
 * from agents, members added after messages, a doc and an experience entry
 * per channel (channel or org scope, some kept from agents) — every caller
 * finds exactly what it may read one by one (`GET /messages/:id`,
 * `GET /docs/:id`, `GET /experience/:id`: the policy's read paths), and an
 * agent with a task token exactly those of them whose readers include every
 * reader of the task's channel. A message hit carries the files its read path
 * shows, no more.
 */

let server: RunningServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const names = ['alice', 'bob', 'gus'] as const;
type Name = (typeof names)[number] | 'bot';
let accounts: Record<string, string> = {};
beforeAll(async () => {
  const api = new Api(server.url);
  accounts = {};
  for (const name of ['olga', ...names]) accounts[name] = (await signUp(api, name)).token;
});

interface ChannelSpec {
  kind: 'public' | 'private';
  sinceJoin: boolean;
  mentionsOnly: boolean;
  members: Name[];
  entry: { orgScope: boolean; humansOnly: boolean };
}
type Kind = 'message' | 'doc' | 'experience';
interface Item {
  id: string;
  kind: Kind;
  channel: number;
  orgScope: boolean;
}
const readPath: Record<Kind, string> = { message: '/messages/', doc: '/docs/', experience: '/experience/' };
type Step = { post: { channel: number; humansOnly: boolean; mentionBot: boolean; withFile: boolean } } | { add: { channel: number; who: Name } };

const channelSpec: fc.Arbitrary<ChannelSpec> = fc.record({
  kind: fc.constantFrom('public' as const, 'private' as const),
  sinceJoin: fc.boolean(),
  mentionsOnly: fc.boolean(),
  members: fc.subarray<Name>(['alice', 'bob', 'gus', 'bot']),
  entry: fc.record({ orgScope: fc.boolean(), humansOnly: fc.boolean() }),
});
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ post: fc.record({ channel: fc.nat(2), humansOnly: fc.boolean(), mentionBot: fc.boolean(), withFile: fc.boolean() }) }),
  fc.record({ add: fc.record({ channel: fc.nat(2), who: fc.constantFrom<Name>('alice', 'bob', 'gus', 'bot') }) }),
);

async function ok(reply: Promise<{ status: number; body: any }>, status = 201): Promise<any> {
  const res = await reply;
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  return res.body;
}

/**
 * The ids of every hit; a message hit's attachments must be exactly what the
 * message's read path shows the same caller (nothing more travels with a hit);
 * a task token's hits are read with the agent's own token (`reader`).
 */
async function searchIds(api: Api, orgId: string, reader = api): Promise<string[]> {
  const hits: any[] = [];
  let cursor: string | null = null;
  do {
    const body: any = await ok(api.get(`/orgs/${orgId}/search?q=pangolin&limit=100${cursor ? `&cursor=${cursor}` : ''}`), 200);
    hits.push(...body.hits);
    cursor = body.next_cursor;
  } while (cursor);
  for (const hit of hits) {
    const read = hit.kind === 'message' ? (await ok(reader.get(`/messages/${hit.id}`), 200)).message.attachments : [];
    expect(hit.attachments, `attachments of ${hit.kind} ${hit.id}`).toEqual(read);
  }
  return hits.map((h) => h.id).sort();
}

describe('search never finds what the caller may not read', () => {
  it('holds for people, agents and task tokens in random orgs', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(channelSpec, { minLength: 3, maxLength: 3 }), fc.array(step, { minLength: 4, maxLength: 14 }), async (specs, steps) => {
        const base = new Api(server.url);
        const owner = base.as(accounts.olga ?? '');
        const org = await ok(owner.post('/orgs', { name: 'Leaky' }));
        const orgId: string = org.org.id;
        const apis: Partial<Record<Name, Api>> = {};
        const ids: Partial<Record<Name, string>> = {};
        for (const name of names) {
          const role = name === 'gus' ? 'guest' : 'member';
          const invite = await ok(owner.post(`/orgs/${orgId}/invites`, { role }));
          const api = base.as(accounts[name] ?? '');
          ids[name] = (await ok(api.post(`/invites/${invite.token}/accept`, {}))).member.id;
          apis[name] = api;
        }
        const agent = await ok(owner.post(`/orgs/${orgId}/agents`, { handle: 'leakbot', display_name: 'Bot', description: 'x', card: { skills: [], model: 'm', version: '1' } }));
        ids.bot = agent.agent.id as string;
        apis.bot = base.as((await ok(owner.post(`/agents/${ids.bot}/tokens`, { name: 't', scopes: ['messages:read', 'messages:write', 'channels:read', 'context:read'] }))).secret);

        const members: Set<Name>[] = [];
        const channels: string[] = [];
        for (const [i, spec] of specs.entries()) {
          const created = await ok(
            owner.post(`/orgs/${orgId}/channels`, {
              name: `c${i}`,
              kind: spec.kind,
              history_for_new_members: spec.sinceJoin ? 'since_join' : 'all',
              agent_access: spec.mentionsOnly ? 'mentions_only' : 'full',
            }),
          );
          channels.push(created.channel.id);
          members.push(new Set());
        }
        const add = async (channel: number, who: Name) => {
          if (members[channel]?.has(who)) return;
          await ok(owner.post(`/channels/${channels[channel]}/members`, { member_id: ids[who] }));
          members[channel]?.add(who);
        };
        for (const [i, spec] of specs.entries()) for (const who of spec.members) await add(i, who);
        const posted: Item[] = [];
        for (const [i, spec] of specs.entries()) {
          const doc = await ok(owner.post(`/channels/${channels[i]}/docs`, { title: `pangolin doc ${i}`, body: 'notes' }));
          posted.push({ id: doc.doc.id, kind: 'doc', channel: i, orgScope: false });
          const entry = await writeEntry(server, {
            orgId,
            channelId: channels[i] ?? '',
            authorId: org.member.id,
            title: `pangolin lesson ${i}`,
            body: 'lesson',
            scope: spec.entry.orgScope ? 'org' : 'channel',
            audience: spec.entry.humansOnly ? 'humans' : 'all',
          });
          posted.push({ id: entry, kind: 'experience', channel: i, orgScope: spec.entry.orgScope });
        }
        for (const s of steps) {
          if ('add' in s) await add(s.add.channel, s.add.who);
          else {
            const body = `pangolin ${posted.length}${s.post.mentionBot ? ' @leakbot' : ''}`;
            const file = s.post.withFile ? (await upload(owner, channels[s.post.channel] ?? '', 'notes', `pangolin-${posted.length}.txt`, 'text/plain')).body.file.id : null;
            const sent = await ok(owner.post(`/channels/${channels[s.post.channel]}/messages`, { body, ...(file ? { file_ids: [file] } : {}), ...(s.post.humansOnly ? { audience: 'humans' } : {}) }));
            posted.push({ id: sent.message.id, kind: 'message', channel: s.post.channel, orgScope: false });
          }
        }

        const readable = async (api: Api) => {
          const out: Item[] = [];
          for (const item of posted) if ((await api.get(`${readPath[item.kind]}${item.id}`)).status === 200) out.push(item);
          return out;
        };
        const idsOf = (items: Item[]) => items.map((i) => i.id).sort();
        for (const who of [...names, 'bot'] as const) {
          const api = apis[who] as Api;
          expect(await searchIds(api, orgId), who).toEqual(idsOf(await readable(api)));
        }
        expect(await searchIds(owner, orgId)).toEqual(idsOf(posted));

        // A task token in each channel the agent is in: what the agent reads, where readers(channel) ⊇ readers(task channel).
        const readersOf = (i: number): Set<string> => {
          const r = new Set<string>(['olga', ...[...(members[i] ?? [])]]);
          if (specs[i]?.kind === 'public') for (const p of ['alice', 'bob']) r.add(p);
          return r;
        };
        // Org-scope entries: the org's members who are not guests.
        const orgReaders = new Set<string>(['olga', 'alice', 'bob', 'bot']);
        const agentReads = await readable(apis.bot);
        for (const [t, channelId] of channels.entries()) {
          if (!members[t]?.has('bot')) continue;
          const request = await ok(owner.post(`/channels/${channelId}/messages`, { body: 'please help' }));
          const task = await issueTaskToken(server, { orgId, channelId, agentId: ids.bot, requesterId: org.member.id, requestMessageId: request.message.id });
          const taskReaders = readersOf(t);
          const allowed = agentReads.filter((item) => {
            const source = item.orgScope ? orgReaders : readersOf(item.channel);
            return [...taskReaders].every((r) => source.has(r));
          });
          expect(await searchIds(new Api(server.url, task.token), orgId, apis.bot), `task in c${t}`).toEqual(idsOf(allowed));
        }
      }),
      { numRuns: 8 },
    );
    // A ceiling, not a speed target: 8 random orgs take 5–15 s, and a run once took more than 30 s on a
    // machine shared with several other test runs (load average 17 on 2 cores).
  }, 600_000);
});
