/** `grant_type=refresh_token` (RFC 6749 §6): rotates the family, issues a new access token. */
import { TesseraError } from '../../errors.js';
import { REFRESH_TOKEN_MAX_LENGTH } from '../refresh-token.js';
import { assertGrantAllowed, type Grant } from './grant.js';

/** The refresh token grant. */
export const refreshTokenGrant: Grant = {
  type: 'refresh_token',
  parameters: { refresh_token: REFRESH_TOKEN_MAX_LENGTH },
  // The first-party browser app is a public client and may send no client at all: its refresh
  // token comes from a cookie only its own pages can spend (routes/oauth.ts).
  clientAuthentication: 'optional',
  clientKinds: ['confidential', 'public'],
  cookieParameter: 'refresh_token',

  async handle({ params, client }, { tokenService, clients, families }) {
    const token = params.refresh_token;
    if (token === undefined) throw new TesseraError('invalid_request', 'refresh_token is missing');
    if (client === undefined) {
      // No client named: the client the family was issued to is the one using the grant. An
      // unknown or replayed token is left to the rotation, which answers (and revokes) for it.
      const family = await families.find(token);
      if (family !== undefined) {
        const owner = await clients.find(family.clientId);
        if (!owner) throw new TesseraError('invalid_grant', 'the refresh token has been revoked');
        assertGrantAllowed(refreshTokenGrant, owner);
      }
    }
    return tokenService.refresh(token, client?.id);
  },
};
