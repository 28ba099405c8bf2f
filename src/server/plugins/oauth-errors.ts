/**
 * Fastify's adapter for the /oauth/* endpoints: errors in RFC 6749's shape, `{error,
 * error_description}`, through the one error mapping (core/errors.ts `toOAuthError`); the rest
 * of the API answers problem+json (plugins/errors.ts).
 */
import { TesseraError, toOAuthError } from '../../core/errors.js';
import { toTesseraError } from './errors.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Installs the OAuth error handler on an encapsulated scope. */
export function installOAuthErrors(scope: FastifyInstance): void {
  scope.setErrorHandler((raw: unknown, request: FastifyRequest, reply: FastifyReply) =>
    sendOAuthError(request, reply, toTesseraError(raw), raw),
  );
}

/** Sends `error` in RFC 6749's shape; `raw` is what was thrown, logged when it is a bug. */
export function sendOAuthError(
  request: FastifyRequest,
  reply: FastifyReply,
  error: TesseraError,
  raw: unknown = error,
): FastifyReply {
  const { status, body } = toOAuthError(error);
  if (status === 503) request.log.warn({ code: error.code }, error.message);
  else if (status >= 500) request.log.error({ err: raw }, 'oauth request failed');
  if (error.details.retryAfterSeconds !== undefined) {
    void reply.header('Retry-After', String(error.details.retryAfterSeconds));
  }
  if (status === 401) {
    // RFC 6749 §5.2: invalid_client answers 401 with the scheme the client should use.
    void reply.header('WWW-Authenticate', 'Basic realm="tessera", charset="UTF-8"');
  }
  return reply.code(status).header('Cache-Control', 'no-store').send(body);
}

/** Throws `invalid_request` with `message`. */
export function invalidRequest(message: string): never {
  throw new TesseraError('invalid_request', message);
}
