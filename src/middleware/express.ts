/**
 * Express (`tessera-verify/express`): `tesseraAuth(options)` is a middleware that lets
 * authenticated requests through with the caller in `res.locals.auth` (read it with
 * `authOf(res)`), and answers every other request itself. Express is only imported as types: no
 * runtime dependency.
 *
 *   app.get('/reports', tesseraAuth({ verifier, scopes: ['reports:read'] }), (req, res) => {
 *     res.json({ for: authOf(res).subject });
 *   });
 */
import { authorizationHeaders } from '../verify/authenticate.js';
import { createAuthenticator, factsFromHeaders } from './authenticator.js';
import type { AuthOptions, Principal } from './authenticator.js';
import type { NextFunction, Request, RequestHandler, Response } from 'express';

export type { AuthFailure, AuthOptions, Principal } from './authenticator.js';

/** The middleware. */
export function tesseraAuth(options: AuthOptions): RequestHandler {
  const authenticate = createAuthenticator(options);
  return (req: Request, res: Response, next: NextFunction) => {
    authenticate(
      factsFromHeaders(req.method, req.headers, {
        authorization: authorizationHeaders(req.rawHeaders),
      }),
    ).then((outcome) => {
      if (outcome.ok) {
        res.locals.auth = outcome.principal;
        next();
        return;
      }
      const { failure } = outcome;
      res.status(failure.status).set({ ...failure.headers, 'cache-control': 'no-store' });
      res.type('application/problem+json').send(JSON.stringify(failure.body));
    }, next);
  };
}

/** The caller of a request that passed `tesseraAuth`. */
export function authOf(res: Response): Principal {
  const principal = res.locals.auth as Principal | undefined;
  if (principal === undefined) throw new Error('authOf: the request did not pass tesseraAuth');
  return principal;
}
