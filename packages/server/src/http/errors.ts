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

/** Maps every error to the one error shape; anything unexpected is logged and becomes an opaque 500. */
export function errorHandler(error: FastifyError | AppError, request: FastifyRequest, reply: FastifyReply): void {
  if (error instanceof AppError) {
    void reply.status(error.status).send(body(error.code, error.message, error.details));
    return;
  }
  if (error.validation) {
    const details = error.validation.map((v) => ({
      where: error.validationContext ?? 'body',
      path: v.instancePath || '/',
      message: v.message ?? 'is invalid',
      ...(v.keyword === 'additionalProperties' ? { field: (v.params as { additionalProperty?: string }).additionalProperty } : {}),
    }));
    void reply.status(400).send(body('validation_failed', `The request ${error.validationContext ?? 'body'} is invalid.`, details));
    return;
  }
  const status = error.statusCode ?? 500;
  if (status === 413) {
    void reply.status(413).send(body('payload_too_large', 'The request body is larger than the server accepts.'));
    return;
  }
  if (status === 429) {
    void reply.status(429).send(body('rate_limited', error.message));
    return;
  }
  if (status >= 400 && status < 500) {
    const code = error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' ? 'unsupported_media_type'
      : error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error.name === 'SyntaxError' ? 'invalid_json'
      : 'bad_request';
    void reply.status(status).send(body(code, error.message));
    return;
  }
  request.log.error({ err: error }, 'unhandled error');
  void reply.status(500).send(body('internal_error', 'Something went wrong on the server.'));
}

export function notFoundHandler(request: FastifyRequest, reply: FastifyReply): void {
  void reply.status(404).send(body('route_not_found', `No route ${request.method} ${request.url.split('?')[0] ?? ''}.`));
}
