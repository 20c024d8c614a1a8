import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';

/** An error a client is meant to see: a status, a stable snake_case code and a sentence. */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const badRequest = (code: string, message: string, details?: unknown) => new AppError(400, code, message, details);
export const unauthorized = (message = 'Authentication is required.') => new AppError(401, 'unauthorized', message);
export const forbidden = (code: string, message: string) => new AppError(403, code, message);
export const notFound = (what: string) => new AppError(404, `${what}_not_found`, `No such ${what.replace(/_/g, ' ')}.`);
export const conflict = (code: string, message: string, details?: unknown) => new AppError(409, code, message, details);

export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

function body(code: string, message: string, details?: unknown): ErrorBody {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}

/** What a client is told of an error: its status, code, sentence and details; null for an unexpected error (a 500). */
export function describeError(error: FastifyError | AppError): { status: number; code: string; message: string; details?: unknown } | null {
  if (error instanceof AppError) return { status: error.status, code: error.code, message: error.message, details: error.details };
  if (error.validation) {
    const details = error.validation.map((v) => ({
      where: error.validationContext ?? 'body',
      path: v.instancePath || '/',
      message: v.message ?? 'is invalid',
      ...(v.keyword === 'additionalProperties' ? { field: (v.params as { additionalProperty?: string }).additionalProperty } : {}),
    }));
    return { status: 400, code: 'validation_failed', message: `The request ${error.validationContext ?? 'body'} is invalid.`, details };
  }
  const status = error.statusCode ?? 500;
  if (status === 413) return { status, code: 'payload_too_large', message: 'The request body is larger than the server accepts.' };
  if (status === 429) return { status, code: 'rate_limited', message: error.message };
  if (status >= 400 && status < 500) {
    const code = error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' ? 'unsupported_media_type'
      : error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error.name === 'SyntaxError' ? 'invalid_json'
      : 'bad_request';
    return { status, code, message: error.message };
  }
  return null;
}

/** Maps every error to the one error shape; anything unexpected is logged and becomes an opaque 500. */
export function errorHandler(error: FastifyError | AppError, request: FastifyRequest, reply: FastifyReply): void {
  const told = describeError(error);
  if (told) {
    void reply.status(told.status).send(body(told.code, told.message, told.details));
    return;
  }
  request.log.error({ err: error }, 'unhandled error');
  void reply.status(500).send(body('internal_error', 'Something went wrong on the server.'));
}

export function notFoundHandler(request: FastifyRequest, reply: FastifyReply): void {
  void reply.status(404).send(body('route_not_found', `No route ${request.method} ${request.url.split('?')[0] ?? ''}.`));
}
