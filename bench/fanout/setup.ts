/**
 * Seeds Chorus through its public REST API only: one person (the owner, one
 * scrypt hash), an org, and agents as the receiving members (an agent costs no
 * password hash and receives channel events exactly as a person does).
 *
 *   fan-a0 … fan-a9   10 channels × 100 agents (agent i is in fan-a⌊i/100⌋)
 *   fan-b             1 channel × all 1,000 agents
 *   dur-000 … dur-199 one channel per durable sender (agent i < 200 in dur-i)
 */
import { mapLimit } from './stats.js';

export interface Seeded {
  orgId: string;
  agents: { id: string; token: string }[];
  /** 10 channels of 100 members: channelsA[k] holds agents 100k … 100k+99. */
  channelsA: string[];
  /** 1 channel of every agent. */
  channelB: string;
  /** dur[i] holds agent i alone (besides the owner, who never connects). */
  dur: string[];
  ms: number;
  /** Milliseconds per phase: agents (create + token), channels, joins. */
  phases: Record<string, number>;
}

class Rest {
  constructor(
    readonly base: string,
    readonly token: string | null = null,
  ) {}

  async post<T>(path: string, body: unknown): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const res = await fetch(`${this.base}/api/v1${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(this.token ? { authorization: `Bearer ${this.token}` } : {}) },
        body: JSON.stringify(body),
      });
      const text = await res.text();
      if (res.ok) return JSON.parse(text) as T;
      if (res.status >= 500 && attempt < 3) continue;
      throw new Error(`POST ${path} → ${res.status}: ${text}`);
    }
  }
}

export async function seed(baseUrl: string, options: { agents: number; perChannelA: number; durable: number; concurrency: number }): Promise<Seeded> {
  const t0 = performance.now();
  const anon = new Rest(baseUrl);
  const signup = await anon.post<{ session: { token: string } }>('/auth/signup', {
    email: `bench-${Date.now().toString(36)}@example.test`,
    password: 'fan-out benchmark owner',
    display_name: 'Bench owner',
  });
  const owner = new Rest(baseUrl, signup.session.token);
  const { org } = await owner.post<{ org: { id: string } }>('/orgs', { name: 'Fan-out bench' });

  const phases: Record<string, number> = {};
  let mark = performance.now();
  const phase = (name: string) => {
    const now = performance.now();
    phases[name] = Math.round(now - mark);
    mark = now;
  };
  const agents = await mapLimit(Array.from({ length: options.agents }, (_, i) => i), options.concurrency, async (i) => {
    const { agent } = await owner.post<{ agent: { id: string } }>(`/orgs/${org.id}/agents`, { handle: `bench-${i}`, display_name: `Bench agent ${i}` });
    const { secret } = await owner.post<{ secret: string }>(`/agents/${agent.id}/tokens`, { name: 'bench', scopes: ['messages:read', 'messages:write', 'channels:read'] });
    return { id: agent.id, token: secret };
  });

  phase('agents');
  const groups = Math.ceil(options.agents / options.perChannelA);
  const createChannel = async (name: string) => (await owner.post<{ channel: { id: string } }>(`/orgs/${org.id}/channels`, { name, kind: 'public' })).channel.id;
  const channelsA = await mapLimit(Array.from({ length: groups }, (_, k) => k), options.concurrency, (k) => createChannel(`fan-a${k}`));
  const channelB = await createChannel('fan-b');
  const dur = await mapLimit(Array.from({ length: options.durable }, (_, i) => i), options.concurrency, (i) => createChannel(`dur-${String(i).padStart(3, '0')}`));

  phase('channels');
  // Interleave the joins so concurrent requests mostly touch different channels (each join locks its channel's row).
  const joins: { channel: string; member: string }[] = [];
  agents.forEach((agent, i) => {
    const a = channelsA[Math.floor(i / options.perChannelA)];
    if (a) joins.push({ channel: a, member: agent.id });
    joins.push({ channel: channelB, member: agent.id });
    const d = dur[i];
    if (d) joins.push({ channel: d, member: agent.id });
  });
  await mapLimit(joins, options.concurrency, (j) => owner.post(`/channels/${j.channel}/members`, { member_id: j.member }));
  phase('joins');
  return { orgId: org.id, agents, channelsA, channelB, dur, ms: Math.round(performance.now() - t0), phases };
}
