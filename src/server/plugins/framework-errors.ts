/**
 * Answers for requests refused before any route or error handler can run: the router's
 * (a malformed percent-escape, an overlong path parameter; Fastify's `frameworkErrors`) and
 * Node's HTTP parser's (oversized headers, Transfer-Encoding with Content-Length, a bad chunk,
 * a NUL in a header, an unknown method; Fastify's `clientErrorHandler`). They get the same
 * shapes as every other error and never quote the request back.
 */
import { STATUS_CODES } from 'node:http';
import { TesseraError, toProblem } from '../../core/errors.js';
import { sendProblem, toTesseraError } from './errors.js';
import { sendOAuthError } from './oauth-errors.js';
import type { ConnectionError, FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { Socket } from 'node:net';

/** Fastify's `frameworkErrors`: router refusals, in RFC 6749's shape under /oauth/. */
export function frameworkErrors(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const mapped =
    error.code === 'FST_ERR_BAD_URL'
      ? new TesseraError('invalid_request', 'the URL is not valid (a malformed percent-escape)')
      : toTesseraError(error);
  // request.url is the raw URL: the router could not decode it, which is why we are here.
  if (request.url.startsWith('/oauth/')) void sendOAuthError(request, reply, mapped);
  else void sendProblem(reply, mapped);
}

/**
 * Fastify's `clientErrorHandler`: the request never became one, so there is no reply object to
 * use. Writes one complete HTTP/1.1 answer with problem+json and closes the connection, as
 * Node's own handler does (RFC 9112 §9.6: the rest of the stream cannot be trusted).
 */
export function clientErrorHandler(error: ConnectionError, socket: Socket): void {
  // A reset or destroyed socket has nobody left to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  if (socket.writable) socket.write(rawProblem(parserError(error)));
  socket.destroy();
}

function parserError(error: ConnectionError): TesseraError {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      return new TesseraError('headers_too_large', 'the request headers are larger than allowed');
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new TesseraError('request_timeout', 'the request was not received in time');
    default:
      return new TesseraError('invalid_request', 'the request is not valid HTTP/1.1');
  }
}

function rawProblem(error: TesseraError): string {
  const body = JSON.stringify(toProblem(error));
  return [
    `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status] ?? 'Error'}`,
    'Content-Type: application/problem+json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Cache-Control: no-store',
    'X-Content-Type-Options: nosniff',
    'Connection: close',
    '',
    body,
  ].join('\r\n');
}
