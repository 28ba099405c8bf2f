/**
 * The headers of every hosted page (API.md "Pages"): a strict Content-Security-Policy with no
 * script at all, no framing, no referrer to other origins (codes travel in these URLs), nothing
 * stored.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';

/** Extra `form-action` sources of one answer: where a form's redirect may lead. */
const formActions = new WeakMap<FastifyReply, string[]>();

/**
 * Lets the page in `reply` submit a form whose answer redirects to `uri`. Chromium applies
 * `form-action` to the redirects that follow a form submission, so the consent page (and a
 * sign-in page on its way back to an authorize request) must name the client's redirect origin.
 * Only URIs the core has matched to a client's registration belong here.
 */
export function allowFormRedirect(reply: FastifyReply, uri: string): void {
  const source = formActionSource(uri);
  if (source !== undefined) formActions.set(reply, [...(formActions.get(reply) ?? []), source]);
}

/**
 * The CSP source that allows redirecting to `uri`: its origin for http(s), its scheme for a
 * native app's private-use scheme (RFC 8252 §7.1). Nothing for what cannot be written safely
 * in a policy.
 */
export function formActionSource(uri: string): string | undefined {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return undefined;
  }
  if (url.protocol === 'https:' || url.protocol === 'http:') return url.origin;
  // A private-use scheme such as com.example.app: is a scheme-source on its own.
  return /^[a-z][a-z0-9+.-]*:$/i.test(url.protocol) ? url.protocol : undefined;
}

/** The policy of a page whose forms may also lead to `extra`. */
export function contentSecurityPolicy(extra: readonly string[] = []): string {
  const formAction = ["'self'", ...new Set(extra)].join(' ');
  return [
    "default-src 'none'",
    "style-src 'self'",
    "img-src 'self'",
    `form-action ${formAction}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');
}

/**
 * The referrer policy of an answer. A redirect (where codes travel, to the client) sends no
 * referrer at all. A page sends none to other origins but keeps it on its own: Chromium sends
 * `Origin: null` on a form posted from a `no-referrer` document (Fetch, "serializing a request
 * origin"), and the Origin check of every form (DESIGN.md) would then refuse them all.
 */
export function referrerPolicy(status: number): string {
  return status >= 300 && status < 400 ? 'no-referrer' : 'same-origin';
}

/** Installs the page headers on every answer of `scope`, errors and redirects included. */
export function installPageHeaders(scope: FastifyInstance): void {
  scope.addHook('onSend', async (_request, reply, payload) => {
    void reply.headers({
      'Content-Security-Policy': contentSecurityPolicy(formActions.get(reply)),
      'X-Frame-Options': 'DENY',
      'Referrer-Policy': referrerPolicy(reply.statusCode),
      'Cache-Control': 'no-store',
    });
    return payload;
  });
}
