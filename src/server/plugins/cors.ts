/**
 * CORS (API.md "Conventions") through @fastify/cors. Browser apps on an allowed origin
 * (`TESSERA_ALLOWED_ORIGINS`, the same list the CSRF check trusts) call `/auth/*` and `/oauth/*`
 * with credentials; discovery and the JWKS are public; everything else, and every other origin,
 * gets no CORS header at all — not even a preflight answer.
 */
import corsPlugin from '@fastify/cors';
import type { FastifyCorsOptions } from '@fastify/cors';
import type { FastifyInstance, FastifyRequest } from 'fastify';

/**
 * How long a browser may reuse a preflight answer: Chromium's cap (2 h). Not a security limit:
 * an origin removed from the configuration loses access at once, because every actual answer
 * is checked again and the CSRF check refuses its writes.
 */
export const PREFLIGHT_MAX_AGE_SECONDS = 7200;

/** Paths a browser app on an allowed origin may call with credentials. */
const CREDENTIALED_PREFIXES = ['/auth/', '/oauth/'];
/** Paths any origin may read: public documents, never with credentials. */
const PUBLIC_PREFIX = '/.well-known/';

// What the API needs, named rather than reflected from Access-Control-Request-Headers.
const CREDENTIALED: FastifyCorsOptions = {
  credentials: true,
  methods: ['GET', 'POST', 'DELETE'],
  allowedHeaders: ['Content-Type', 'X-CSRF-Token', 'Authorization', 'Last-Event-ID'],
  // Bearer errors (RFC 6750 §3), rate limits, and the new CSRF token after a password change.
  exposedHeaders: ['WWW-Authenticate', 'Retry-After', 'X-CSRF-Token'],
  maxAge: PREFLIGHT_MAX_AGE_SECONDS,
};

// A plain GET needs no preflight, so none is offered; `*` is never sent with credentials.
const PUBLIC: FastifyCorsOptions = { origin: '*', credentials: false, preflight: false };

// No CORS header; a preflight falls through to 404, so the browser never sends the request.
const NONE: FastifyCorsOptions = { origin: false };

/** The CORS answer for one request: by path, then by the exact origin. */
export function corsPolicy(
  request: FastifyRequest,
  allowedOrigins: ReadonlySet<string>,
): FastifyCorsOptions {
  const path = request.url.split('?', 1)[0] ?? '';
  if (path.startsWith(PUBLIC_PREFIX)) return PUBLIC;
  const origin = request.headers.origin;
  if (
    typeof origin !== 'string' ||
    origin === '*' ||
    !allowedOrigins.has(origin) ||
    !CREDENTIALED_PREFIXES.some((prefix) => path.startsWith(prefix))
  ) {
    return NONE;
  }
  // The caller's own origin, exactly as configured: never a pattern, never `*`.
  return { ...CREDENTIALED, origin };
}

/** Registers CORS on `app` for `allowedOrigins`. */
export async function installCors(
  app: FastifyInstance,
  allowedOrigins: readonly string[],
): Promise<void> {
  const allowed = new Set(allowedOrigins);
  await app.register(corsPlugin, {
    // onRequest, before any authentication: a preflight carries no credentials to check.
    hook: 'onRequest',
    delegator: async (request: FastifyRequest) => corsPolicy(request, allowed),
  });
}
