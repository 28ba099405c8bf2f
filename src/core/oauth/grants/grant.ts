/**
 * What one grant of the token endpoint (RFC 6749 §4, §6) declares, so that the endpoint, the
 * metadata (RFC 8414) and client registration all read the grants from one registry.
 */
import { TesseraError } from '../../errors.js';
import type { Core } from '../../tessera.js';
import type { ClientRecord } from '../../../stores/ports.js';
import type { TokenResponse } from '../token-service.js';

/** Whether a client holds a secret (RFC 6749 §2.1). */
export type ClientKind = 'confidential' | 'public';

/** The core services a grant works with. */
export type GrantServices = Pick<Core, 'tokenService' | 'clients' | 'families' | 'codeExchange'>;

/** One token request, once the endpoint has parsed it and checked the client. */
export interface GrantRequest {
  /** The grant's own form parameters (`Grant.parameters`); absent ones are undefined. */
  params: Readonly<Record<string, string | undefined>>;
  /**
   * The client: authenticated by its secret, or a public client naming itself by client_id;
   * already checked against `Grant.clientKinds` and its own grants. Undefined only for a grant
   * whose client authentication is `optional`, when the request named no client: a grant that
   * needs a client but takes public ones (authorization_code) answers `invalid_client` then.
   */
  client: ClientRecord | undefined;
}

/** One grant_type of the token endpoint. */
export interface Grant {
  /** The `grant_type` value, as listed in `grant_types_supported`. */
  readonly type: string;
  /** Its form parameters and the longest value each may have. */
  readonly parameters: Readonly<Record<string, number>>;
  /**
   * `required`: the client must authenticate with its secret. `optional`: a public client may
   * send its client_id alone, or no client at all when the credential it presents names one.
   */
  readonly clientAuthentication: 'required' | 'optional';
  /** Which kinds of client may use it at all, whatever their own list of grants says. */
  readonly clientKinds: readonly ClientKind[];
  /**
   * The parameter the first-party browser app may send in the refresh cookie instead of the
   * form; the new refresh token then goes back into the cookie, not into the body.
   */
  readonly cookieParameter?: string;
  /** Issues the tokens, or throws an RFC 6749 §5.2 error. */
  handle(request: GrantRequest, services: GrantServices): Promise<TokenResponse>;
}

/** A client's kind, from whether it has a secret. */
export function clientKind(client: ClientRecord): ClientKind {
  return client.secretHash === null ? 'public' : 'confidential';
}

/**
 * RFC 6749 §5.2 `unauthorized_client`: the client is not of a kind the grant serves, or its
 * registration does not list the grant.
 */
export function assertGrantAllowed(grant: Grant, client: ClientRecord): void {
  if (!grant.clientKinds.includes(clientKind(client))) {
    throw new TesseraError(
      'unauthorized_client',
      `a ${clientKind(client)} client cannot use ${grant.type}`,
    );
  }
  if (!client.grants.includes(grant.type)) {
    throw new TesseraError('unauthorized_client', `the client may not use ${grant.type}`);
  }
}
