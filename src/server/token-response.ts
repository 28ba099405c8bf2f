import type { TokenResponse } from '../core/oauth/token-service.js';

/** The JSON body of a token response (RFC 6749 §5.1); the refresh token only when asked. */
export function tokenBody(result: TokenResponse, includeRefresh: boolean) {
  return {
    access_token: result.access.token,
    token_type: 'Bearer' as const,
    expires_in: result.access.expiresIn,
    ...(includeRefresh && result.refreshToken !== undefined
      ? { refresh_token: result.refreshToken }
      : {}),
    scope: result.scope,
    ...(result.idToken === undefined ? {} : { id_token: result.idToken }),
  };
}
