/**
 * Errors of the /oauth/* endpoints in RFC 6749's shape, `{error, error_description}`, with the
 * RFC's status codes; the rest of the API answers problem+json (plugins/errors.ts).
 */
import { TesseraError } from '../../core/errors.js';
import { toTesseraError } from './errors.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

// RFC 6749 §5.2, RFC 7009 §2.2.1, RFC 8707 §2: the codes a client library understands.
const OAUTH_CODES = new Set([
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
  'invalid_target',
  'unsupported_token_type',
]);

/** The RFC 6749 error code and status for any error. */
export function oauthError(error: TesseraError): { error: string; status: number } {
  if (OAUTH_CODES.has(error.code)) return { error: error.code, status: error.status };
  if (error.code === 'rate_limited') return { error: 'slow_down', status: 429 };
  if (error.code === 'invalid_credentials') return { error: 'invalid_grant', status: 400 };
  if (error.code === 'csrf') return { error: 'invalid_request', status: 403 };
  if (error.code === 'store_unavailable') return { error: 'temporarily_unavailable', status: 503 };
  if (error.status >= 500) return { error: 'server_error', status: 500 };
  return {
    error: 'invalid_request',
    status: error.status === 413 || error.status === 415 ? error.status : 400,
  };
}

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
  const { error: code, status } = oauthError(error);
  if (status === 503) request.log.warn({ code: error.code }, error.message);
  else if (status >= 500) request.log.error({ err: raw }, 'oauth request failed');
  if (error.details.retryAfterSeconds !== undefined) {
    void reply.header('Retry-After', String(error.details.retryAfterSeconds));
  }
  if (status === 401) {
    // RFC 6749 §5.2: invalid_client answers 401 with the scheme the client should use.
    void reply.header('WWW-Authenticate', 'Basic realm="tessera", charset="UTF-8"');
  }
  return reply
    .code(status)
    .header('Cache-Control', 'no-store')
    .send({
      error: code,
      error_description: status >= 500 && status !== 503 ? 'internal error' : error.message,
    });
}

/** Throws `invalid_request` with `message`. */
export function invalidRequest(message: string): never {
  throw new TesseraError('invalid_request', message);
}
