/** `grant_type=authorization_code` (RFC 6749 §4.1.3 with PKCE, RFC 7636 §4.5). */
import { TesseraError } from '../../errors.js';
import type { Grant } from './grant.js';

/**
 * The authorization code grant: a confidential client authenticates, a public one (SPA, native
 * app) sends its client_id alone; PKCE binds the code to whoever started the request either way.
 */
export const authorizationCodeGrant: Grant = {
  type: 'authorization_code',
  parameters: { code: 256, redirect_uri: 2048, code_verifier: 128 },
  clientAuthentication: 'optional',
  clientKinds: ['confidential', 'public'],

  async handle({ params, client }, { codeExchange }) {
    if (client === undefined) {
      throw new TesseraError('invalid_client', 'the client must authenticate or send client_id');
    }
    return codeExchange.exchange(client, {
      code: params.code,
      redirectUri: params.redirect_uri,
      codeVerifier: params.code_verifier,
    });
  },
};
