import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentAccess, MessageKind, ReasoningVisibility } from '../db/schema.js';
import { allocateSeq } from '../events/log.js';
import type { RunningServer } from '../server.js';
import { createWorld } from '../test/fixtures.js';
import { startTestServer } from '../test/server.js';
import { mayAgentSee, mayRead, readableWhere, type MessageFacts, type ReadAccess, type ReadContext, type Reader, type ReadRules } from './agent-reads.js';

const now = new Date('2030-06-01T12:00:00Z');
const day = 86_400_000;

const full: ReadRules = { agent_access: 'full', agent_history_days: null, reasoning_visibility: 'members', agents_see_reasoning: false };
const agent: Reader = { memberId: 'agent', kind: 'agent', orgAdmin: false, channelRole: 'member' };
const person: Reader = { memberId: 'pat', kind: 'human', orgAdmin: false, channelRole: 'member' };
const message: MessageFacts = {
  id: 'm1',
  author_id: 'pat',
  kind: 'chat',
  audience: 'all',
  created_at: new Date(now.getTime() - 60_000),
  thread_root_id: null,
  mentioned: [],
  mentions_agents: false,
};
const context: ReadContext = { now, taskMessageIds: new Set(), sponsorOf: (id) => (id === 'other-agent' ? 'sam' : null) };
const reads = (reader: Reader, rules: Partial<ReadRules>, m: Partial<MessageFacts>, c: Partial<ReadContext> = {}) =>
  mayRead({ reader, rules: { ...full, ...rules } }, { ...message, ...m }, { ...context, ...c });

describe('the read rules, message by message', () => {
  it('never serve a humans-only message to an agent, not even its own; people read it', () => {
    expect(reads(agent, {}, { audience: 'humans' })).toBe(false);
    expect(reads(agent, {}, { audience: 'humans', author_id: 'agent' })).toBe(false);
    expect(reads(person, {}, { audience: 'humans' })).toBe(true);
    expect(mayAgentSee({ reader: agent, rules: full }, message, context)).toBe(true);
  });

  it('bound how far back agents read, and only agents', () => {
    const old = { created_at: new Date(now.getTime() - 3 * day) };
    expect(reads(agent, { agent_history_days: 2 }, old)).toBe(false);
    expect(reads(agent, { agent_history_days: 4 }, old)).toBe(true);
    expect(reads(agent, { agent_history_days: null }, old)).toBe(true);
    expect(reads(person, { agent_history_days: 2 }, old)).toBe(true);
  });

  it('with mentions_only, show an agent what mentions it, its own messages and its tasks\' threads', () => {
    const rules = { agent_access: 'mentions_only' as AgentAccess };
    expect(reads(agent, rules, {})).toBe(false);
    expect(reads(agent, rules, { mentioned: ['agent'] })).toBe(true);
    expect(reads(agent, rules, { mentioned: ['someone-else'] })).toBe(false);
    expect(reads(agent, rules, { mentions_agents: true })).toBe(true);
    expect(reads(agent, rules, { author_id: 'agent' })).toBe(true);
    expect(reads(agent, rules, { id: 'root' }, { taskMessageIds: new Set(['root']) })).toBe(true);
    expect(reads(agent, rules, { thread_root_id: 'root' }, { taskMessageIds: new Set(['root']) })).toBe(true);
    expect(reads(agent, rules, { thread_root_id: 'elsewhere' }, { taskMessageIds: new Set(['root']) })).toBe(false);
    expect(reads(person, rules, {})).toBe(true);
  });

  it('keep other agents\' reasoning from an agent unless the channel lets agents see it', () => {
    for (const kind of ['agent_reasoning', 'agent_tool'] as MessageKind[]) {
      const theirs = { kind, author_id: 'other-agent' };
      expect(reads(agent, {}, theirs)).toBe(false);
      expect(reads(agent, {}, { kind, author_id: 'agent' })).toBe(true);
      expect(reads(agent, { agents_see_reasoning: true }, theirs)).toBe(true);
      // Agents see reasoning only where the people it is shown to would include them.
      expect(reads(agent, { agents_see_reasoning: true, reasoning_visibility: 'moderators' }, theirs)).toBe(false);
      expect(reads({ ...agent, channelRole: 'moderator' }, { agents_see_reasoning: true, reasoning_visibility: 'moderators' }, theirs)).toBe(true);
      expect(reads({ ...agent, channelRole: 'owner' }, { agents_see_reasoning: true, reasoning_visibility: 'sponsor_only' }, theirs)).toBe(false);
    }
  });

  it('show people reasoning by reasoning_visibility', () => {
    const theirs = { kind: 'agent_reasoning' as MessageKind, author_id: 'other-agent' };
    const visibility = (v: ReasoningVisibility) => ({ reasoning_visibility: v });
    const sponsor = { ...person, memberId: 'sam' };
    const moderator = { ...person, memberId: 'mo', channelRole: 'moderator' as const };
    const owner = { ...person, memberId: 'olga', channelRole: 'owner' as const };
    const admin = { ...person, memberId: 'ada', orgAdmin: true, channelRole: null };
    const seen = (v: ReasoningVisibility) => [person, sponsor, moderator, owner, admin].map((r) => reads(r, visibility(v), theirs));
    expect(seen('members')).toEqual([true, true, true, true, true]);
    expect(seen('moderators')).toEqual([false, true, true, true, true]);
    expect(seen('sponsor_only')).toEqual([false, true, false, false, true]);
    // Chat messages are not reasoning, whatever the setting.
    expect(reads(person, visibility('sponsor_only'), { author_id: 'other-agent' })).toBe(true);
  });
});

describe('the SQL filter and the predicate', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('agree on every message, for every reader, under every combination of the channel\'s rules', async () => {
    const w = await createWorld(server.url);
    const db = server.ctx.db;
    const now = new Date();
    const [sam, carol, mo, pat] = [await w.person('member', 'Sam'), await w.person('member', 'Carol'), await w.person('member', 'Mo'), await w.person('member', 'Pat')];
    const [botA, botB] = [await w.agent({ sponsor: sam }), await w.agent()];
    const channelId = await w.channel(carol, { members: [sam.memberId, mo.memberId, pat.memberId, botA.memberId, botB.memberId] });
    expect((await carol.api.patch(`/channels/${channelId}/members/${mo.memberId}`, { role: 'moderator' })).status).toBe(204);

    // Three roots by Pat: the task's thread, its request (a thread of its own), and an unrelated thread.
    const [taskRoot, request, otherRoot] = [await w.post(pat, channelId, 'task root'), await w.post(pat, channelId, 'request'), await w.post(pat, channelId, 'other root')];
    await db
      .insertInto('tasks')
      .values({ org_id: w.orgId, channel_id: channelId, agent_id: botA.memberId, requester_id: pat.memberId, request_message_id: request.id, thread_root_id: taskRoot.id, origin: 'assignment' })
      .execute();

    // Every combination of author, kind, audience, age, place and mention.
    const authors = [botA.memberId, botB.memberId, pat.memberId];
    const combos: { author: string; kind: MessageKind; audience: 'all' | 'humans'; days: number; root: string | null; mention: 'none' | 'A' | 'agents' }[] = [];
    for (const author of authors)
      for (const kind of ['chat', 'agent_reasoning', 'agent_tool'] as MessageKind[])
        for (const audience of ['all', 'humans'] as const)
          for (const days of [0, 3, 10])
            for (const root of [null, taskRoot.id as string, request.id as string, otherRoot.id as string])
              for (const mention of ['none', 'A', 'agents'] as const) combos.push({ author, kind, audience, days, root, mention });
    const first = await db.transaction().execute((trx) => allocateSeq(trx, channelId, combos.length));
    const inserted = await db
      .insertInto('messages')
      .values(
        combos.map((c, i) => ({
          org_id: w.orgId,
          channel_id: channelId,
          seq: first + i,
          author_id: c.author,
          kind: c.kind,
          audience: c.audience,
          body: `message ${i}`,
          thread_root_id: c.root,
          mentions_agents: c.mention === 'agents',
          created_at: new Date(now.getTime() - c.days * day - 60_000),
        })),
      )
      .returning(['id', 'seq'])
      .execute();
    const mentioned = inserted.filter((row) => combos[row.seq - first]?.mention === 'A');
    await db.insertInto('message_mentions').values(mentioned.map((row) => ({ message_id: row.id, member_id: botA.memberId, channel_id: channelId, seq: row.seq }))).execute();

    const rows = await db.selectFrom('messages').select(['id', 'author_id', 'kind', 'audience', 'created_at', 'thread_root_id', 'mentions_agents']).where('channel_id', '=', channelId).execute();
    const mentions = await db.selectFrom('message_mentions').select(['message_id', 'member_id']).where('channel_id', '=', channelId).execute();
    const facts: MessageFacts[] = rows.map((r) => ({ ...r, mentioned: mentions.filter((m) => m.message_id === r.id).map((m) => m.member_id) }));
    const sponsors = await db.selectFrom('agents').select(['member_id', 'sponsor_id']).where('member_id', 'in', [botA.memberId, botB.memberId]).execute();
    const contextFor = (reader: Reader): ReadContext => ({
      now,
      taskMessageIds: new Set(reader.memberId === botA.memberId ? [taskRoot.id, request.id] : []),
      sponsorOf: (id) => sponsors.find((s) => s.member_id === id)?.sponsor_id ?? null,
    });

    const readers: Reader[] = [
      { memberId: botA.memberId, kind: 'agent', orgAdmin: false, channelRole: 'member' },
      { memberId: botB.memberId, kind: 'agent', orgAdmin: false, channelRole: 'moderator' },
      { memberId: sam.memberId, kind: 'human', orgAdmin: false, channelRole: 'member' },
      { memberId: carol.memberId, kind: 'human', orgAdmin: false, channelRole: 'owner' },
      { memberId: mo.memberId, kind: 'human', orgAdmin: false, channelRole: 'moderator' },
      { memberId: pat.memberId, kind: 'human', orgAdmin: false, channelRole: 'member' },
      { memberId: w.owner.memberId, kind: 'human', orgAdmin: true, channelRole: null },
    ];
    const disagreements: string[] = [];
    const sizes = new Set<number>();
    for (const agent_access of ['full', 'mentions_only'] as AgentAccess[])
      for (const agent_history_days of [null, 1, 5])
        for (const reasoning_visibility of ['members', 'moderators', 'sponsor_only'] as ReasoningVisibility[])
          for (const agents_see_reasoning of [false, true])
            for (const reader of readers) {
              const access: ReadAccess = { reader, rules: { agent_access, agent_history_days, reasoning_visibility, agents_see_reasoning } };
              const bySql = (await db.selectFrom('messages').select('id').where('channel_id', '=', channelId).where(readableWhere(access, now)).execute()).map((r) => r.id).sort();
              const byPredicate = facts.filter((f) => mayRead(access, f, contextFor(reader))).map((f) => f.id).sort();
              sizes.add(bySql.length);
              if (JSON.stringify(bySql) !== JSON.stringify(byPredicate)) disagreements.push(`${JSON.stringify(access)}: SQL ${bySql.length}, predicate ${byPredicate.length}`);
            }
    expect(disagreements).toEqual([]);
    // The combinations hide different things: the agreement is not that of two filters letting everything through.
    expect(sizes.size).toBeGreaterThan(15);
    expect(Math.max(...sizes)).toBe(facts.length);
    expect(Math.min(...sizes)).toBeLessThan(facts.length / 5);
  });
});
