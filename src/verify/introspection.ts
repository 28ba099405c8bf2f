/**
 * RFC 7662 token introspection: the verifier's fallback while its revocation feed is stale, when
 * configured. The token has already passed the local signature and claims checks; introspection
 * only answers whether the server still considers it active.
 */
import { TesseraError } from '../core/errors.js';
import {
  basicAuthorization,
  errorSummary,
  requestJson,
  type ClientCredentials,
  type Fetch,
} from './http.js';

/** Asks the introspection endpoint; throws token_revoked when inactive, revocation_unavailable when it cannot tell. */
export async function introspect(
  endpoint: string,
  credentials: ClientCredentials,
  token: string,
  fetchImpl: Fetch,
  timeoutMs: number,
): Promise<void> {
  let body: Record<string, unknown>;
  try {
    body = await requestJson(
      fetchImpl,
      endpoint,
      {
        method: 'POST',
        headers: {
          accept: 'application/json',
          authorization: basicAuthorization(credentials),
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({ token, token_type_hint: 'access_token' }).toString(),
      },
      timeoutMs,
      'revocation_unavailable',
    );
  } catch (error) {
    throw new TesseraError(
      'revocation_unavailable',
      `revocations are stale and introspection failed (${errorSummary(error)})`,
    );
  }
  if (body.active !== true) {
    throw new TesseraError('token_revoked', 'the access token is no longer active (introspection)');
  }
}
