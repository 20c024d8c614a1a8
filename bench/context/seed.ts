/**
 * Seeds the context benchmark's org: people, agents and channels through the
 * public REST API (as a client would make them), then the bulk history
 * straight through SQL into the embedded PostgreSQL — 100,000 messages
 * through the API would take minutes of send batches and measure nothing this
 * benchmark is about. Seeded messages are rows of `messages` with their seqs
 * (the channel's `last_seq` is moved past them) but no `channel_events`: a
 * socket would not replay them, which no measurement here needs.
 */
import pg from 'pg';

export const CHANNELS = 50;
export const BIG_CHANNEL_MESSAGES = 100_000;
/** Messages in each of the other 49 channels. */
export const SMALL_CHANNEL_MESSAGES = 400;

export interface Seeded {
  orgId: string;
  ownerToken: string;
  agentId: string;
  agentToken: string;
  /** The channel of 100,000 messages. */
  bigChannelId: string;
  channelIds: string[];
  messages: number;
  knowledge: Knowledge;
  ms: Record<string, number>;
}

class Rest {
  constructor(
    readonly base: string,
    readonly token: string | null = null,
  ) {}

  as(token: string): Rest {
    return new Rest(this.base, token);
  }

  async send<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.base}/api/v1${path}`, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(this.token ? { authorization: `Bearer ${this.token}` } : {}) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} → ${res.status}: ${text}`);
    return JSON.parse(text) as T;
  }
}

/**
 * The words messages are made of: a few hundred synthetic ones drawn with a
 * Zipf-like skew (so some words are in most messages and some in few), plus
 * the query words at known rates (see {@link queryWords}).
 */
const vocabulary = Array.from({ length: 600 }, (_, i) => `w${i.toString(36)}x`);
/** Each query word and the share of messages that contain it. */
export const queryWords = { rare: ['zanzibar', 0.0005], medium: ['billing', 0.01], common: ['deploy', 0.1], pair: ['rollback', 0.02] } as const;

function sentence(random: () => number): string {
  const n = 6 + Math.floor(random() * 18);
  const words: string[] = [];
  for (let i = 0; i < n; i++) words.push(vocabulary[Math.floor(vocabulary.length * random() ** 3)] ?? 'x');
  for (const [word, share] of Object.values(queryWords)) if (random() < share) words.splice(Math.floor(random() * words.length), 0, word);
  return words.join(' ');
}

/** A small fast PRNG (mulberry32), so every run seeds the same text. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function insertMessages(db: pg.Client, orgId: string, channelId: string, authors: string[], count: number, random: () => number): Promise<void> {
  const chunk = 5_000;
  const start = Date.now() - count * 60_000;
  for (let from = 0; from < count; from += chunk) {
    const n = Math.min(chunk, count - from);
    const seqs: number[] = [];
    const bodies: string[] = [];
    const authorIds: string[] = [];
    const times: string[] = [];
    for (let i = 0; i < n; i++) {
      const seq = from + i + 1;
      seqs.push(seq);
      bodies.push(sentence(random));
      authorIds.push(authors[seq % authors.length] ?? '');
      times.push(new Date(start + seq * 60_000).toISOString());
    }
    await db.query(
      `insert into messages (org_id, channel_id, seq, author_id, body, created_at)
       select $1, $2, s, a, b, t from unnest($3::bigint[], $4::uuid[], $5::text[], $6::timestamptz[]) as u(s, a, b, t)`,
      [orgId, channelId, seqs, authorIds, bodies, times],
    );
  }
  await db.query('update channels set last_seq = $2 where id = $1', [channelId, count]);
}

/**
 * The docs (1,000) and experience entries (5,000) across the 50 channels, and
 * pins in the big channel, as the issue's benchmark asks — bulk-inserted
 * through SQL like the messages (creating them through the API would take
 * minutes and measure nothing here; they get no `channel_events` and docs no
 * revision rows, which nothing measured reads). Their text is made like the
 * messages' (so the query words occur at the same rates per sentence): a doc
 * is a title and 5–40 sentences, an entry a title and 1–4 sentences. Of the
 * entries, one in twenty is org-scope, one in twenty kept from agents
 * (`audience: humans`), one in ten deprecated and one in ten past its expiry:
 * search and the context bundle filter them as they would in a real org.
 */
export interface Knowledge {
  docs: number;
  experience: number;
  pins: number;
}

export const DOCS = 1_000;
export const EXPERIENCE = 5_000;
export const PINS = 200;

async function seedKnowledge(db: pg.Client, orgId: string, channelIds: string[], authors: string[], random: () => number): Promise<Knowledge> {
  const title = () => sentence(random).split(' ').slice(0, 6).join(' ');
  const paragraph = (min: number, max: number) => Array.from({ length: min + Math.floor(random() * (max - min + 1)) }, () => `${sentence(random)}.`).join(' ');
  const start = Date.now() - 365 * 86_400_000;
  const at = (i: number, n: number) => new Date(start + Math.floor((i / n) * 364 * 86_400_000)).toISOString();

  const docs = { channel: [] as string[], title: [] as string[], body: [] as string[], by: [] as string[], at: [] as string[] };
  for (let i = 0; i < DOCS; i++) {
    docs.channel.push(channelIds[i % channelIds.length] ?? '');
    docs.title.push(title());
    docs.body.push(paragraph(5, 40));
    docs.by.push(authors[0] ?? '');
    docs.at.push(at(i, DOCS));
  }
  await db.query(
    `insert into channel_docs (org_id, channel_id, title, body, created_by, updated_by, created_at, updated_at)
     select $1, c, t, b, a, a, w, w from unnest($2::uuid[], $3::text[], $4::text[], $5::uuid[], $6::timestamptz[]) as u(c, t, b, a, w)`,
    [orgId, docs.channel, docs.title, docs.body, docs.by, docs.at],
  );

  const entries = { channel: [] as string[], title: [] as string[], body: [] as string[], by: [] as string[], scope: [] as string[], audience: [] as string[], status: [] as string[], expires: [] as (string | null)[], at: [] as string[] };
  for (let i = 0; i < EXPERIENCE; i++) {
    entries.channel.push(channelIds[i % channelIds.length] ?? '');
    entries.title.push(title());
    entries.body.push(paragraph(1, 4));
    entries.by.push(authors[i % authors.length] ?? '');
    entries.scope.push(i % 20 === 7 ? 'org' : 'channel');
    entries.audience.push(i % 20 === 3 ? 'humans' : 'all');
    entries.status.push(i % 10 === 5 ? 'deprecated' : 'active');
    entries.expires.push(i % 10 === 6 ? new Date(Date.now() - 86_400_000).toISOString() : null);
    entries.at.push(at(i, EXPERIENCE));
  }
  await db.query(
    `insert into experience_entries (org_id, channel_id, title, body, author_id, scope, audience, status, expires_at, created_at, updated_at, sources)
     select $1, c, t, b, a, s, au, st, e, w, w, '[]'::jsonb
     from unnest($2::uuid[], $3::text[], $4::text[], $5::uuid[], $6::text[], $7::text[], $8::text[], $9::timestamptz[], $10::timestamptz[]) as u(c, t, b, a, s, au, st, e, w)`,
    [orgId, entries.channel, entries.title, entries.body, entries.by, entries.scope, entries.audience, entries.status, entries.expires, entries.at],
  );

  // Pins spread over the big channel's history.
  const bigChannelId = channelIds[0] ?? '';
  await db.query(
    `insert into pins (message_id, org_id, channel_id, pinned_by, seq)
     select id, org_id, channel_id, $2, seq from messages where channel_id = $1 and seq % ($3::bigint) = 0`,
    [bigChannelId, authors[0], Math.floor(BIG_CHANNEL_MESSAGES / PINS)],
  );
  return { docs: DOCS, experience: EXPERIENCE, pins: PINS };
}

export async function seed(baseUrl: string, databaseUrl: string): Promise<Seeded> {
  const ms: Record<string, number> = {};
  let t = performance.now();
  const lap = (name: string) => {
    const now = performance.now();
    ms[name] = Math.round(now - t);
    t = now;
  };
  const anon = new Rest(baseUrl);
  const signup = await anon.send<{ session: { token: string } }>('POST', '/auth/signup', { email: `bench-${Date.now()}@example.test`, password: 'correct horse battery', display_name: 'Bench owner' });
  const owner = anon.as(signup.session.token);
  const org = await owner.send<{ org: { id: string }; member: { id: string } }>('POST', '/orgs', { name: 'Context bench' });
  const orgId = org.org.id;
  const agent = await owner.send<{ agent: { id: string } }>('POST', `/orgs/${orgId}/agents`, { handle: 'benchbot', display_name: 'Bench bot', description: 'Measures.', card: { skills: ['search'], model: 'none', version: '1' } });
  const token = await owner.send<{ secret: string }>('POST', `/agents/${agent.agent.id}/tokens`, { name: 'bench', scopes: ['messages:read', 'messages:write', 'channels:read', 'context:read'] });
  const channelIds: string[] = [];
  for (let i = 0; i < CHANNELS; i++) {
    // One in five private: search then checks memberships as well as public reads.
    const created = await owner.send<{ channel: { id: string } }>('POST', `/orgs/${orgId}/channels`, { name: `bench-${i}`, kind: i % 5 === 4 ? 'private' : 'public' });
    channelIds.push(created.channel.id);
    await owner.send('POST', `/channels/${created.channel.id}/members`, { member_id: agent.agent.id });
  }
  lap('rest');

  const bigChannelId = channelIds[0] ?? '';
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const random = prng(42);
    const authors = [org.member.id, agent.agent.id];
    await insertMessages(db, orgId, bigChannelId, authors, BIG_CHANNEL_MESSAGES, random);
    for (const id of channelIds.slice(1)) await insertMessages(db, orgId, id, authors, SMALL_CHANNEL_MESSAGES, random);
    lap('messages');
    const knowledge = await seedKnowledge(db, orgId, channelIds, authors, random);
    lap('knowledge');
    // Fresh statistics, as autovacuum would gather them a little later.
    await db.query('vacuum analyze messages, channel_docs, experience_entries, pins');
    lap('analyze');
    return {
      orgId,
      ownerToken: signup.session.token,
      agentId: agent.agent.id,
      agentToken: token.secret,
      bigChannelId,
      channelIds,
      messages: BIG_CHANNEL_MESSAGES + (CHANNELS - 1) * SMALL_CHANNEL_MESSAGES,
      knowledge,
      ms,
    };
  } finally {
    await db.end();
  }
}

export { Rest };
