import { Type } from 'typebox';
import type { User } from '../db/schema.js';
import { Timestamp } from '../http/schemas.js';

export const UserView = Type.Object({ id: Type.String(), email: Type.String(), display_name: Type.String(), created_at: Timestamp });
export const SessionView = Type.Object({ token: Type.String(), expires_at: Timestamp });

export function presentUser(user: User) {
  return { id: user.id, email: user.email, display_name: user.display_name, created_at: user.created_at.toISOString() };
}
