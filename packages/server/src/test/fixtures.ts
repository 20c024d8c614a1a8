import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { Api } from './client.js';

/** Story-level helpers. Every test builds its own people, org and channels through the public API. */

export interface Person {
  api: Api;
  token: string;
  userId: string;
  email: string;
  memberId: string;
  handle: string;
}

export interface Agent {
  api: Api;
  token: string;
  memberId: string;
  handle: string;
}

export interface World {
  api: Api;
  orgId: string;
  owner: Person;
  generalId: string;
  /** Invites a new person with the given org role. */
  person(role?: 'admin' | 'member' | 'guest', name?: string): Promise<Person>;
  /** Creates an agent sponsored by `sponsor` (the owner by default) with a token of the given scopes. */
  agent(options?: { sponsor?: Person; scopes?: string[]; handle?: string }): Promise<Agent>;
  channel(creator: Person, options?: { name?: string; kind?: 'public' | 'private'; members?: string[]; [setting: string]: unknown }): Promise<string>;
  post(author: { api: Api }, channelId: string, body: string, extra?: Record<string, unknown>): Promise<any>;
}

let counter = 0;
export const unique = (prefix: string) => `${prefix}${Date.now().toString(36)}${(counter++).toString(36)}${randomUUID().slice(0, 4)}`;

export async function signUp(api: Api, name = 'Person'): Promise<{ token: string; userId: string; email: string }> {
  const email = `${unique('u')}@example.test`;
  const res = await api.post('/auth/signup', { email, password: 'correct horse battery', display_name: name });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { token: res.body.session.token, userId: res.body.user.id, email };
}

/** A fresh org with an owner and its #general channel. */
export async function createWorld(baseUrl: string): Promise<World> {
  const api = new Api(baseUrl);
  const ownerAccount = await signUp(api, 'Owner');
  const ownerApi = api.as(ownerAccount.token);
  const created = await ownerApi.post('/orgs', { name: 'Acme' });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const orgId: string = created.body.org.id;
  const owner: Person = { api: ownerApi, ...ownerAccount, memberId: created.body.member.id, handle: created.body.member.handle };
  const channels = await ownerApi.get(`/orgs/${orgId}/channels`);
  const generalId: string = channels.body.channels.find((c: any) => c.channel.name === 'general').channel.id;

  const world: World = {
    api,
    orgId,
    owner,
    generalId,
    async person(role = 'member', name = 'Person') {
      const account = await signUp(api, name);
      const invite = await ownerApi.post(`/orgs/${orgId}/invites`, { role });
      expect(invite.status, JSON.stringify(invite.body)).toBe(201);
      const personApi = api.as(account.token);
      const accepted = await personApi.post(`/invites/${invite.body.token}/accept`, {});
      expect(accepted.status, JSON.stringify(accepted.body)).toBe(201);
      return { api: personApi, ...account, memberId: accepted.body.member.id, handle: accepted.body.member.handle };
    },
    async agent(options = {}) {
      const sponsor = options.sponsor ?? owner;
      const handle = options.handle ?? unique('bot');
      const created = await sponsor.api.post(`/orgs/${orgId}/agents`, { handle, display_name: 'Helper bot', description: 'Helps.', card: { skills: ['summarise'], model: 'test', version: '1' } });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      const token = await sponsor.api.post(`/agents/${created.body.agent.id}/tokens`, {
        name: 'test',
        scopes: options.scopes ?? ['messages:read', 'messages:write', 'channels:read', 'context:read'],
      });
      expect(token.status, JSON.stringify(token.body)).toBe(201);
      return { api: api.as(token.body.secret), token: token.body.secret, memberId: created.body.agent.id, handle };
    },
    async channel(creator, options = {}) {
      const { name, kind, members, ...settings } = options;
      const res = await creator.api.post(`/orgs/${orgId}/channels`, { name: name ?? unique('c'), kind: kind ?? 'public', ...settings });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      for (const memberId of members ?? []) {
        const added = await creator.api.post(`/channels/${res.body.channel.id}/members`, { member_id: memberId });
        expect(added.status, JSON.stringify(added.body)).toBe(201);
      }
      return res.body.channel.id as string;
    },
    async post(author, channelId, body, extra = {}) {
      const res = await author.api.post(`/channels/${channelId}/messages`, { body, ...extra });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      return res.body.message;
    },
  };
  return world;
}

/** A valid 1×1 PNG, base64-encoded: the smallest avatar there is. */
export const tinyPng = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
