import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../server.js';
import { Api } from '../test/client.js';
import { issueTaskToken } from '../test/context-fixtures.js';
import { signUp } from '../test/fixtures.js';
import { startTestServer } from '../test/server.js';

/**
 * The leak property for search: in a random org — public and private
 * channels, guests, an agent, `since_join`, `mentions_only`, messages kept
 * from agents, members added after messages — every caller finds exactly the
 * messages it may read one by one (`GET /messages/:id`, the policy's read
 * path), and an agent with a task token exactly those of them whose channel's
 * readers include every reader of the task's channel.
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
}
type Step = { post: { channel: number; humansOnly: boolean; mentionBot: boolean } } | { add: { channel: number; who: Name } };

const channelSpec: fc.Arbitrary<ChannelSpec> = fc.record({
  kind: fc.constantFrom('public' as const, 'private' as const),
  sinceJoin: fc.boolean(),
  mentionsOnly: fc.boolean(),
  members: fc.subarray<Name>(['alice', 'bob', 'gus', 'bot']),
});
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ post: fc.record({ channel: fc.nat(2), humansOnly: fc.boolean(), mentionBot: fc.boolean() }) }),
  fc.record({ add: fc.record({ channel: fc.nat(2), who: fc.constantFrom<Name>('alice', 'bob', 'gus', 'bot') }) }),
);

async function ok(reply: Promise<{ status: number; body: any }>, status = 201): Promise<any> {
  const res = await reply;
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  return res.body;
}

async function searchIds(api: Api, orgId: string): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const body: any = await ok(api.get(`/orgs/${orgId}/search?q=pangolin&limit=100${cursor ? `&cursor=${cursor}` : ''}`), 200);
    ids.push(...body.hits.map((h: any) => h.id));
    cursor = body.next_cursor;
  } while (cursor);
  return ids.sort();
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
        const posted: string[] = [];
        for (const s of steps) {
          if ('add' in s) await add(s.add.channel, s.add.who);
          else {
            const body = `pangolin ${posted.length}${s.post.mentionBot ? ' @leakbot' : ''}`;
            const sent = await ok(owner.post(`/channels/${channels[s.post.channel]}/messages`, { body, ...(s.post.humansOnly ? { audience: 'humans' } : {}) }));
            posted.push(sent.message.id);
          }
        }

        const readable = async (api: Api) => {
          const out: string[] = [];
          for (const id of posted) if ((await api.get(`/messages/${id}`)).status === 200) out.push(id);
          return out.sort();
        };
        for (const who of [...names, 'bot'] as const) {
          const api = apis[who] as Api;
          expect(await searchIds(api, orgId), who).toEqual(await readable(api));
        }
        expect(await searchIds(owner, orgId)).toEqual([...posted].sort());

        // A task token in each channel the agent is in: what the agent reads, where readers(channel) ⊇ readers(task channel).
        const readersOf = (i: number): Set<string> => {
          const r = new Set<string>(['olga', ...[...(members[i] ?? [])]]);
          if (specs[i]?.kind === 'public') for (const p of ['alice', 'bob']) r.add(p);
          return r;
        };
        const channelOf = new Map<string, number>();
        for (const [i, id] of channels.entries()) channelOf.set(id, i);
        const agentReads = await readable(apis.bot);
        const channelOfMessage = new Map<string, number>();
        for (const id of agentReads) channelOfMessage.set(id, channelOf.get((await ok(owner.get(`/messages/${id}`), 200)).message.channel_id) ?? -1);
        for (const [t, channelId] of channels.entries()) {
          if (!members[t]?.has('bot')) continue;
          const request = await ok(owner.post(`/channels/${channelId}/messages`, { body: 'please help' }));
          const task = await issueTaskToken(server, { orgId, channelId, agentId: ids.bot, requesterId: org.member.id, requestMessageId: request.message.id });
          const taskReaders = readersOf(t);
          const allowed = agentReads.filter((id) => {
            const source = readersOf(channelOfMessage.get(id) ?? -1);
            return [...taskReaders].every((r) => source.has(r));
          });
          expect(await searchIds(new Api(server.url, task.token), orgId), `task in c${t}`).toEqual(allowed);
        }
      }),
      { numRuns: 8 },
    );
  });
});
