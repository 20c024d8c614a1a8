import { Type } from 'typebox';
import type { PinView } from '@chorus/protocol/knowledge';
import type { Pin } from '../../db/schema.js';
import { Nullable, Timestamp } from '../../http/schemas.js';
import { MessageViewSchema } from '../../messages/presenters.js';

export const PinViewSchema = Type.Object({
  message_id: Type.String(),
  channel_id: Type.String(),
  pinned_by: Type.String(),
  pinned_at: Timestamp,
  note: Nullable(Type.String()),
  seq: Type.Integer(),
});

export const PinEntrySchema = Type.Object({ pin: PinViewSchema, message: MessageViewSchema });

export function presentPin(p: Pin): PinView {
  return { message_id: p.message_id, channel_id: p.channel_id, pinned_by: p.pinned_by, pinned_at: p.pinned_at.toISOString(), note: p.note, seq: p.seq };
}
