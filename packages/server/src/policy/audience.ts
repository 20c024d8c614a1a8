import type { ChannelKind, MemberKind, MemberStatus, OrgRole, SourceRef } from '../db/schema.js';
import { isAgent, type Actor } from './actor.js';
import { allow, deny, type Decision } from './decision.js';

/**
 * The audience rule (DESIGN §2.2): information may flow into a channel only if
 * everyone who can read that channel could already read the information's source.
 *
 *     allowed(source s → channel c)  ⇔  readers(c) ⊆ readers(s)
 *
 * Pure functions: the reader sets come from `channels/readers.ts`, which
 * computes them from memberships with {@link isReader} and caches them per
 * channel and `members_epoch`.
 */

/** Member ids. */
export type Readers = ReadonlySet<string>;

/**
 * Whether what `readersOfSource` may read may be shown to `readersOfTarget`.
 *
 * @example
 * flowAllowed(readersOf(teamChannel), readersOf(publicChannel)) // false: the org would see the team's words
 * flowAllowed(readersOf(publicChannel), readersOf(teamChannel)) // true: the team could read them anyway
 */
export function flowAllowed(readersOfSource: Readers, readersOfTarget: Readers): boolean {
  if (readersOfTarget.size > readersOfSource.size) return false;
  for (const id of readersOfTarget) if (!readersOfSource.has(id)) return false;
  return true;
}

/** What decides whether one member reads a channel. */
export interface ReaderFacts {
  id: string;
  kind: MemberKind;
  role: OrgRole;
  status: MemberStatus;
  /** Whether the member has a row in the channel's members. */
  inChannel: boolean;
}

/**
 * Whether the member reads a channel of this kind now: an active member of it,
 * or, for a public channel, any active person in the org who is not a guest —
 * exactly whom `canSee` lets in. Agents read only where they were added;
 * deactivated, suspended and retired members read nothing.
 */
export function isReader(channelKind: ChannelKind, m: ReaderFacts): boolean {
  if (m.status !== 'active') return false;
  if (m.inChannel) return true;
  return channelKind === 'public' && m.kind === 'human' && m.role !== 'guest';
}

/** The readers among `candidates` (a member listed twice counts once, as a reader if either row says so). */
export function readersAmong(channelKind: ChannelKind, candidates: Iterable<ReaderFacts>): Set<string> {
  const readers = new Set<string>();
  for (const c of candidates) if (isReader(channelKind, c)) readers.add(c.id);
  return readers;
}

/**
 * A source an agent's post declares, as the server found it: whether the agent
 * could read it itself (the channel boundary and the channel's read rules,
 * `policy/agent-reads.ts`), and who reads the channel it is in.
 */
export type FoundSource =
  | { ref: SourceRef; found: false }
  | { ref: SourceRef; found: true; readableByAuthor: boolean; readers: Readers };

/** The refusal names the source; whether it exists, and where, is not said. */
export function audienceViolation(ref: SourceRef): Decision {
  return deny(403, 'audience_violation', `This post draws on ${ref.type} ${ref.id}, which not everyone who reads this channel may read.`, {
    source: { type: ref.type, id: ref.id },
  });
}

/**
 * May this post carry these sources into a channel read by `targetReaders`?
 * People's posts are not blocked: people carry their own judgement. An agent's
 * post is refused on its first source that is unknown, that the agent could not
 * read itself, or whose readers do not include every reader of the channel.
 */
export function canCite(author: Actor, sources: readonly FoundSource[], targetReaders: Readers): Decision {
  if (!isAgent(author)) return allow;
  for (const s of sources) {
    if (!s.found || !s.readableByAuthor || !flowAllowed(s.readers, targetReaders)) return audienceViolation(s.ref);
  }
  return allow;
}
