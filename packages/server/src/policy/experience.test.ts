import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Channel, ChannelKind, ChannelMember, ExperienceScope, Member, MemberKind, MemberStatus, OrgRole } from '../db/schema.js';
import type { Actor } from './actor.js';
import { flowAllowed, readersAmong, type Readers } from './audience.js';
import { readsEntry } from './experience.js';

/**
 * The experience reader rule as a property over generated orgs: whoever the
 * policy lets read an entry is among its readers, and an agent working in a
 * channel B (a task token) is never let read an entry whose readers do not
 * include every reader of B — the audience rule the bundle and every route rely on.
 */

const member = (id: string, kind: MemberKind, role: OrgRole, status: MemberStatus): Member => ({
  id,
  org_id: 'org',
  kind,
  user_id: kind === 'human' ? `user-${id}` : null,
  handle: id,
  display_name: id,
  role,
  status,
  created_at: new Date(0),
  status_emoji: null,
  status_text: null,
  status_expires_at: null,
  avatar_version: null,
  desktop_notifications: 'mentions',
});

const channel = (id: string, kind: ChannelKind): Channel => ({
  id,
  org_id: 'org',
  kind,
  name: id,
  topic: '',
  dm_key: null,
  created_by: 'm0',
  created_at: new Date(0),
  archived_at: null,
  who_may_post: 'members',
  who_may_add_agents: 'members',
  who_may_pin: 'members',
  history_for_new_members: 'all',
  last_seq: 0,
  agent_access: 'full',
  agent_history_days: null,
  reasoning_visibility: 'members',
  agents_see_reasoning: false,
  members_epoch: 0,
});

const membership = (channelId: string, memberId: string): ChannelMember => ({ channel_id: channelId, member_id: memberId, role: 'member', joined_at: new Date(0), joined_seq: 0, last_read_seq: 0 });

const world = fc.record({
  members: fc.array(
    fc.record({
      kind: fc.constantFrom<MemberKind>('human', 'agent'),
      role: fc.constantFrom<OrgRole>('owner', 'admin', 'member', 'guest'),
      status: fc.constantFrom<MemberStatus>('active', 'active', 'deactivated', 'suspended'),
    }),
    { minLength: 1, maxLength: 6 },
  ),
  channels: fc.array(fc.record({ kind: fc.constantFrom<ChannelKind>('public', 'private', 'group_dm'), in: fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }) }), { minLength: 1, maxLength: 3 }),
  entry: fc.record({ scope: fc.constantFrom<ExperienceScope>('channel', 'org'), origin: fc.nat(), audience: fc.constantFrom<'all' | 'humans'>('all', 'humans') }),
  reader: fc.nat(),
  boundary: fc.option(fc.nat(), { nil: undefined }),
});

type World = typeof world extends fc.Arbitrary<infer T> ? T : never;

function build(w: World) {
  const members = w.members.map((m, i) => member(`m${i}`, m.kind, m.role, m.status));
  const channels = w.channels.map((c, i) => channel(`c${i}`, c.kind));
  const inChannel = (ci: number, mi: number) => w.channels[ci]?.in[mi] === true;
  const readers = (ci: number): Readers =>
    readersAmong(
      channels[ci]?.kind ?? 'private',
      members.map((m, mi) => ({ id: m.id, kind: m.kind, role: m.role, status: m.status, inChannel: inChannel(ci, mi) })),
    );
  const orgReaders: Readers = new Set(members.filter((m) => m.status === 'active' && m.role !== 'guest').map((m) => m.id));
  const origin = w.entry.origin % channels.length;
  const entry = { author_id: 'm0', scope: w.entry.scope, audience: w.entry.audience };
  let entryReaders = new Set(entry.scope === 'org' ? orgReaders : readers(origin));
  if (entry.audience === 'humans') entryReaders = new Set([...entryReaders].filter((id) => members.find((m) => m.id === id)?.kind === 'human'));
  return { members, channels, inChannel, readers, orgReaders, origin, entry, entryReaders };
}

describe('who reads an experience entry', () => {
  it('lets in only its readers, and an agent working in B only what every reader of B reads', () => {
    fc.assert(
      fc.property(world, (w) => {
        const { members, channels, inChannel, readers, orgReaders, origin, entry, entryReaders } = build(w);
        const ri = w.reader % members.length;
        const reader = members[ri] as Member;
        // Inactive members are refused before any entry rule (canEnterOrgForChannel).
        if (reader.status !== 'active') return;
        const originChannel = channels[origin] as Channel;
        // A task token: the agent works in a channel it is a member of.
        const bi = w.boundary === undefined ? undefined : w.boundary % channels.length;
        const working = reader.kind === 'agent' && bi !== undefined && inChannel(bi, ri) ? bi : undefined;
        const actor: Actor = working === undefined ? { member: reader, scopes: 'all' } : { member: reader, scopes: 'all', boundary: { taskId: 't', channelId: `c${working}`, threadRootId: null } };
        const boundaryCovered = working !== undefined && flowAllowed(orgReaders, readers(working));
        const reads = readsEntry({
          actor,
          entry,
          origin: { actor, channel: originChannel, membership: inChannel(origin, ri) ? membership(originChannel.id, reader.id) : null },
          boundaryCovered,
        });
        if (reads) {
          expect(entryReaders.has(reader.id)).toBe(true);
          if (working !== undefined) expect(flowAllowed(entryReaders, readers(working))).toBe(true);
        }
        // People who are among an entry's readers read it.
        if (reader.kind === 'human' && entryReaders.has(reader.id)) expect(reads).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});
