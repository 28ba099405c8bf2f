/**
 * Every grant the token endpoint serves. The endpoint dispatches through this list, the RFC 8414
 * metadata is generated from it, and client registration accepts only what it names: a new
 * grant is one file beside these and one line here.
 */
import { authorizationCodeGrant } from './authorization-code.js';
import { clientCredentialsGrant } from './client-credentials.js';
import { refreshTokenGrant } from './refresh-token.js';
import type { Grant } from './grant.js';

export type { ClientKind, Grant, GrantRequest, GrantServices } from './grant.js';
export { assertGrantAllowed, clientKind } from './grant.js';

/** The grants, in the order the metadata lists them. */
export const grants: readonly Grant[] = [
  authorizationCodeGrant,
  refreshTokenGrant,
  clientCredentialsGrant,
];

/** The grant for a `grant_type`, or undefined (RFC 6749 §5.2 `unsupported_grant_type`). */
export function findGrant(type: string): Grant | undefined {
  return grants.find((grant) => grant.type === type);
}

/**
 * RFC 8414 `token_endpoint_auth_methods_supported`: a secret (RFC 6749 §2.3.1, header or form)
 * where a grant takes confidential clients, `none` where one takes public clients.
 */
export function tokenEndpointAuthMethods(): string[] {
  const kinds = new Set(grants.flatMap((grant) => grant.clientKinds));
  return [
    ...(kinds.has('confidential') ? ['client_secret_basic', 'client_secret_post'] : []),
    ...(kinds.has('public') ? ['none'] : []),
  ];
}
