import { Type } from 'typebox';
import type { ContextExperience, ExperienceRef, ExperienceView, ReviewReason } from '@chorus/protocol/experience';
import type { ExperienceEntry } from '../db/schema.js';
import { Nullable, Timestamp } from '../http/schemas.js';
import { statusAt } from './access.js';
import { isPoor, noSignals, qualityOf, type Signals } from './quality.js';


export const ExperienceStatusSchema = Type.Union([Type.Literal('active'), Type.Literal('deprecated'), Type.Literal('superseded'), Type.Literal('expired')]);
export const ExperienceScopeSchema = Type.Union([Type.Literal('channel'), Type.Literal('org')]);

export const ExperienceViewSchema = Type.Object({
  id: Type.String(),
  org_id: Type.String(),
  channel_id: Type.String(),
  author_id: Type.String(),
  title: Type.String(),
  body: Type.String(),
  tags: Type.Array(Type.String()),
  sources: Type.Array(Type.Object({ type: Type.Union([Type.Literal('message'), Type.Literal('thread'), Type.Literal('doc')]), id: Type.String(), channel_id: Type.String() })),
  audience: Type.Union([Type.Literal('all'), Type.Literal('humans')]),
  scope: ExperienceScopeSchema,
  status: ExperienceStatusSchema,
  superseded_by: Nullable(Type.String()),
  expires_at: Nullable(Timestamp),
  review_by: Nullable(Timestamp),
  confirmed_at: Nullable(Timestamp),
  promoted_at: Nullable(Timestamp),
  promoted_by: Nullable(Type.String()),
  promotion_override: Type.Boolean(),
  quality: Type.Object({
    endorsements: Type.Integer(),
    flags: Type.Integer(),
    helpful: Type.Integer(),
    unhelpful: Type.Integer(),
    use_count: Type.Integer(),
    score: Type.Number(),
  }),
  review: Type.Array(Type.Union([Type.Literal('review_due'), Type.Literal('low_score')])),
  created_at: Timestamp,
  updated_at: Timestamp,
});

export const ContextExperienceSchema = Type.Object({
  type: Type.Literal('experience'),
  id: Type.String(),
  title: Type.String(),
  body: Type.String(),
  tags: Type.Array(Type.String()),
  scope: ExperienceScopeSchema,
  channel_id: Type.String(),
  rank: Type.Number(),
  score: Type.Number(),
});

export const EntryResponse = Type.Object({ experience: ExperienceViewSchema });
export const EntryListResponse = Type.Object({ experience: Type.Array(ExperienceViewSchema) });

/** Why a current entry awaits review at `now`: its review date passed, or its score is poor since it was last confirmed. */
export function reviewReasons(entry: ExperienceEntry, signals: Signals, now: Date): ReviewReason[] {
  if (statusAt(entry, now) !== 'active') return [];
  const reasons: ReviewReason[] = [];
  if (entry.review_by && entry.review_by <= now) reasons.push('review_due');
  if (isPoor(entry, signals)) reasons.push('low_score');
  return reasons;
}

export function presentEntry(entry: ExperienceEntry, signals: Signals = noSignals, now = new Date()): ExperienceView {
  return {
    id: entry.id,
    org_id: entry.org_id,
    channel_id: entry.channel_id,
    author_id: entry.author_id,
    title: entry.title,
    body: entry.body,
    tags: entry.tags,
    sources: entry.sources,
    audience: entry.audience,
    scope: entry.scope,
    status: statusAt(entry, now),
    superseded_by: entry.superseded_by,
    expires_at: entry.expires_at?.toISOString() ?? null,
    review_by: entry.review_by?.toISOString() ?? null,
    confirmed_at: entry.confirmed_at?.toISOString() ?? null,
    promoted_at: entry.promoted_at?.toISOString() ?? null,
    promoted_by: entry.promoted_by,
    promotion_override: entry.promotion_override,
    quality: qualityOf(entry, signals),
    review: reviewReasons(entry, signals, now),
    created_at: entry.created_at.toISOString(),
    updated_at: entry.updated_at.toISOString(),
  };
}

export function refOf(entry: ExperienceEntry, now = new Date()): ExperienceRef {
  return { id: entry.id, channel_id: entry.channel_id, author_id: entry.author_id, scope: entry.scope, status: statusAt(entry, now), audience: entry.audience };
}

export function presentContextEntry(entry: ExperienceEntry, rank: number, score: number): ContextExperience {
  return { type: 'experience', id: entry.id, title: entry.title, body: entry.body, tags: entry.tags, scope: entry.scope, channel_id: entry.channel_id, rank, score };
}
