/**
 * Client authentication at the OAuth endpoints (RFC 6749 §2.3.1): `client_secret_basic` or
 * `client_secret_post`, never both; and the public first-party client naming itself by id.
 */
import { FIRST_PARTY_CLIENT_ID } from '../../core/clients/clients.js';
import { TesseraError } from '../../core/errors.js';
import type { Clients } from '../../core/clients/clients.js';
import type { ClientRecord } from '../../stores/ports.js';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** The client fields of an OAuth form. */
export interface ClientForm {
  client_id?: string;
  client_secret?: string;
}

/** What a request says about its client, before checking it. */
export interface PresentedClient {
  id: string;
  secret: string | undefined;
}

/** Reads the client credentials of a request; undefined when it names no client. */
export function presentedClient(
  request: FastifyRequest,
  form: ClientForm,
): PresentedClient | undefined {
  const basic = parseBasic(request.headers.authorization);
  if (basic && (form.client_id !== undefined || form.client_secret !== undefined)) {
    // RFC 6749 §2.3: a client MUST NOT use more than one authentication method per request.
    if (form.client_secret !== undefined || form.client_id !== basic.id) {
      throw new TesseraError('invalid_request', 'use one client authentication method, not two');
    }
  }
  if (basic) return basic;
  if (form.client_id === undefined) {
    if (form.client_secret !== undefined)
      throw new TesseraError('invalid_request', 'client_secret without client_id');
    return undefined;
  }
  return { id: form.client_id, secret: form.client_secret };
}

/** Authenticates a confidential client; `invalid_client` (401) for anything else. */
export async function confidentialClient(
  clients: Clients,
  presented: PresentedClient | undefined,
): Promise<ClientRecord> {
  if (!presented || presented.secret === undefined) {
    throw new TesseraError('invalid_client', 'client authentication is required');
  }
  const client = await clients.authenticate(presented.id, presented.secret);
  if (!client) throw new TesseraError('invalid_client', 'client authentication failed');
  return client;
}

/**
 * An `onRequest` hook for the routes of the revocation feed's clients (`GET /auth/revocations`,
 * `POST /auth/sessions/activity`): a confidential client by Basic auth with `scope`, else 401
 * with a Basic challenge or 403 `insufficient_scope`.
 */
export function requireClientWithScope(clients: Clients, scope: string) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    try {
      const client = await confidentialClient(clients, presentedClient(request, {}));
      if (!client.scopes.includes(scope)) {
        throw new TesseraError('insufficient_scope', `the client needs the scope ${scope}`);
      }
    } catch (error) {
      if (error instanceof TesseraError && error.status === 401) {
        void reply.header('WWW-Authenticate', 'Basic realm="tessera", charset="UTF-8"');
        throw new TesseraError('unauthenticated', 'client authentication is required');
      }
      throw error;
    }
  };
}

/**
 * Authenticates a confidential client, or accepts the built-in public first-party client by its
 * id alone (API.md, /oauth/revoke).
 */
export async function anyClient(
  clients: Clients,
  presented: PresentedClient | undefined,
): Promise<ClientRecord> {
  if (presented?.secret === undefined && presented?.id === FIRST_PARTY_CLIENT_ID) {
    const client = await clients.find(FIRST_PARTY_CLIENT_ID);
    if (client) return client;
  }
  return confidentialClient(clients, presented);
}

/** Parses `Authorization: Basic`, with RFC 6749 §2.3.1's form-encoding of id and secret. */
function parseBasic(header: string | undefined): PresentedClient | undefined {
  if (header === undefined || !/^Basic /i.test(header)) return undefined;
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 1) throw new TesseraError('invalid_client', 'malformed Basic credentials');
  try {
    const decode = (part: string) => decodeURIComponent(part.replaceAll('+', ' '));
    return { id: decode(decoded.slice(0, colon)), secret: decode(decoded.slice(colon + 1)) };
  } catch {
    throw new TesseraError('invalid_client', 'malformed Basic credentials');
  }
}
