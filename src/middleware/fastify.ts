/**
 * Fastify (`tessera-verify/fastify`): the `tesseraAuth` plugin protects every route of the scope
 * it is registered in, and `tesseraAuthHook(options)` protects a single route as its
 * `onRequest`. The caller is `request.auth`. Fastify is only imported as types.
 *
 *   await app.register(async (api) => {
 *     await api.register(tesseraAuth, { verifier, scopes: ['reports:read'] });
 *     api.get('/reports', async (request) => ({ for: request.auth?.subject }));
 *   });
 */
import { authorizationHeaders } from '../verify/authenticate.js';
import { createAuthenticator, factsFromHeaders } from './authenticator.js';
import type { AuthOptions, Principal } from './authenticator.js';
import type {
  FastifyInstance,
  FastifyPluginAsync,
  FastifyReply,
  FastifyRequest,
  onRequestAsyncHookHandler,
} from 'fastify';

export type { AuthFailure, AuthOptions, Principal } from './authenticator.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The caller, set by tessera-verify/fastify on requests it let through. */
    auth: Principal | null;
  }
}

/** An `onRequest` hook that authenticates, or answers the request itself. */
export function tesseraAuthHook(options: AuthOptions): onRequestAsyncHookHandler {
  const authenticate = createAuthenticator(options);
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const outcome = await authenticate(
      factsFromHeaders(request.method, request.headers, {
        authorization: authorizationHeaders(request.raw.rawHeaders),
      }),
    );
    if (outcome.ok) {
      request.auth = outcome.principal;
      return;
    }
    const { failure } = outcome;
    await reply
      .code(failure.status)
      .headers({ ...failure.headers, 'cache-control': 'no-store' })
      .type('application/problem+json')
      .send(JSON.stringify(failure.body));
  };
}

const plugin = async (app: FastifyInstance, options: AuthOptions): Promise<void> => {
  if (!app.hasRequestDecorator('auth')) app.decorateRequest('auth', null);
  app.addHook('onRequest', tesseraAuthHook(options));
};
// What fastify-plugin sets: the hook applies to the scope the plugin is registered in.
Object.assign(plugin, {
  [Symbol.for('skip-override')]: true,
  [Symbol.for('fastify.display-name')]: 'tessera-auth',
});

/** The plugin: `app.register(tesseraAuth, options)`. */
export const tesseraAuth: FastifyPluginAsync<AuthOptions> = plugin;
