import type { Member } from '../db/schema.js';
import { isHuman, type Actor } from './actor.js';
import type { ChannelAccess } from './channel.js';
import { canSee } from './channel.js';
import { all, allow, deny, hidden, type Decision } from './decision.js';
import { canManageAgent } from './org.js';

/**
 * Profiles (display name, avatar, custom status) and notification preferences.
 * A person changes their own profile; an agent's profile is its sponsor's (or an
 * org admin's) to change, like the rest of the agent. Agents change no profile,
 * their own included: what they are called is their sponsor's decision.
 */
export function canEditProfile(actor: Actor, target: Member, sponsorId: string | null): Decision {
  return all(
    () => (isHuman(actor) ? allow : deny(403, 'agents_not_allowed', 'Agents cannot change profiles.')),
    () => {
      if (target.kind === 'agent') return canManageAgent(actor, sponsorId ?? '');
      return target.id === actor.member.id ? allow : deny(403, 'not_yourself', 'Only the person themselves can change their profile.');
    },
  );
}

/** Muting is a member's own view of a channel it belongs to. */
export function canMuteChannel(a: ChannelAccess): Decision {
  if (a.membership) return allow;
  return canSee(a).allowed ? deny(409, 'not_a_member', 'Join the channel first.') : hidden('channel');
}
