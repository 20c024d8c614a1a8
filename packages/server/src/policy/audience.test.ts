import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Channel, ChannelKind, ChannelMember, Member, MemberKind, MemberStatus, OrgRole, SourceRef } from '../db/schema.js';
import type { Actor } from './actor.js';
import { audienceViolation, canCite, flowAllowed, isReader, readersAmong, type FoundSource, type ReaderFacts } from './audience.js';
import { canSee } from './channel.js';

/** The audience rule as pure functions: every combination of channel kind, org role, member kind, status and membership. */

const channelKinds: ChannelKind[] = ['public', 'private', 'dm', 'group_dm'];
const memberKinds: MemberKind[] = ['human', 'agent'];
const roles: OrgRole[] = ['owner', 'admin', 'member', 'guest'];
const statuses: MemberStatus[] = ['active', 'deactivated', 'suspended', 'retired'];

const set = (...ids: string[]) => new Set(ids);
const noProfile = { status_emoji: null, status_text: null, status_expires_at: null, avatar_version: null, desktop_notifications: 'mentions' } as const;

function member(id: string, kind: MemberKind, role: OrgRole, status: MemberStatus): Member {
  return { id, org_id: 'org', kind, user_id: kind === 'human' ? `user-${id}` : null, handle: id, display_name: id, role, status, created_at: new Date(0), ...noProfile };
}

function channel(id: string, kind: ChannelKind): Channel {
  return {
    id,
    org_id: 'org',
    kind,
    name: kind === 'public' || kind === 'private' ? id : null,
    topic: '',
    dm_key: null,
    created_by: 'owner',
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
  };
}

function membership(channelId: string, memberId: string): ChannelMember {
  return { channel_id: channelId, member_id: memberId, role: 'member', joined_at: new Date(0), joined_seq: 0, last_read_seq: 0 };
}

describe('flowAllowed: readers(target) ⊆ readers(source)', () => {
  it('answers by inclusion, whatever the sizes', () => {
    expect(flowAllowed(set('x', 'y'), set('x', 'y'))).toBe(true);
    expect(flowAllowed(set('x', 'y', 'z'), set('x', 'y'))).toBe(true);
    expect(flowAllowed(set('x', 'y'), set('x', 'y', 'z'))).toBe(false);
    expect(flowAllowed(set('x', 'y'), set('x', 'z'))).toBe(false);
    expect(flowAllowed(set('x'), set())).toBe(true);
    expect(flowAllowed(set(), set())).toBe(true);
    expect(flowAllowed(set(), set('x'))).toBe(false);
  });

  const ids = fc.uniqueArray(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g'), { maxLength: 7 }).map((xs) => new Set(xs));

  it('is exactly set inclusion', () => {
    fc.assert(fc.property(ids, ids, (s, t) => flowAllowed(s, t) === [...t].every((id) => s.has(id))));
  });

  it('is reflexive and transitive: a channel may always cite itself, and flows compose', () => {
    fc.assert(fc.property(ids, (s) => flowAllowed(s, s)));
    fc.assert(fc.property(ids, ids, ids, (a, b, c) => !(flowAllowed(a, b) && flowAllowed(b, c)) || flowAllowed(a, c)));
  });

  it('never lets information reach a reader of the target who could not read the source', () => {
    fc.assert(
      fc.property(ids, ids, (s, t) => {
        const outsider = [...t].some((id) => !s.has(id));
        return flowAllowed(s, t) === !outsider;
      }),
    );
  });
});

describe('readers of a channel', () => {
  const expected = (kind: ChannelKind, m: ReaderFacts) =>
    m.status === 'active' && (m.inChannel || (kind === 'public' && m.kind === 'human' && m.role !== 'guest'));

  it('are its active members, and for a public channel every active person who is not a guest — in every combination', () => {
    let cases = 0;
    for (const kind of channelKinds)
      for (const memberKind of memberKinds)
        for (const role of roles)
          for (const status of statuses)
            for (const inChannel of [true, false]) {
              const facts: ReaderFacts = { id: 'm', kind: memberKind, role, status, inChannel };
              expect(isReader(kind, facts), JSON.stringify({ channel: kind, ...facts })).toBe(expected(kind, facts));
              cases += 1;
            }
    expect(cases).toBe(4 * 2 * 4 * 4 * 2);
  });

  it('are exactly the active members the channel boundary lets see the channel (canSee)', () => {
    for (const kind of channelKinds)
      for (const memberKind of memberKinds)
        for (const role of roles)
          for (const status of statuses)
            for (const inChannel of [true, false]) {
              const m = member('m', memberKind, role, status);
              const c = channel('c', kind);
              const sees = canSee({ actor: { member: m, scopes: 'all' }, channel: c, membership: inChannel ? membership('c', 'm') : null }).allowed;
              expect(isReader(kind, { id: 'm', kind: memberKind, role, status, inChannel }), JSON.stringify({ kind, memberKind, role, status, inChannel })).toBe(
                status === 'active' && sees,
              );
            }
  });

  it('count a member once, as a reader if any of its rows says so', () => {
    const rows: ReaderFacts[] = [
      { id: 'g', kind: 'human', role: 'guest', status: 'active', inChannel: false },
      { id: 'g', kind: 'human', role: 'guest', status: 'active', inChannel: true },
      { id: 'x', kind: 'human', role: 'member', status: 'active', inChannel: false },
      { id: 'x', kind: 'human', role: 'member', status: 'active', inChannel: true },
    ];
    expect(readersAmong('public', rows)).toEqual(set('g', 'x'));
    expect(readersAmong('private', rows)).toEqual(set('g', 'x'));
    expect(readersAmong('private', rows.filter((r) => !r.inChannel))).toEqual(set());
  });
});

/**
 * One org, and what may flow between its channels. People: owner O, members X, Y, Z, guest G,
 * deactivated D (a member of everything it was in). Agents: A (active), S (suspended).
 */
describe('flows between channels of an org', () => {
  const org: Omit<ReaderFacts, 'inChannel'>[] = [
    { id: 'O', kind: 'human', role: 'owner', status: 'active' },
    { id: 'X', kind: 'human', role: 'member', status: 'active' },
    { id: 'Y', kind: 'human', role: 'member', status: 'active' },
    { id: 'Z', kind: 'human', role: 'admin', status: 'active' },
    { id: 'G', kind: 'human', role: 'guest', status: 'active' },
    { id: 'D', kind: 'human', role: 'member', status: 'deactivated' },
    { id: 'A', kind: 'agent', role: 'member', status: 'active' },
    { id: 'S', kind: 'agent', role: 'member', status: 'suspended' },
  ];
  const channels: Record<string, { kind: ChannelKind; members: string[] }> = {
    general: { kind: 'public', members: ['O', 'X', 'Y', 'Z', 'D'] },
    withAgent: { kind: 'public', members: ['X', 'A'] },
    withGuest: { kind: 'public', members: ['X', 'G'] },
    withGuestAndAgent: { kind: 'public', members: ['X', 'G', 'A'] },
    team: { kind: 'private', members: ['X', 'Y'] },
    teamWithAgent: { kind: 'private', members: ['X', 'Y', 'A'] },
    teamWithSuspended: { kind: 'private', members: ['X', 'Y', 'S'] },
    teamWithDeactivated: { kind: 'private', members: ['X', 'Y', 'D'] },
    teamWithGuest: { kind: 'private', members: ['X', 'Y', 'G'] },
    dmXY: { kind: 'dm', members: ['X', 'Y'] },
    dmXA: { kind: 'dm', members: ['X', 'A'] },
    groupXYZ: { kind: 'group_dm', members: ['X', 'Y', 'Z'] },
    groupXYA: { kind: 'group_dm', members: ['X', 'Y', 'A'] },
  };
  const readers = (name: string) => {
    const c = channels[name];
    if (!c) throw new Error(name);
    return readersAmong(c.kind, org.map((m) => ({ ...m, inChannel: c.members.includes(m.id) })));
  };
  const flows = (from: string, to: string) => flowAllowed(readers(from), readers(to));

  it('computes each channel’s readers', () => {
    expect(readers('general')).toEqual(set('O', 'X', 'Y', 'Z'));
    expect(readers('withAgent')).toEqual(set('O', 'X', 'Y', 'Z', 'A'));
    expect(readers('withGuest')).toEqual(set('O', 'X', 'Y', 'Z', 'G'));
    expect(readers('teamWithSuspended')).toEqual(set('X', 'Y'));
    expect(readers('teamWithDeactivated')).toEqual(set('X', 'Y'));
    expect(readers('dmXA')).toEqual(set('X', 'A'));
  });

  it('keeps private words out of wider channels, and lets public words into narrower ones', () => {
    expect(flows('team', 'general')).toBe(false);
    expect(flows('general', 'team')).toBe(true);
    expect(flows('teamWithAgent', 'withAgent')).toBe(false);
    expect(flows('withAgent', 'teamWithAgent')).toBe(true);
  });

  it('counts agents as readers: what they could not read does not reach them', () => {
    expect(flows('team', 'teamWithAgent')).toBe(false);
    expect(flows('teamWithAgent', 'team')).toBe(true);
    expect(flows('general', 'withAgent')).toBe(false);
    expect(flows('withAgent', 'general')).toBe(true);
    expect(flows('dmXY', 'groupXYA')).toBe(false);
    expect(flows('groupXYA', 'teamWithAgent')).toBe(true);
  });

  it('counts guests only where they are members', () => {
    expect(flows('general', 'withGuest')).toBe(false);
    expect(flows('withGuest', 'general')).toBe(true);
    expect(flows('withGuest', 'teamWithGuest')).toBe(true);
    expect(flows('teamWithGuest', 'withGuest')).toBe(false);
    expect(flows('withGuest', 'withAgent')).toBe(false);
    expect(flows('withAgent', 'withGuest')).toBe(false);
    expect(flows('withGuestAndAgent', 'withGuest')).toBe(true);
  });

  it('ignores deactivated and suspended members on either side', () => {
    expect(flows('teamWithDeactivated', 'team')).toBe(true);
    expect(flows('team', 'teamWithDeactivated')).toBe(true);
    expect(flows('teamWithSuspended', 'team')).toBe(true);
    expect(flows('team', 'teamWithSuspended')).toBe(true);
  });

  it('lets direct messages flow only to the same people or fewer', () => {
    expect(flows('dmXY', 'team')).toBe(true);
    expect(flows('team', 'dmXY')).toBe(true);
    expect(flows('groupXYZ', 'dmXY')).toBe(true);
    expect(flows('dmXY', 'groupXYZ')).toBe(false);
    expect(flows('general', 'groupXYZ')).toBe(true);
    expect(flows('groupXYZ', 'general')).toBe(false);
    expect(flows('dmXA', 'teamWithAgent')).toBe(false);
    expect(flows('teamWithAgent', 'dmXA')).toBe(true);
  });

  it('lets every channel cite itself', () => {
    for (const name of Object.keys(channels)) expect(flows(name, name), name).toBe(true);
  });
});

describe('canCite: the sources of a post', () => {
  const person: Actor = { member: member('X', 'human', 'member', 'active'), scopes: 'all' };
  const agent: Actor = { member: member('A', 'agent', 'member', 'active'), scopes: new Set(['messages:write']) };
  const ref = (id: string, type: SourceRef['type'] = 'message'): SourceRef => ({ type, id });
  const ok = (id: string): FoundSource => ({ ref: ref(id), found: true, readableByAuthor: true, readers: set('X', 'Y', 'A') });
  const target = set('X', 'A');

  it('never blocks a person', () => {
    expect(canCite(person, [{ ref: ref('gone'), found: false }, { ref: ref('wide'), found: true, readableByAuthor: false, readers: set() }], set('X', 'Z'))).toEqual({ allowed: true });
  });

  it('allows an agent’s sources that it could read and that every reader of the channel could read', () => {
    expect(canCite(agent, [], target)).toEqual({ allowed: true });
    expect(canCite(agent, [ok('m1'), ok('m2')], target)).toEqual({ allowed: true });
  });

  it('refuses an agent’s post on its first offending source, alike whatever the reason', () => {
    const narrower: FoundSource = { ref: ref('narrow'), found: true, readableByAuthor: true, readers: set('A') };
    const unreadable: FoundSource = { ref: ref('humans-only'), found: true, readableByAuthor: false, readers: set('X', 'Y', 'A') };
    const unknown: FoundSource = { ref: ref('nowhere', 'doc'), found: false };
    expect(canCite(agent, [ok('m1'), narrower, unknown], target)).toEqual(audienceViolation(ref('narrow')));
    expect(canCite(agent, [unreadable, narrower], target)).toEqual(audienceViolation(ref('humans-only')));
    expect(canCite(agent, [unknown], target)).toEqual(audienceViolation(ref('nowhere', 'doc')));
    const denial = canCite(agent, [unknown], target);
    expect(denial).toMatchObject({ allowed: false, status: 403, code: 'audience_violation', details: { source: { type: 'doc', id: 'nowhere' } } });
  });
});
