import type { ExperienceQuality } from '@chorus/protocol/experience';
import { sql } from 'kysely';
import type { Db, Trx } from '../db/database.js';
import type { ExperienceEntry } from '../db/schema.js';

/**
 * The quality score of an entry and the ranking built on it (documented in
 * docs/EXPERIENCE.md, "Quality score"):
 *
 *     w(signal)  = 0.5 ^ (age of the signal / 90 days)                    each signal fades
 *     positive   = Σ w over endorsements and `helpful` reports
 *     negative   = Σ w over flags and `unhelpful` reports
 *     score      = (positive + 1) / (positive + negative + 2)            a Bayesian average, prior 1/2
 *     freshness  = 0.5 ^ (days since the entry was last edited or confirmed / 180)
 *     rank       = relevance (ts_rank for the task text; 1 without one) × score × freshness
 *
 * An entry with no signals scores 0.5. Below {@link poorScore} it is ranked down
 * by the product and joins the review queue until a person confirms it again.
 */
export const signalHalfLifeDays = 90;
export const freshnessHalfLifeDays = 180;
export const poorScore = 0.3;
const dayMs = 86_400_000;

export interface Signals {
  endorsements: number;
  flags: number;
  helpful: number;
  unhelpful: number;
  /** Decayed sums. */
  positive: number;
  negative: number;
}

export const noSignals: Signals = { endorsements: 0, flags: 0, helpful: 0, unhelpful: 0, positive: 0, negative: 0 };

export function score(s: Pick<Signals, 'positive' | 'negative'>): number {
  return (s.positive + 1) / (s.positive + s.negative + 2);
}

export function freshness(entry: Pick<ExperienceEntry, 'updated_at' | 'confirmed_at'>, now: Date): number {
  const since = Math.max(entry.updated_at.getTime(), entry.confirmed_at?.getTime() ?? 0);
  return 0.5 ** (Math.max(0, now.getTime() - since) / dayMs / freshnessHalfLifeDays);
}

/** A poor score counts only once negative signals arrived after the last confirmation. */
export function isPoor(entry: Pick<ExperienceEntry, 'last_negative_at' | 'confirmed_at'>, s: Signals): boolean {
  if (score(s) >= poorScore || !entry.last_negative_at) return false;
  return !entry.confirmed_at || entry.last_negative_at > entry.confirmed_at;
}

export function qualityOf(entry: Pick<ExperienceEntry, 'use_count'>, s: Signals): ExperienceQuality {
  return { endorsements: s.endorsements, flags: s.flags, helpful: s.helpful, unhelpful: s.unhelpful, use_count: entry.use_count, score: score(s) };
}

/** The signals of each entry, in one statement: counts and decayed sums of votes and reports. */
export async function signalsOf(db: Db | Trx, entryIds: readonly string[]): Promise<Map<string, Signals>> {
  const result = new Map<string, Signals>();
  if (entryIds.length === 0) return result;
  const halfLife = signalHalfLifeDays * 86_400;
  const rows = await db
    .selectFrom(
      db
        .selectFrom('experience_votes')
        .select(['entry_id', sql<string>`vote`.as('kind'), 'created_at'])
        .where('entry_id', 'in', entryIds)
        .unionAll(db.selectFrom('experience_reports').select(['entry_id', sql<string>`outcome`.as('kind'), 'created_at']).where('entry_id', 'in', entryIds))
        .as('s'),
    )
    .select([
      's.entry_id',
      's.kind',
      sql<number>`count(*)::int`.as('n'),
      sql<number>`sum(power(0.5, extract(epoch from (now() - s.created_at)) / ${halfLife}))::float8`.as('weight'),
    ])
    .groupBy(['s.entry_id', 's.kind'])
    .execute();
  for (const r of rows) {
    const s = result.get(r.entry_id) ?? { ...noSignals };
    if (r.kind === 'endorse') s.endorsements = r.n;
    else if (r.kind === 'flag') s.flags = r.n;
    else if (r.kind === 'helpful') s.helpful = r.n;
    else s.unhelpful = r.n;
    if (r.kind === 'endorse' || r.kind === 'helpful') s.positive += r.weight;
    else s.negative += r.weight;
    result.set(r.entry_id, s);
  }
  return result;
}
