/**
 * RFC 8414 authorization-server metadata: where the verifier learns the JWKS and introspection
 * endpoints. The document must name exactly the configured issuer (RFC 8414 §3.3), or a server
 * could pass off another issuer's keys as this one's.
 */
import { TesseraError } from '../core/errors.js';
import { HttpStatusError, requestJson, type Fetch } from './http.js';

/** The parts of the metadata the verifier uses. */
export interface AuthorizationServerMetadata {
  issuer: string;
  jwks_uri: string;
  introspection_endpoint: string | undefined;
  /** The whole document, as served. */
  raw: Record<string, unknown>;
}

const wellKnown = '/.well-known/oauth-authorization-server';

/**
 * Where the metadata of `issuer` lives: RFC 8414 §3.1 inserts the well-known segment before the
 * issuer's path; a server mounted under a path prefix serves it after the path instead, so that
 * address is tried second.
 */
export function metadataUrls(issuer: string): string[] {
  const url = new URL(issuer);
  const path = url.pathname.replace(/\/+$/, '');
  if (path === '') return [`${url.origin}${wellKnown}`];
  return [`${url.origin}${wellKnown}${path}`, `${url.origin}${path}${wellKnown}`];
}

/** Fetches and checks the metadata of `issuer`. */
export async function discover(
  issuer: string,
  fetchImpl: Fetch,
  timeoutMs: number,
): Promise<AuthorizationServerMetadata> {
  const secure = checkIssuer(issuer);
  const urls = metadataUrls(issuer);
  let raw: Record<string, unknown> | undefined;
  for (const [i, url] of urls.entries()) {
    try {
      raw = await requestJson(fetchImpl, url, jsonGet, timeoutMs, 'jwks_unavailable');
      break;
    } catch (error) {
      const notFound = error instanceof HttpStatusError && error.httpStatus === 404;
      if (!notFound || i === urls.length - 1) throw error;
    }
  }
  if (raw === undefined) throw new TesseraError('jwks_unavailable', 'no metadata document');
  if (raw.issuer !== issuer) {
    throw new TesseraError(
      'invalid_config',
      `the metadata names the issuer ${JSON.stringify(raw.issuer)}, not ${JSON.stringify(issuer)} (RFC 8414 §3.3)`,
    );
  }
  return {
    issuer,
    jwks_uri: endpoint(raw, 'jwks_uri', secure, true) as string,
    introspection_endpoint: endpoint(raw, 'introspection_endpoint', secure, false),
    raw,
  };
}

const jsonGet: RequestInit = { method: 'GET', headers: { accept: 'application/json' } };

/** Checks the issuer option: an absolute http(s) URL without query or fragment (RFC 8414 §2). */
function checkIssuer(issuer: string): boolean {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    throw new TesseraError('invalid_config', 'issuer must be an absolute URL');
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.search || url.hash) {
    throw new TesseraError(
      'invalid_config',
      'issuer must be an http(s) URL without query or fragment',
    );
  }
  return url.protocol === 'https:';
}

/** A URL-valued metadata field; an https issuer may only point at https endpoints. */
function endpoint(
  raw: Record<string, unknown>,
  name: string,
  secure: boolean,
  required: boolean,
): string | undefined {
  const value = raw[name];
  if (value === undefined && !required) return undefined;
  let url: URL | undefined;
  try {
    url = typeof value === 'string' ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  const allowed = secure ? ['https:'] : ['https:', 'http:'];
  if (url === undefined || !allowed.includes(url.protocol)) {
    throw new TesseraError('invalid_config', `the metadata ${name} is not a usable URL`);
  }
  return url.href;
}
