/** `grant_type=client_credentials` (RFC 6749 §4.4): a token for the client itself. */
import { TesseraError } from '../../errors.js';
import type { Grant } from './grant.js';

/** The client credentials grant: confidential clients only, never a refresh token. */
export const clientCredentialsGrant: Grant = {
  type: 'client_credentials',
  parameters: { scope: 4096, resource: 2048 },
  clientAuthentication: 'required',
  clientKinds: ['confidential'],

  async handle({ params, client }, { tokenService }) {
    if (client === undefined) {
      throw new TesseraError('invalid_client', 'client authentication is required');
    }
    return tokenService.clientCredentials(client, {
      ...(params.scope === undefined ? {} : { scope: params.scope }),
      ...(params.resource === undefined ? {} : { resource: params.resource }),
    });
  },
};
