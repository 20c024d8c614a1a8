import { Type } from 'typebox';
import { Compile } from 'typebox/compile';
import type { ClientFrame } from '@chorus/protocol/frames';
import { postOptions } from '../messages/schemas.js';
import { maxBodyLength } from '../messages/service.js';

/** Schemas of what a client may send over the socket; anything else is a protocol error. */

const Id = Type.String({ format: 'uuid' });
const Seq = Type.Integer({ minimum: 0 });
const closed = { additionalProperties: false } as const;

const ClientFrameSchema = Type.Union([
  Type.Object(
    {
      type: Type.Literal('hello'),
      token: Type.String({ minLength: 1, maxLength: 200 }),
      org_id: Type.Optional(Id),
      cursors: Type.Optional(Type.Record(Type.String({ format: 'uuid' }), Seq)),
    },
    closed,
  ),
  Type.Object({ type: Type.Literal('subscribe'), channel_id: Id, after_seq: Type.Optional(Seq) }, closed),
  Type.Object({ type: Type.Literal('unsubscribe'), channel_id: Id }, closed),
  Type.Object(
    {
      type: Type.Literal('send'),
      request_id: Type.String({ minLength: 1, maxLength: 64 }),
      channel_id: Id,
      body: Type.String({ minLength: 1, maxLength: maxBodyLength, pattern: '\\S' }),
      thread_root_id: Type.Optional(Id),
      client_msg_id: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
      ...postOptions,
    },
    closed,
  ),
  Type.Object({ type: Type.Literal('typing'), channel_id: Id, thread_root_id: Type.Optional(Id) }, closed),
  Type.Object({ type: Type.Literal('presence'), status: Type.Union([Type.Literal('online'), Type.Literal('away')]) }, closed),
  Type.Object({ type: Type.Literal('read'), channel_id: Id, seq: Seq }, closed),
  Type.Object({ type: Type.Literal('ping'), nonce: Type.Optional(Type.String({ maxLength: 64 })) }, closed),
]);

const validator = Compile(ClientFrameSchema);

export type ParsedFrame = { ok: true; frame: ClientFrame } | { ok: false; message: string };

export function parseClientFrame(text: string): ParsedFrame {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, message: 'Frames must be JSON.' };
  }
  if (validator.Check(value)) return { ok: true, frame: value };
  const type = typeof value === 'object' && value !== null && 'type' in value ? String(value.type) : 'unknown';
  return { ok: false, message: `Invalid "${type}" frame.` };
}
