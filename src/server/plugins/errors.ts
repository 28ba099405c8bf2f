/**
 * Fastify's adapter to the one error mapping (core/errors.ts `toProblem`): turns whatever a
 * route or Fastify threw into a TesseraError and sends its RFC 9457 problem details. Nothing
 * from a store or a stack trace reaches the client; unknown failures are logged and answered
 * with a bare 500.
 */
import { TesseraError, toProblem } from '../../core/errors.js';
import type { ErrorCode } from '../../core/errors.js';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

// Fastify's own failures of body parsing and validation, mapped to our codes.
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'malformed_json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'malformed_json',
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'invalid_request',
  FST_ERR_VALIDATION: 'invalid_request',
  // The router's own refusals (frameworkErrors): their messages quote the whole path.
  FST_ERR_BAD_URL: 'invalid_request',
  FST_ERR_MAX_PARAM_LENGTH: 'uri_too_long',
  FST_ERR_ASYNC_CONSTRAINT: 'invalid_request',
};

/** Turns any thrown value into a TesseraError that is safe to show. */
export function toTesseraError(error: unknown): TesseraError {
  if (error instanceof TesseraError) return error;
  const fastifyError = error as Partial<FastifyError> | undefined;
  const code = fastifyError?.code ? FASTIFY_CODES[fastifyError.code] : undefined;
  if (code === 'invalid_request' && fastifyError?.validation) {
    return new TesseraError('invalid_request', fastifyError.message ?? 'invalid request');
  }
  if (code) return new TesseraError(code, requestErrorMessage(code));
  if (error instanceof SyntaxError && (error as Partial<FastifyError>).statusCode === 400) {
    return new TesseraError('malformed_json', requestErrorMessage('malformed_json'));
  }
  const status = fastifyError?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new TesseraError('invalid_request', 'the request could not be processed');
  }
  return new TesseraError('internal', 'internal error');
}

/** The message for a request Fastify rejected before any route ran. */
function requestErrorMessage(code: ErrorCode): string {
  switch (code) {
    case 'malformed_json':
      return 'the body is not valid JSON';
    case 'payload_too_large':
      return 'the body is larger than allowed';
    case 'unsupported_media_type':
      return 'this endpoint takes application/json';
    case 'uri_too_long':
      return 'a path segment is longer than allowed';
    default:
      return 'invalid request';
  }
}

/** Sends `error` as problem+json, with `Retry-After` for rate limits. */
export function sendProblem(reply: FastifyReply, error: TesseraError): FastifyReply {
  if (error.details.retryAfterSeconds !== undefined) {
    void reply.header('Retry-After', String(error.details.retryAfterSeconds));
  }
  return reply.code(error.status).type('application/problem+json').send(toProblem(error));
}

/** Installs the error and not-found handlers on `app`. */
export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const mapped = toTesseraError(error);
    // A store that is away is an operational state, not a bug: one line, no stack.
    if (mapped.status === 503) request.log.warn({ code: mapped.code }, mapped.message);
    else if (mapped.status >= 500) request.log.error({ err: error }, 'request failed');
    return sendProblem(reply, mapped);
  });
  app.setNotFoundHandler((_request, reply) =>
    sendProblem(reply, new TesseraError('not_found', 'no such route')),
  );
}
