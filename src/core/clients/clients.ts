/**
 * OAuth clients: third-party integrations and services (confidential, with a secret) and the
 * built-in first-party public client that /auth/token issues tokens to.
 */
import { TesseraError } from '../errors.js';
import { constantTimeEqual, randomToken, sha256Hex } from '../random.js';
import { findGrant } from '../oauth/grants/registry.js';
import type { Clock } from '../clock.js';
import type { ClientRecord, ClientStore } from '../../stores/ports.js';

/** The client_id of tokens issued by /auth/token (a public client: it has no secret). */
export const FIRST_PARTY_CLIENT_ID = 'tessera';

/** The scope a client needs to read the revocation feed. */
export const REVOCATIONS_SCOPE = 'tessera:revocations';

/**
 * The grants a confidential client gets when registration names none: what every confidential
 * client could use before clients listed their grants.
 */
export const DEFAULT_CLIENT_GRANTS: readonly string[] = ['client_credentials', 'refresh_token'];

/** The first-party client's grants: it refreshes what /auth/token issued, nothing more. */
const FIRST_PARTY_GRANTS = ['refresh_token'];

/** What `create` returns: the record and the secret, shown once and stored only as a hash. */
export interface NewClient {
  client: ClientRecord;
  secret: string;
}

/** Client registration and authentication. */
export class Clients {
  constructor(
    private readonly store: ClientStore,
    private readonly clock: Clock,
  ) {}

  /**
   * Registers a confidential client. Its secret is 256 random bits, so a SHA-256 hash is as
   * strong as a slow hash here and keeps client authentication cheap on every token request.
   * `grants` must name grants of the registry that confidential clients may use.
   */
  async create(input: {
    name: string;
    scopes: string[];
    audiences: string[];
    grants?: string[];
  }): Promise<NewClient> {
    const grants = [...new Set(input.grants ?? DEFAULT_CLIENT_GRANTS)];
    for (const type of grants) {
      if (!findGrant(type)?.clientKinds.includes('confidential')) {
        throw new TesseraError('invalid_request', `a confidential client cannot use "${type}"`);
      }
    }
    const secret = randomToken(32);
    const client: ClientRecord = {
      id: `client_${randomToken(12)}`,
      secretHash: sha256Hex(secret),
      name: input.name,
      scopes: [...new Set(input.scopes)],
      audiences: [...new Set(input.audiences)],
      grants,
      redirectUris: [],
      postLogoutRedirectUris: [],
      firstParty: false,
      createdAt: this.clock.now(),
    };
    if ((await this.store.insert(client)) !== 'created') {
      throw new TesseraError('internal', 'client id collision');
    }
    return { client, secret };
  }

  /**
   * Makes sure the built-in first-party client exists (inserted once; a concurrent start that
   * loses the insert race finds it there). Its tokens' scopes and audience come from the
   * configuration at issue time, so the stored record only names the client.
   */
  async ensureFirstParty(scopes: string[], audiences: string[]): Promise<void> {
    await this.store.insert({
      id: FIRST_PARTY_CLIENT_ID,
      secretHash: null,
      name: 'Tessera first-party apps',
      scopes,
      audiences,
      grants: FIRST_PARTY_GRANTS,
      redirectUris: [],
      postLogoutRedirectUris: [],
      firstParty: true,
      createdAt: this.clock.now(),
    });
  }

  /** Authenticates a confidential client; `undefined` for any failure (unknown id, bad secret). */
  async authenticate(id: string, secret: string): Promise<ClientRecord | undefined> {
    const client = await this.store.findById(id);
    // Hash even for an unknown id so the answer takes the same time either way.
    const presented = sha256Hex(secret);
    if (!client || client.secretHash === null) return undefined;
    return constantTimeEqual(presented, client.secretHash) ? client : undefined;
  }

  /** A client by id, confidential or public. */
  find(id: string): Promise<ClientRecord | undefined> {
    return this.store.findById(id);
  }

  /** Every registered client. */
  list(): Promise<ClientRecord[]> {
    return this.store.list();
  }

  /** Deletes a client; `not_found` when there is none with this id. */
  async delete(id: string): Promise<void> {
    if (id === FIRST_PARTY_CLIENT_ID) {
      throw new TesseraError('invalid_request', 'the first-party client cannot be deleted');
    }
    if (!(await this.store.delete(id))) throw new TesseraError('not_found', 'no such client');
  }
}
