import { Type } from 'typebox';
import type { CustomStatus, MemberView as WireMemberView } from '@chorus/protocol/views';
import type { Invite, Member, Org } from '../db/schema.js';
import { Nullable, Timestamp } from '../http/schemas.js';

export const MemberKindSchema = Type.Union([Type.Literal('human'), Type.Literal('agent')]);
export const OrgRoleSchema = Type.Union([Type.Literal('owner'), Type.Literal('admin'), Type.Literal('member'), Type.Literal('guest')]);

export const MemberView = Type.Object({
  id: Type.String(),
  org_id: Type.String(),
  kind: MemberKindSchema,
  handle: Type.String(),
  display_name: Type.String(),
  role: OrgRoleSchema,
  status: Type.String(),
  created_at: Timestamp,
  avatar_url: Nullable(Type.String()),
  custom_status: Nullable(Type.Object({ emoji: Type.String(), text: Type.String(), expires_at: Nullable(Timestamp) })),
});

export const OrgView = Type.Object({ id: Type.String(), name: Type.String(), slug: Type.String(), created_at: Timestamp });

export const InviteView = Type.Object({
  id: Type.String(),
  org_id: Type.String(),
  role: OrgRoleSchema,
  created_by: Type.String(),
  created_at: Timestamp,
  expires_at: Timestamp,
  max_uses: Type.Integer(),
  uses: Type.Integer(),
  revoked_at: Nullable(Timestamp),
});

export function presentMember(m: Member): WireMemberView {
  return {
    id: m.id,
    org_id: m.org_id,
    kind: m.kind,
    handle: m.handle,
    display_name: m.display_name,
    role: m.role,
    status: m.status,
    created_at: m.created_at.toISOString(),
    avatar_url: avatarUrl(m),
    custom_status: customStatus(m),
  };
}

/** The avatar's path under the API prefix; the version makes each image's URL unique, so clients cache it for good. */
export function avatarUrl(m: Pick<Member, 'id' | 'org_id' | 'avatar_version'>): string | null {
  return m.avatar_version ? `/orgs/${m.org_id}/members/${m.id}/avatar?v=${m.avatar_version}` : null;
}

/** The custom status as people see it: none once it has expired (a cleared status needs no sweep). */
export function customStatus(m: Pick<Member, 'status_emoji' | 'status_text' | 'status_expires_at'>, now = new Date()): CustomStatus | null {
  if (m.status_emoji === null && m.status_text === null) return null;
  if (m.status_expires_at && m.status_expires_at <= now) return null;
  return { emoji: m.status_emoji ?? '', text: m.status_text ?? '', expires_at: m.status_expires_at?.toISOString() ?? null };
}

export function presentOrg(o: Org) {
  return { id: o.id, name: o.name, slug: o.slug, created_at: o.created_at.toISOString() };
}

export function presentInvite(i: Invite) {
  return {
    id: i.id,
    org_id: i.org_id,
    role: i.role,
    created_by: i.created_by,
    created_at: i.created_at.toISOString(),
    expires_at: i.expires_at.toISOString(),
    max_uses: i.max_uses,
    uses: i.uses,
    revoked_at: i.revoked_at?.toISOString() ?? null,
  };
}
