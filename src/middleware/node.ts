/**
 * Plain node:http: `createAuthenticate(options)` gives `authenticate(req)`, and
 * `sendAuthFailure(res, failure)` answers a refused request.
 *
 *   const authenticate = createAuthenticate({ verifier, scopes: ['reports:read'] });
 *   createServer(async (req, res) => {
 *     const auth = await authenticate(req);
 *     if (!auth.ok) return sendAuthFailure(res, auth.failure);
 *     res.end(`hello ${auth.principal.subject}`);
 *   });
 */
import { authorizationHeaders } from '../verify/authenticate.js';
import { createAuthenticator, factsFromHeaders } from './authenticator.js';
import type { AuthFailure, AuthOptions, AuthOutcome } from './authenticator.js';
import type { IncomingMessage, ServerResponse } from 'node:http';

export type { AuthFailure, AuthOptions, AuthOutcome, Principal } from './authenticator.js';

/** Builds `authenticate(req)`, which never throws: it resolves with the principal or a failure. */
export function createAuthenticate(
  options: AuthOptions,
): (req: IncomingMessage) => Promise<AuthOutcome> {
  const authenticator = createAuthenticator(options);
  return (req) =>
    authenticator(
      factsFromHeaders(req.method ?? 'GET', req.headers, {
        authorization: authorizationHeaders(req.rawHeaders),
      }),
    );
}

/** Sends a failure as `application/problem+json` with its status and headers. */
export function sendAuthFailure(res: ServerResponse, failure: AuthFailure): void {
  const body = JSON.stringify(failure.body);
  res.writeHead(failure.status, {
    ...failure.headers,
    'content-type': 'application/problem+json',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
  });
  res.end(body);
}
