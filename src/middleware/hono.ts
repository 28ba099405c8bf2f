/**
 * Hono (`tessera-verify/hono`): `tesseraAuth(options)` is a middleware that sets `c.get('auth')`
 * and answers refused requests itself. Hono is only imported as types.
 *
 *   app.use('/reports/*', tesseraAuth({ verifier, scopes: ['reports:read'] }));
 *   app.get('/reports', (c) => c.json({ for: c.get('auth').subject }));
 */
import { createAuthenticator } from './authenticator.js';
import type { AuthOptions, Principal, RequestFacts } from './authenticator.js';
import type { Context, MiddlewareHandler } from 'hono';

export type { AuthFailure, AuthOptions, Principal } from './authenticator.js';

/** The variables the middleware sets. */
export interface TesseraVariables {
  auth: Principal;
}

/** The middleware. */
export function tesseraAuth(
  options: AuthOptions,
): MiddlewareHandler<{ Variables: TesseraVariables }> {
  const authenticate = createAuthenticator(options);
  return async (c, next) => {
    const outcome = await authenticate(factsOf(c));
    if (!outcome.ok) {
      const { failure } = outcome;
      return new Response(JSON.stringify(failure.body), {
        status: failure.status,
        headers: {
          ...failure.headers,
          'content-type': 'application/problem+json',
          'cache-control': 'no-store',
        },
      });
    }
    c.set('auth', outcome.principal);
    await next();
    return undefined;
  };
}

function factsOf(c: Context): RequestFacts {
  const header = (name: string) => c.req.header(name);
  return {
    method: c.req.method,
    authorization: header('authorization'),
    cookie: header('cookie'),
    origin: header('origin'),
    fetchSite: header('sec-fetch-site'),
    csrfToken: header('x-csrf-token'),
  };
}
