/**
 * OAuth clients: third-party integrations and services (confidential, with a secret), apps that
 * cannot keep a secret (public: SPAs, native apps), and the built-in first-party public client
 * that /auth/token issues tokens to.
 */
import { silentAudit } from '../audit/audit-log.js';
import type { Audit } from '../audit/audit.js';
import { TesseraError } from '../errors.js';
import { constantTimeEqual, randomToken, sha256Hex } from '../random.js';
import { findGrant, type ClientKind } from '../oauth/grants/registry.js';
import { checkRedirectUris } from './redirect-uris.js';
import type { Clock } from '../clock.js';
import type { ClientRecord, ClientStore, ConsentStore } from '../../stores/ports.js';

/** The client_id of tokens issued by /auth/token (a public client: it has no secret). */
export const FIRST_PARTY_CLIENT_ID = 'tessera';

/** The scope a client needs to read the revocation feed. */
export const REVOCATIONS_SCOPE = 'tessera:revocations';

/**
 * The grants a confidential client without redirect URIs gets when registration names none:
 * what every confidential client could use before clients listed their grants.
 */
export const DEFAULT_CLIENT_GRANTS: readonly string[] = ['client_credentials', 'refresh_token'];

/** The grants a client with redirect URIs (or a public one) gets when registration names none. */
export const DEFAULT_REDIRECT_CLIENT_GRANTS: readonly string[] = [
  'authorization_code',
  'refresh_token',
];

/** The first-party client's grants: it refreshes what /auth/token issued, nothing more. */
const FIRST_PARTY_GRANTS = ['refresh_token'];

/** What a client is registered with. */
export interface ClientInput {
  name: string;
  scopes: string[];
  audiences: string[];
  /** grant_type values of the registry; defaults depend on the client (see `create`). */
  grants?: string[];
  /** No secret: an SPA or a native app (RFC 6749 §2.1). */
  public?: boolean;
  /** One of the product's own apps: the user is never asked to consent. */
  firstParty?: boolean;
  /** Where the authorization endpoint may send the user back (RFC 8252 §7 kinds only). */
  redirectUris?: string[];
  /** Where RP-initiated logout may send the user afterwards. */
  postLogoutRedirectUris?: string[];
}

/** What `update` may change; a field left out stays as it is. */
export type ClientPatch = Partial<
  Pick<ClientRecord, 'name' | 'scopes' | 'grants' | 'redirectUris' | 'postLogoutRedirectUris'>
>;

/** What `create` returns: the record and, for a confidential client, the secret, shown once. */
export interface NewClient {
  client: ClientRecord;
  secret?: string;
}

/** A confidential client just registered: its secret is there. */
export interface NewConfidentialClient extends NewClient {
  secret: string;
}

/** Client registration and authentication. */
export class Clients {
  constructor(
    private readonly store: ClientStore,
    private readonly clock: Clock,
    private readonly consents: ConsentStore,
    private readonly audit: Audit = silentAudit,
  ) {}

  /**
   * Registers a client. A confidential client's secret is 256 random bits, so a SHA-256 hash is
   * as strong as a slow hash here and keeps client authentication cheap on every token request;
   * a public client has none. `grants` must name grants of the registry that the client's kind
   * may use; without it, a client with redirect URIs or a public one gets authorization_code and
   * refresh_token, any other DEFAULT_CLIENT_GRANTS. authorization_code needs a redirect URI.
   */
  create(input: ClientInput & { public?: false }): Promise<NewConfidentialClient>;
  create(input: ClientInput): Promise<NewClient>;
  async create(input: ClientInput): Promise<NewClient> {
    const kind: ClientKind = input.public === true ? 'public' : 'confidential';
    const redirectUris = checkRedirectUris(input.redirectUris ?? [], 'redirect URI');
    const postLogoutRedirectUris = checkRedirectUris(
      input.postLogoutRedirectUris ?? [],
      'post-logout redirect URI',
    );
    const defaults =
      redirectUris.length > 0 || kind === 'public'
        ? DEFAULT_REDIRECT_CLIENT_GRANTS
        : DEFAULT_CLIENT_GRANTS;
    const grants = checkGrants(input.grants ?? defaults, kind, redirectUris);
    const secret = kind === 'public' ? undefined : randomToken(32);
    const client: ClientRecord = {
      id: `client_${randomToken(12)}`,
      secretHash: secret === undefined ? null : sha256Hex(secret),
      name: input.name,
      scopes: [...new Set(input.scopes)],
      audiences: [...new Set(input.audiences)],
      grants,
      redirectUris,
      postLogoutRedirectUris,
      firstParty: input.firstParty === true,
      createdAt: this.clock.now(),
    };
    if ((await this.store.insert(client)) !== 'created') {
      throw new TesseraError('internal', 'client id collision');
    }
    this.audit.record('client.created', { details: { clientId: client.id, name: client.name } });
    return secret === undefined ? { client } : { client, secret };
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

  /** Deletes a client and every consent given to it; `not_found` when there is none. */
  async delete(id: string): Promise<void> {
    if (id === FIRST_PARTY_CLIENT_ID) {
      throw new TesseraError('invalid_request', 'the first-party client cannot be deleted');
    }
    if (!(await this.store.delete(id))) throw new TesseraError('not_found', 'no such client');
    // After the client: were this to fail, the consents left name a client that no longer exists
    // and can authorize nothing.
    await this.consents.revokeAllForClient(id);
    this.audit.record('client.deleted', { details: { clientId: id } });
  }

  /**
   * Changes a client, with the checks of `create` (redirect URIs, grants its kind may use,
   * authorization_code only with a redirect URI). The first-party client keeps its grants and
   * URIs: what it may do is fixed by the configuration. `not_found` for no such client.
   */
  async update(id: string, patch: ClientPatch): Promise<ClientRecord> {
    const client = await this.store.findById(id);
    if (!client) throw new TesseraError('not_found', 'no such client');
    const fixed = ['grants', 'redirectUris', 'postLogoutRedirectUris'] as const;
    if (id === FIRST_PARTY_CLIENT_ID && fixed.some((field) => patch[field] !== undefined)) {
      throw new TesseraError(
        'invalid_request',
        "the first-party client's grants and URIs cannot be changed",
      );
    }
    if (patch.name !== undefined && patch.name.trim() === '') {
      throw new TesseraError('invalid_request', 'a client needs a name');
    }
    const kind: ClientKind = client.secretHash === null ? 'public' : 'confidential';
    const redirectUris =
      patch.redirectUris === undefined
        ? client.redirectUris
        : checkRedirectUris(patch.redirectUris, 'redirect URI');
    const updated: ClientRecord = {
      ...client,
      name: patch.name ?? client.name,
      scopes: patch.scopes === undefined ? client.scopes : [...new Set(patch.scopes)],
      grants: checkGrants(patch.grants ?? client.grants, kind, redirectUris),
      redirectUris,
      postLogoutRedirectUris:
        patch.postLogoutRedirectUris === undefined
          ? client.postLogoutRedirectUris
          : checkRedirectUris(patch.postLogoutRedirectUris, 'post-logout redirect URI'),
    };
    if (!(await this.store.update(updated))) throw new TesseraError('not_found', 'no such client');
    const fields = Object.keys(patch).filter(
      (key) => patch[key as keyof ClientPatch] !== undefined,
    );
    this.audit.record('client.changed', { details: { clientId: id, fields: fields.join(',') } });
    return updated;
  }

  /**
   * Gives a confidential client a new secret, returned once; the old one stops working at once.
   * `invalid_request` for a public client, which has none.
   */
  async rotateSecret(id: string): Promise<string> {
    const client = await this.store.findById(id);
    if (!client) throw new TesseraError('not_found', 'no such client');
    if (client.secretHash === null) {
      throw new TesseraError('invalid_request', 'a public client has no secret');
    }
    const secret = randomToken(32);
    if (!(await this.store.update({ ...client, secretHash: sha256Hex(secret) }))) {
      throw new TesseraError('not_found', 'no such client');
    }
    this.audit.record('client.changed', { details: { clientId: id, fields: 'secret' } });
    return secret;
  }
}

/**
 * The grants of a client of `kind`, without repeats: each must be in the registry and allowed to
 * the kind, and authorization_code needs a redirect URI.
 */
function checkGrants(requested: readonly string[], kind: ClientKind, redirectUris: string[]) {
  const grants = [...new Set(requested)];
  for (const type of grants) {
    if (!findGrant(type)?.clientKinds.includes(kind)) {
      throw new TesseraError('invalid_request', `a ${kind} client cannot use "${type}"`);
    }
  }
  if (grants.includes('authorization_code') && redirectUris.length === 0) {
    throw new TesseraError(
      'invalid_request',
      'a client of the authorization_code grant needs at least one redirect URI',
    );
  }
  return grants;
}
