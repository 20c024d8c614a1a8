import { Type } from 'typebox';
import type { MemberView as WireMemberView } from '@chorus/protocol/views';
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
  };
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
