import { Type, type TProperties, type TSchema } from 'typebox';

/** Shared schema pieces. Every object a client sends is closed: unknown fields are rejected. */

export const Uuid = Type.String({ format: 'uuid' });
export const Timestamp = Type.String({ format: 'date-time' });
export const NullableTimestamp = Type.Union([Timestamp, Type.Null()]);

export function Closed<P extends TProperties>(properties: P, options: { description?: string } = {}) {
  return Type.Object(properties, { additionalProperties: false, ...options });
}

export const Handle = Type.String({ pattern: '^[a-z0-9][a-z0-9._-]{0,31}$', description: 'lowercase letters, digits, ".", "_" or "-"; up to 32' });
export const DisplayName = Type.String({ minLength: 1, maxLength: 80 });

export const IdParams = Closed({ id: Uuid });

export const ErrorResponse = Type.Object({
  error: Type.Object({
    code: Type.String(),
    message: Type.String(),
    details: Type.Optional(Type.Unknown()),
  }),
});

/** Error responses every authenticated route may give, for the OpenAPI document. */
export const commonErrors = {
  400: ErrorResponse,
  401: ErrorResponse,
  403: ErrorResponse,
  404: ErrorResponse,
  409: ErrorResponse,
  429: ErrorResponse,
};

export function Nullable<T extends TSchema>(schema: T) {
  return Type.Union([schema, Type.Null()]);
}
