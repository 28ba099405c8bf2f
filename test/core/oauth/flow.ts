// Shared pieces of the authorization code flow tests: a core over memory stores and a moved
// clock, clients registered straight into the store, PKCE pairs, a signed-in user.
import { createHash, randomBytes } from 'node:crypto';
import { ManualClock } from '../../../src/core/clock.js';
import { createCore } from '../../../src/core/tessera.js';
import { sha256Hex } from '../../../src/core/random.js';
import { createMemoryStores } from '../../../src/stores/memory/index.js';
import { insertTestUser, testPolicy } from '../policy.js';
import type { SignedIn } from '../../../src/core/oauth/authorize/outcome.js';
import type { Core } from '../../../src/core/tessera.js';
import type { ClientRecord, Stores } from '../../../src/stores/ports.js';

/** A PKCE verifier and its S256 challenge, computed here independently of the server. */
export function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export const REDIRECT = 'https://app.example.com/callback';
export const SECRET = 'a-client-secret-of-enough-length-0123456789';

/** Registers a client of the flow straight in the store (confidential unless `public`). */
export async function registerClient(
  stores: Pick<Stores, 'clients'>,
  overrides: Partial<ClientRecord> & { public?: boolean } = {},
): Promise<ClientRecord> {
  const { public: isPublic = false, ...rest } = overrides;
  const client: ClientRecord = {
    id: `client_${randomBytes(6).toString('hex')}`,
    secretHash: isPublic ? null : sha256Hex(SECRET),
    name: 'Reports App',
    scopes: ['reports:read'],
    audiences: [],
    grants: ['authorization_code', 'refresh_token'],
    redirectUris: [REDIRECT],
    postLogoutRedirectUris: ['https://app.example.com/bye'],
    firstParty: false,
    createdAt: 0,
    ...rest,
  };
  await stores.clients.insert(client);
  return client;
}

/** A core over memory stores with a manual clock. */
export async function flowCore(): Promise<{ core: Core; stores: Stores; clock: ManualClock }> {
  const stores = createMemoryStores();
  const clock = new ManualClock();
  const core = await createCore({ stores, clock, policy: testPolicy() });
  return { core, stores, clock };
}

/** A user with a live session, as the routes build SignedIn from it. */
export async function signedIn(core: Core, stores: Stores): Promise<SignedIn> {
  const userId = await insertTestUser(stores);
  const { session } = await core.sessions.create(userId, { userAgent: 'test', ip: '127.0.0.1' });
  return { userId, sessionId: session.id, authTime: session.createdAt };
}

/** The parameters of a valid authorization request for `client`. */
export function authorizeParams(
  client: ClientRecord,
  challenge: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    response_type: 'code',
    client_id: client.id,
    redirect_uri: client.redirectUris[0] ?? REDIRECT,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    scope: 'openid',
    state: 'xyz-state',
    ...extra,
  };
}
