import { expect } from 'vitest';
import type { RunningServer } from '../server.js';
import type { Api } from './client.js';

/** Story-level helpers for experience, over the public API. */

interface Caller {
  api: Api;
}

export type SourceInput = { type: 'message' | 'thread' | 'doc'; id: string };

/** Distils an entry in the channel; returns its view. */
export async function distil(by: Caller, channelId: string, sources: SourceInput[], extra: Record<string, unknown> = {}): Promise<any> {
  const res = await by.api.post(`/channels/${channelId}/experience`, { title: 'Deploys need the migration lock', body: 'Take the migration lock before deploying.', sources, ...extra });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.experience;
}

/** The channel's experience as `as` lists it (ids), with an optional query string. */
export async function listed(as: Caller, channelId: string, query = ''): Promise<string[]> {
  const res = await as.api.get(`/channels/${channelId}/experience${query}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.experience.map((e: { id: string }) => e.id);
}

/** The channel's review queue (ids and reasons). */
export async function reviewQueue(as: Caller, channelId: string): Promise<{ id: string; review: string[] }[]> {
  const res = await as.api.get(`/channels/${channelId}/experience/review`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.experience.map((e: { id: string; review: string[] }) => ({ id: e.id, review: e.review }));
}

/** The channel's events of these types, oldest first. */
export async function eventsOf(server: RunningServer, channelId: string, prefix = 'experience.') {
  const rows = await server.ctx.db.selectFrom('channel_events').selectAll().where('channel_id', '=', channelId).where('type', 'like', `${prefix}%`).orderBy('seq').execute();
  return rows.map((r) => ({ type: r.type, payload: r.payload as any }));
}

/**
 * An entry written straight into the table, with the scope, audience, status
 * and expiry given — states the API reaches only through several steps
 * (promotion, supersession, a source kept from agents). For search tests.
 */
export async function writeEntry(
  server: RunningServer,
  input: {
    orgId: string;
    channelId: string;
    authorId: string;
    title: string;
    body: string;
    scope?: 'channel' | 'org';
    audience?: 'all' | 'humans';
    status?: 'active' | 'deprecated';
    expiresAt?: Date;
  },
): Promise<string> {
  const row = await server.ctx.db
    .insertInto('experience_entries')
    .values({
      org_id: input.orgId,
      channel_id: input.channelId,
      author_id: input.authorId,
      title: input.title,
      body: input.body,
      sources: '[]',
      scope: input.scope ?? 'channel',
      audience: input.audience ?? 'all',
      status: input.status ?? 'active',
      expires_at: input.expiresAt ?? null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}
