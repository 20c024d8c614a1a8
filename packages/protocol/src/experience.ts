/**
 * Experience on the wire: distilled, reusable lessons with provenance, an
 * owner, a scope, a lifecycle and a quality record (DESIGN §2.3).
 */

export type ExperienceScope = 'channel' | 'org';
/** What is stored; `expired` is computed from `expires_at` at every read. */
export type StoredExperienceStatus = 'active' | 'deprecated' | 'superseded';
export type ExperienceStatus = StoredExperienceStatus | 'expired';
export type ExperienceVote = 'endorse' | 'flag';
export type ExperienceOutcome = 'helpful' | 'unhelpful';
/** Why an entry is in a review queue. */
export type ReviewReason = 'review_due' | 'low_score';

/** A source an entry was distilled from. */
export interface ProvenanceView {
  type: 'message' | 'thread' | 'doc';
  id: string;
  channel_id: string;
}

export interface ExperienceQuality {
  endorsements: number;
  flags: number;
  helpful: number;
  unhelpful: number;
  use_count: number;
  /** The documented quality score in [0, 1] (docs/EXPERIENCE.md): 0.5 with no signals. */
  score: number;
}

export interface ExperienceView {
  id: string;
  org_id: string;
  /** The origin channel: with the author, it owns the entry. */
  channel_id: string;
  author_id: string;
  title: string;
  body: string;
  tags: string[];
  sources: ProvenanceView[];
  /** `humans` when a source was kept from agents: the entry never reaches an agent either. */
  audience: 'all' | 'humans';
  scope: ExperienceScope;
  status: ExperienceStatus;
  superseded_by: string | null;
  expires_at: string | null;
  review_by: string | null;
  confirmed_at: string | null;
  promoted_at: string | null;
  promoted_by: string | null;
  promotion_override: boolean;
  quality: ExperienceQuality;
  /** Why the entry awaits review now, if it does. */
  review: ReviewReason[];
  created_at: string;
  updated_at: string;
}

/** What channel events say about an entry: ids and state only; the content is read through the API, by whoever may read it. */
export interface ExperienceRef {
  id: string;
  channel_id: string;
  author_id: string;
  scope: ExperienceScope;
  status: ExperienceStatus;
  /** `humans`: the entry never reaches an agent; a gateway may skip the event for agents. */
  audience: 'all' | 'humans';
}

/** An entry in a context bundle, ranked for the task at hand; cite it as `{ type: 'experience', id }`. */
export interface ContextExperience {
  type: 'experience';
  id: string;
  title: string;
  body: string;
  tags: string[];
  scope: ExperienceScope;
  channel_id: string;
  /** relevance × quality × freshness, as ranked (docs/EXPERIENCE.md). */
  rank: number;
  score: number;
}

export interface ExperienceInsights {
  most_used: ExperienceView[];
  best_rated: ExperienceView[];
  due_for_review: ExperienceView[];
}
