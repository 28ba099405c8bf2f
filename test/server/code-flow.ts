// The authorization code flow over HTTP: a code from core.authorization (the pages that lead to
// it are the web part's), exchanged at POST /oauth/token with app.inject.
import assert from 'node:assert/strict';
import { postForm, signup, testServer } from '../helpers/server.js';
import { authorizeParams, pkce, REDIRECT, registerClient, SECRET } from '../core/oauth/flow.js';
import type { SignedIn } from '../../src/core/oauth/authorize/outcome.js';
import type { ClientRecord } from '../../src/stores/ports.js';
import type { Config } from '../../src/config.js';
import type { Stores } from '../../src/stores/ports.js';

export { pkce, REDIRECT, registerClient, SECRET };

/** Basic client authentication (RFC 6749 §2.3.1). */
export const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

/** A server with a signed-in user, a public and a confidential client of the flow. */
export async function flowServer(options: { config?: Partial<Config>; stores?: Stores } = {}) {
  const server = await testServer(options);
  const response = await signup(server.app, 'ada@example.com');
  const userId = (response.json() as { user: { id: string } }).user.id;
  const { session } = await server.core.sessions.create(userId, {
    userAgent: 'test',
    ip: '127.0.0.1',
  });
  const user: SignedIn = { userId, sessionId: session.id, authTime: session.createdAt };
  const publicClient = await registerClient(server.stores, { public: true });
  const confidential = await registerClient(server.stores);

  /** A code for `client` (consent given), its verifier, and the request it came from. */
  const code = async (
    client: ClientRecord,
    extra: Record<string, string> = {},
    who: SignedIn = user,
  ) => {
    const { verifier, challenge } = pkce();
    const params = authorizeParams(client, challenge, extra);
    const outcome = await server.core.authorization.decide(params, who, true);
    assert.ok(outcome.kind === 'redirect', JSON.stringify(outcome));
    const value = new URL(outcome.to).searchParams.get('code');
    assert.ok(value);
    return { code: value, verifier, params };
  };

  /** POST /oauth/token grant_type=authorization_code as `client` (by secret if confidential). */
  const exchange = (
    client: ClientRecord,
    got: { code: string; verifier: string },
    extra: Record<string, string> = {},
  ) => {
    const form = {
      grant_type: 'authorization_code',
      code: got.code,
      redirect_uri: client.redirectUris[0] ?? REDIRECT,
      code_verifier: got.verifier,
      ...extra,
    };
    if (client.secretHash === null)
      return postForm(server.app, '/oauth/token', { ...form, client_id: client.id });
    return postForm(server.app, '/oauth/token', form, { authorization: basic(client.id, SECRET) });
  };

  return { ...server, user, publicClient, confidential, code, exchange };
}

/** The JSON of a successful token response. */
export interface Tokens {
  access_token: string;
  token_type: string;
  expires_in: number;
  refresh_token?: string;
  id_token?: string;
  scope: string;
}

/** A JWT's header and claims, decoded without checking anything. */
export function decodeJwt(token: string): {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
} {
  const [header = '', claims = ''] = token.split('.');
  return {
    header: JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as Record<
      string,
      unknown
    >,
    claims: JSON.parse(Buffer.from(claims, 'base64url').toString('utf8')) as Record<
      string,
      unknown
    >,
  };
}
