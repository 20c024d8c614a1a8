import { sql } from 'kysely';
import type { AppContext } from '../context.js';
import type { Db, Trx } from '../db/database.js';
import type { ChannelKind } from '../db/schema.js';
import { readersAmong, type ReaderFacts, type Readers } from '../policy/audience.js';

/**
 * Who reads each channel — the reader sets the audience rule compares —
 * computed from memberships at the moment of the decision and cached per
 * process under the channel's `members_epoch`.
 *
 * Every change to who reads a channel bumps that epoch in the change's own
 * transaction (see {@link bumpReaders} and {@link bumpReadersOfMembers}), so a
 * cached set is used only while the rows it was computed from are unchanged,
 * on every node of a cluster: the epoch lives in the database, the cache is
 * merely local. A hit costs one indexed read of the epochs.
 *
 * What bumps: a member added to or removed from the channel (addMemberIn,
 * leaving, removal, the removal of a sponsor's agents); a member's org role
 * changing to or from guest, deactivation and reactivation, an agent's
 * suspension, retirement and return (the member's channels, and for people who
 * are not guests every public channel of the org, whose readers they are); a
 * person joining the org. What does not: channel roles (observers read too), and
 * a person joining a public channel by posting in it (a non-guest person already
 * reads every public channel, so its readers stay the same).
 */

interface Cached {
  epoch: number;
  readers: Readers;
}

/** Enough for every channel of a busy node; the oldest entries go first. */
const maxCached = 20_000;

class ReaderCache {
  readonly #entries = new Map<string, Cached>();
  hits = 0;
  misses = 0;

  get(channelId: string, epoch: number): Readers | undefined {
    const entry = this.#entries.get(channelId);
    return entry?.epoch === epoch ? entry.readers : undefined;
  }

  /** Never replaces a newer epoch's set with an older one computed concurrently. */
  set(channelId: string, epoch: number, readers: Readers): void {
    const entry = this.#entries.get(channelId);
    if (entry && entry.epoch > epoch) return;
    this.#entries.delete(channelId);
    this.#entries.set(channelId, { epoch, readers });
    if (this.#entries.size > maxCached) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
  }
}

const caches = new WeakMap<AppContext, ReaderCache>();

function cacheOf(ctx: AppContext): ReaderCache {
  let cache = caches.get(ctx);
  if (!cache) {
    cache = new ReaderCache();
    caches.set(ctx, cache);
  }
  return cache;
}

/** How often the cache answered, for tests and metrics. */
export function readerCacheStats(ctx: AppContext): { hits: number; misses: number } {
  const cache = cacheOf(ctx);
  return { hits: cache.hits, misses: cache.misses };
}

/**
 * The readers of each channel (unknown ids are left out). Pass the mutation's
 * transaction to decide inside one: it reads through the cache but never fills
 * it, since it may see its own uncommitted membership changes.
 *
 * @example
 * const readers = await readersOf(ctx, [sourceChannelId, targetChannelId]);
 * flowAllowed(readers.get(sourceChannelId)!, readers.get(targetChannelId)!);
 */
export async function readersOf(ctx: AppContext, channelIds: readonly string[], db: Db | Trx = ctx.db): Promise<Map<string, Readers>> {
  const result = new Map<string, Readers>();
  const ids = [...new Set(channelIds)];
  if (ids.length === 0) return result;
  const cache = cacheOf(ctx);
  // The epochs first: a set computed after reading an epoch is at least as new as that epoch.
  const channels = await db.selectFrom('channels').select(['id', 'kind', 'members_epoch']).where('id', 'in', ids).execute();
  const missing: { id: string; kind: ChannelKind; members_epoch: number }[] = [];
  for (const c of channels) {
    const readers = cache.get(c.id, c.members_epoch);
    if (readers) {
      cache.hits += 1;
      result.set(c.id, readers);
    } else {
      cache.misses += 1;
      missing.push(c);
    }
  }
  if (missing.length === 0) return result;

  const facts = await readerFacts(db, missing.map((c) => c.id), missing.filter((c) => c.kind === 'public').map((c) => c.id));
  for (const c of missing) {
    const readers: Readers = readersAmong(c.kind, facts.get(c.id) ?? []);
    result.set(c.id, readers);
    if (!db.isTransaction) cache.set(c.id, c.members_epoch, readers);
  }
  return result;
}

/**
 * The rows that decide who reads each channel, in one statement (one snapshot):
 * the channel's members, and for public channels the org's active people who
 * are not guests. The filter here only narrows the rows; `isReader` decides.
 */
async function readerFacts(db: Db | Trx, channelIds: string[], publicIds: string[]): Promise<Map<string, ReaderFacts[]>> {
  let query = db
    .selectFrom('channel_members as cm')
    .innerJoin('members as m', 'm.id', 'cm.member_id')
    .select(['cm.channel_id', 'm.id', 'm.kind', 'm.role', 'm.status', sql<boolean>`true`.as('in_channel')])
    .where('cm.channel_id', 'in', channelIds);
  if (publicIds.length > 0) {
    query = query.unionAll(
      db
        .selectFrom('channels as c')
        .innerJoin('members as m', 'm.org_id', 'c.org_id')
        .select(['c.id as channel_id', 'm.id', 'm.kind', 'm.role', 'm.status', sql<boolean>`false`.as('in_channel')])
        .where('c.id', 'in', publicIds)
        .where('m.kind', '=', 'human')
        .where('m.role', '!=', 'guest')
        .where('m.status', '=', 'active'),
    );
  }
  const rows = await query.execute();
  const byChannel = new Map<string, ReaderFacts[]>();
  for (const r of rows) {
    const list = byChannel.get(r.channel_id) ?? [];
    list.push({ id: r.id, kind: r.kind, role: r.role, status: r.status, inChannel: r.in_channel });
    byChannel.set(r.channel_id, list);
  }
  return byChannel;
}

/**
 * Marks the channels' reader sets stale, inside the transaction that changes
 * them. Several channels are locked in id order, the order sends lock them in,
 * so the two never deadlock.
 */
export async function bumpReaders(trx: Trx, channelIds: readonly string[]): Promise<void> {
  const ids = [...new Set(channelIds)].sort();
  if (ids.length === 0) return;
  if (ids.length > 1) await trx.selectFrom('channels').select('id').where('id', 'in', ids).orderBy('id').forUpdate().execute();
  await trx
    .updateTable('channels')
    .set((eb) => ({ members_epoch: eb('members_epoch', '+', 1) }))
    .where('id', 'in', ids)
    .execute();
}

/**
 * Members' status or org role changed: the channels they are in read
 * differently, and when `publicToo` (a person who is, or was, not a guest)
 * so does every public channel of the org. All of them are bumped at once, so
 * they are locked in one sorted pass.
 */
export async function bumpReadersOfMembers(trx: Trx, orgId: string, memberIds: readonly string[], publicToo: boolean): Promise<void> {
  if (memberIds.length === 0 && !publicToo) return;
  const ids = new Set<string>();
  if (memberIds.length > 0) {
    const rows = await trx.selectFrom('channel_members').select('channel_id').where('member_id', 'in', [...memberIds]).execute();
    for (const r of rows) ids.add(r.channel_id);
  }
  if (publicToo) {
    const rows = await trx.selectFrom('channels').select('id').where('org_id', '=', orgId).where('kind', '=', 'public').execute();
    for (const r of rows) ids.add(r.id);
  }
  await bumpReaders(trx, [...ids]);
}
