import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../server.js';
import { createWorld, tinyPng } from '../test/fixtures.js';
import { startTestServer } from '../test/server.js';
import { openSocket } from '../test/sockets.js';
import { customStatus } from '../orgs/presenters.js';
import { imageTypeOf } from './image-type.js';

let server: RunningServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const png = Buffer.from(tinyPng, 'base64');

describe('profiles', () => {
  it('a person renames themselves and sets a status; others see it in the directory and live on their socket', async () => {
    const w = await createWorld(server.url);
    const bea = await w.person('member', 'Bea');
    const socket = await openSocket(server.url, bea.token, w.orgId);
    try {
      const expires = new Date(Date.now() + 3_600_000).toISOString();
      const res = await w.owner.api.patch(`/orgs/${w.orgId}/members/${w.owner.memberId}/profile`, {
        display_name: '  Olive Owner ',
        custom_status: { emoji: '🌴', text: 'On leave', expires_at: expires },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.member).toMatchObject({ display_name: 'Olive Owner', custom_status: { emoji: '🌴', text: 'On leave', expires_at: expires } });

      const seen = await bea.api.get(`/orgs/${w.orgId}/members/${w.owner.memberId}`);
      expect(seen.body.member.custom_status.text).toBe('On leave');
      const frame = await socket.until(() => socket.frames.find((f) => f.type === 'member.updated'));
      expect(frame.member).toMatchObject({ id: w.owner.memberId, display_name: 'Olive Owner' });

      const cleared = await w.owner.api.patch(`/orgs/${w.orgId}/members/${w.owner.memberId}/profile`, { custom_status: null });
      expect(cleared.body.member.custom_status).toBeNull();
    } finally {
      socket.close();
    }
  });

  it('refuses an empty name or status, a status that has already expired, and someone else’s profile', async () => {
    const w = await createWorld(server.url);
    const bea = await w.person('member', 'Bea');
    const path = `/orgs/${w.orgId}/members/${bea.memberId}/profile`;
    expect((await bea.api.patch(path, { display_name: '   ' })).body.error.code).toBe('display_name_empty');
    expect((await bea.api.patch(path, { custom_status: { emoji: '', text: ' ' } })).body.error.code).toBe('status_empty');
    expect((await bea.api.patch(path, { custom_status: { emoji: '🍕', text: 'Lunch', expires_at: '2020-01-01T00:00:00Z' } })).body.error.code).toBe('status_expired');
    const other = await w.owner.api.patch(path, { display_name: 'Not yours' });
    expect([other.status, other.body.error.code]).toEqual([403, 'not_yourself']);
  });

  it('shows no status once it has expired', () => {
    const row = { status_emoji: '🍕', status_text: 'Lunch', status_expires_at: new Date('2026-01-01T12:00:00Z') };
    expect(customStatus(row, new Date('2026-01-01T11:59:59Z'))).toMatchObject({ text: 'Lunch' });
    expect(customStatus(row, new Date('2026-01-01T12:00:00Z'))).toBeNull();
  });
});

describe('avatars', () => {
  it('an uploaded PNG is served to everyone in the org, typed from its bytes, nosniff, cacheable by version', async () => {
    const w = await createWorld(server.url);
    const guest = await w.person('guest', 'Gus');
    const up = await w.owner.api.put(`/orgs/${w.orgId}/members/${w.owner.memberId}/avatar`, { image: `data:text/html;base64,${tinyPng}` });
    expect(up.status, JSON.stringify(up.body)).toBe(200);
    const url: string = up.body.member.avatar_url;
    expect(url).toMatch(new RegExp(`^/orgs/${w.orgId}/members/${w.owner.memberId}/avatar\\?v=[0-9a-f]{16}$`));

    const res = await fetch(`${server.url}/api/v1${url}`, { headers: { authorization: `Bearer ${guest.token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('cache-control')).toContain('immutable');
    expect(Buffer.from(await res.arrayBuffer()).equals(png)).toBe(true);

    const again = await fetch(`${server.url}/api/v1${url}`, { headers: { authorization: `Bearer ${guest.token}`, 'if-none-match': res.headers.get('etag') ?? '' } });
    expect(again.status).toBe(304);
    // Without the version the answer must be revalidated: the image behind the bare path changes.
    const bare = await fetch(`${server.url}/api/v1${url.split('?')[0] ?? ''}`, { headers: { authorization: `Bearer ${guest.token}` } });
    expect(bare.headers.get('cache-control')).toBe('private, no-cache');

    const outsider = await createWorld(server.url);
    const refused = await fetch(`${server.url}/api/v1${url}`, { headers: { authorization: `Bearer ${outsider.owner.token}` } });
    expect(refused.status).toBe(404);
  });

  it('refuses what is not a PNG, JPEG, GIF or WebP whatever it claims to be, and anything over 256 KB', async () => {
    const w = await createWorld(server.url);
    const path = `/orgs/${w.orgId}/members/${w.owner.memberId}/avatar`;
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>').toString('base64');
    const notImage = await w.owner.api.put(path, { image: `data:image/png;base64,${svg}` });
    expect([notImage.status, notImage.body.error.code]).toEqual([400, 'unsupported_image']);
    const big = Buffer.concat([png, Buffer.alloc(256 * 1024)]).toString('base64');
    const tooBig = await w.owner.api.put(path, { image: big });
    expect(tooBig.status).toBe(413);
    expect((await w.owner.api.put(path, { image: 'not base64!' })).body.error.code).toBe('invalid_base64');
    expect((await w.owner.api.get(`/orgs/${w.orgId}/members/${w.owner.memberId}`)).body.member.avatar_url).toBeNull();
  });

  it("an agent's sponsor sets and removes its avatar; other people cannot", async () => {
    const w = await createWorld(server.url);
    const bea = await w.person('member', 'Bea');
    const bot = await w.agent();
    const path = `/orgs/${w.orgId}/members/${bot.memberId}/avatar`;
    const denied = await bea.api.put(path, { image: tinyPng });
    expect([denied.status, denied.body.error.code]).toEqual([403, 'not_sponsor']);
    const own = await bot.api.put(path, { image: tinyPng });
    expect([own.status, own.body.error.code]).toEqual([403, 'agents_not_allowed']);
    expect((await w.owner.api.put(path, { image: tinyPng })).status).toBe(200);
    const agent = await bea.api.get(`/agents/${bot.memberId}`);
    expect(agent.body.agent.avatar_url).toMatch(/\?v=/);
    const removed = await w.owner.api.delete(path);
    expect(removed.body.member.avatar_url).toBeNull();
    expect((await bea.api.get(path)).body.error.code).toBe('avatar_not_found');
    // Changing an agent's face is an admin action: it is on the audit record.
    const audit = await w.owner.api.get(`/orgs/${w.orgId}/audit?action=agent.avatar_changed`);
    expect(audit.body.events).toHaveLength(2);
  });

  it('accepts only PNG, JPEG, GIF and WebP, by their signatures', async () => {
    expect(await imageTypeOf(png)).toBe('image/png');
    expect(await imageTypeOf(Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00', 'latin1'))).toBe('image/gif');
    expect(await imageTypeOf(Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1'))).toBeNull();
    expect(await imageTypeOf(Buffer.from('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>'))).toBeNull();
    expect(await imageTypeOf(new Uint8Array())).toBeNull();
  });
});
