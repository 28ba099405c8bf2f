/**
 * Interop with fast-jwt, a verifier that shares no code with jose: the public key comes from the
 * live JWKS (converted to PEM by node:crypto), and `allowedIss`, `allowedAud` and `checkTyp`
 * hold Tessera's tokens to RFC 9068. A tampered token must fail its signature check.
 */
import assert from 'node:assert/strict';
import { createPublicKey, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createVerifier } from 'fast-jwt';
import {
  RESOURCE,
  clientToken,
  decodePart,
  jwks,
  startLiveServer,
  userTokens,
} from './live-server.js';
import type { LiveServer } from './live-server.js';
import type { Algorithm } from 'fast-jwt';
import type { JsonWebKey } from 'node:crypto';

const SUITE = { timeout: 60_000 };

const REQUIRED = ['iss', 'sub', 'aud', 'exp', 'iat', 'jti', 'client_id'];

/** The PEM of the JWKS key that signed `token`, picked by the token's `kid`. */
async function publicPem(issuer: string, token: string): Promise<string> {
  const { kid } = decodePart(token, 0);
  const jwk = (await jwks(issuer)).keys.find((key) => key.kid === kid);
  if (!jwk) throw new Error(`no key ${String(kid)} in the JWKS`);
  return createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' })
    .export({ type: 'spki', format: 'pem' })
    .toString();
}

function verifierFor(key: string | Buffer, alg: Algorithm, issuer: string, audience: string) {
  return createVerifier({
    key,
    algorithms: [alg],
    allowedIss: issuer,
    allowedAud: audience,
    checkTyp: 'at+jwt',
    requiredClaims: REQUIRED,
    complete: true,
  });
}

/** The token with its payload changed and the original signature kept. */
function withPayload(token: string, change: (claims: Record<string, unknown>) => void): string {
  const [header, , signature] = token.split('.');
  const claims = decodePart(token, 1);
  change(claims);
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return `${header}.${payload}.${signature}`;
}

/** The token with one signature byte flipped (in the middle: never only padding bits). */
function withFlippedSignature(token: string): string {
  const [header, payload, signature = ''] = token.split('.');
  const bytes = Buffer.from(signature, 'base64url');
  const at = Math.floor(bytes.length / 2);
  bytes[at] = (bytes[at] ?? 0) ^ 0x01;
  return `${header}.${payload}.${bytes.toString('base64url')}`;
}

function assertRejectsTampering(verify: (token: string) => unknown, token: string) {
  const elevated = withPayload(token, (claims) => {
    claims.scope = 'admin';
  });
  assert.throws(() => verify(elevated), { code: 'FAST_JWT_INVALID_SIGNATURE' });
  assert.throws(() => verify(withFlippedSignature(token)), { code: 'FAST_JWT_INVALID_SIGNATURE' });
}

interface Decoded {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
}

for (const alg of ['RS256', 'ES256', 'EdDSA'] as const) {
  describe(
    `${alg}: access tokens verify with fast-jwt and the public key from the JWKS`,
    SUITE,
    () => {
      let server: LiveServer;
      before(async () => {
        server = await startLiveServer({ config: { signingAlg: alg } });
      });
      after(() => server?.close());

      it('a user token from /auth/token verifies with allowedIss, allowedAud and typ at+jwt; tampered, it does not', async () => {
        const { userId, tokens } = await userTokens(server.issuer, `ada-${alg}@example.com`);
        const token = tokens.access_token;
        const pem = await publicPem(server.issuer, token);
        const verify = verifierFor(pem, alg, server.issuer, server.config.audience);
        const { header, payload } = verify(token) as Decoded;
        assert.equal(header.alg, alg);
        assert.equal(payload.sub, userId);
        assert.equal(payload.client_id, 'tessera');
        assertRejectsTampering(verify, token);
      });

      it('a client_credentials token verifies with allowedIss, allowedAud and typ at+jwt; tampered, it does not', async () => {
        const token = await clientToken(server);
        const pem = await publicPem(server.issuer, token);
        const verify = verifierFor(pem, alg, server.issuer, RESOURCE);
        const { payload } = verify(token) as Decoded;
        assert.equal(payload.sub, server.client.id);
        assert.equal(payload.aud, RESOURCE);
        assertRejectsTampering(verify, token);
        // The first-party audience is not the client's: a first-party API refuses its token.
        const firstParty = verifierFor(pem, alg, server.issuer, server.config.audience);
        assert.throws(() => firstParty(token), { code: 'FAST_JWT_INVALID_CLAIM_VALUE' });
      });
    },
  );
}

describe('HS256: access tokens verify with fast-jwt and the shared secret', SUITE, () => {
  const secret = randomBytes(32);
  let server: LiveServer;
  before(async () => {
    server = await startLiveServer({
      config: { signingAlg: 'HS256', hs256Secret: secret.toString('base64') },
    });
  });
  after(() => server?.close());

  it('user and client_credentials tokens verify with the secret; tampered, or with another secret, they do not', async () => {
    assert.deepEqual(await jwks(server.issuer), { keys: [] });
    const { userId, tokens } = await userTokens(server.issuer, 'ada-hs256@example.com');
    const user = verifierFor(secret, 'HS256', server.issuer, server.config.audience);
    assert.equal((user(tokens.access_token) as Decoded).payload.sub, userId);
    assertRejectsTampering(user, tokens.access_token);

    const token = await clientToken(server);
    const client = verifierFor(secret, 'HS256', server.issuer, RESOURCE);
    assert.equal((client(token) as Decoded).payload.sub, server.client.id);
    assertRejectsTampering(client, token);
    const stranger = verifierFor(randomBytes(32), 'HS256', server.issuer, RESOURCE);
    assert.throws(() => stranger(token), { code: 'FAST_JWT_INVALID_SIGNATURE' });
  });
});
