/**
 * Interop with panva/jose as a resource server would use it: Tessera's access tokens, from
 * `POST /auth/token` and from client_credentials, verified by `jwtVerify` against the live JWKS
 * the metadata points to (RFC 9068: `typ` at+jwt, `iss`, `aud`), for every signing algorithm.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createRemoteJWKSet, errors, jwtVerify } from 'jose';
import {
  REQUEST_TIMEOUT_MS,
  RESOURCE,
  clientToken,
  decodePart,
  jwks,
  metadata,
  startLiveServer,
  userTokens,
} from './live-server.js';
import type { LiveServer } from './live-server.js';
import { activationDelayMs } from '../../src/core/keys/schedule.js';
import { ShiftedClock } from '../verify/tessera.js';
import type { JWTVerifyGetKey } from 'jose';

const SUITE = { timeout: 60_000 };

// RFC 9068 §2.2: the claims every access token carries; `sid` is Tessera's for user tokens.
const REQUIRED = ['iss', 'sub', 'aud', 'exp', 'iat', 'jti', 'client_id'];

/** A remote JWKS the way a resource server builds it: from the metadata's `jwks_uri`. */
async function remoteJwks(issuer: string, cooldownDuration?: number): Promise<JWTVerifyGetKey> {
  const jwksUri = String((await metadata(issuer)).jwks_uri);
  return createRemoteJWKSet(new URL(jwksUri), {
    timeoutDuration: REQUEST_TIMEOUT_MS,
    ...(cooldownDuration === undefined ? {} : { cooldownDuration }),
  });
}

function verify(
  server: LiveServer,
  token: string,
  key: JWTVerifyGetKey,
  audience: string,
  alg: string,
) {
  return jwtVerify(token, key, {
    issuer: server.issuer,
    audience,
    typ: 'at+jwt',
    algorithms: [alg],
    requiredClaims: REQUIRED,
  });
}

for (const alg of ['RS256', 'ES256', 'EdDSA'] as const) {
  describe(`${alg}: access tokens verify with jose through the remote JWKS`, SUITE, () => {
    let server: LiveServer;
    before(async () => {
      server = await startLiveServer({ config: { signingAlg: alg } });
    });
    after(() => server?.close());

    it('the JWKS publishes public keys only, each with kid, alg and use "sig"', async () => {
      const { keys } = await jwks(server.issuer);
      assert.equal(keys.length, 1);
      for (const key of keys) {
        assert.equal(typeof key.kid, 'string');
        assert.equal(key.alg, alg);
        assert.equal(key.use, 'sig');
        for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k']) {
          assert.equal(key[secret], undefined, `private member ${secret} published`);
        }
      }
    });

    it('a user token from /auth/token verifies with issuer, the first-party audience and typ at+jwt', async () => {
      const { userId, tokens } = await userTokens(server.issuer, `ada-${alg}@example.com`);
      const key = await remoteJwks(server.issuer);
      const { payload, protectedHeader } = await verify(
        server,
        tokens.access_token,
        key,
        server.config.audience,
        alg,
      );
      assert.equal(protectedHeader.alg, alg);
      assert.equal(protectedHeader.typ, 'at+jwt');
      const { keys } = await jwks(server.issuer);
      assert.ok(keys.some((jwk) => jwk.kid === protectedHeader.kid));
      assert.equal(payload.sub, userId);
      assert.equal(payload.client_id, 'tessera');
      assert.equal(payload.scope, 'account');
      assert.equal(typeof payload.sid, 'string');
      assert.equal(payload.exp, (payload.iat ?? 0) + tokens.expires_in);
    });

    it('a client_credentials token verifies with issuer, the requested resource as audience and typ at+jwt', async () => {
      const token = await clientToken(server);
      const { payload } = await verify(
        server,
        token,
        await remoteJwks(server.issuer),
        RESOURCE,
        alg,
      );
      assert.equal(payload.sub, server.client.id);
      assert.equal(payload.client_id, server.client.id);
      assert.equal(payload.scope, 'reports:read reports:write');
      assert.equal(payload.sid, undefined);
    });

    it('jose refuses a token for another audience or issuer', async () => {
      const token = await clientToken(server);
      const key = await remoteJwks(server.issuer);
      await assert.rejects(verify(server, token, key, server.config.audience, alg), {
        code: 'ERR_JWT_CLAIM_VALIDATION_FAILED',
        claim: 'aud',
      });
      await assert.rejects(
        jwtVerify(token, key, { issuer: 'http://127.0.0.1:1', audience: RESOURCE }),
        { code: 'ERR_JWT_CLAIM_VALIDATION_FAILED', claim: 'iss' },
      );
    });
  });
}

describe('HS256: tokens verify with the shared secret; the JWKS stays empty', SUITE, () => {
  const secret = randomBytes(32);
  let server: LiveServer;
  before(async () => {
    server = await startLiveServer({
      config: { signingAlg: 'HS256', hs256Secret: secret.toString('base64') },
    });
  });
  after(() => server?.close());

  it('the JWKS lists no key: a shared secret is never published', async () => {
    assert.deepEqual(await jwks(server.issuer), { keys: [] });
  });

  it('a user token and a client_credentials token verify with the secret, issuer, audience and typ at+jwt', async () => {
    const { userId, tokens } = await userTokens(server.issuer, 'ada-hs256@example.com');
    const user = await jwtVerify(tokens.access_token, secret, {
      issuer: server.issuer,
      audience: server.config.audience,
      typ: 'at+jwt',
      algorithms: ['HS256'],
      requiredClaims: REQUIRED,
    });
    assert.equal(user.protectedHeader.alg, 'HS256');
    assert.equal(user.payload.sub, userId);

    const client = await jwtVerify(await clientToken(server), secret, {
      issuer: server.issuer,
      audience: RESOURCE,
      typ: 'at+jwt',
      algorithms: ['HS256'],
      requiredClaims: REQUIRED,
    });
    assert.equal(client.payload.sub, server.client.id);
  });

  it('a verifier on the remote JWKS cannot accept an HS256 token, and another secret does not verify it', async () => {
    const token = await clientToken(server);
    // jose refuses symmetric algorithms with a JWKS outright (a JWKS holds public keys only).
    await assert.rejects(
      jwtVerify(token, await remoteJwks(server.issuer), { issuer: server.issuer }),
      errors.JOSENotSupported,
    );
    await assert.rejects(
      jwtVerify(token, randomBytes(32), { issuer: server.issuer }),
      errors.JWSSignatureVerificationFailed,
    );
  });
});

describe(
  'key rotation: tokens of the old and the new key both verify through the remote JWKS',
  SUITE,
  () => {
    let server: LiveServer;
    let clock: ShiftedClock;
    before(async () => {
      clock = new ShiftedClock();
      server = await startLiveServer({ config: { signingAlg: 'RS256' }, heldCore: true, clock });
    });
    after(() => server?.close());

    it('after `tessera keys rotate` and the server’s key reload, old and new tokens verify and the JWKS lists both keys', async () => {
      const { tokens } = await userTokens(server.issuer, 'ada-rotate@example.com');
      const oldUser = tokens.access_token;
      const oldClient = await clientToken(server);
      // A resource server that fetched the JWKS before the rotation and may refetch on a new kid.
      const early = await remoteJwks(server.issuer, 0);
      await verify(server, oldUser, early, server.config.audience, 'RS256');
      const oldKid = decodePart(oldUser, 0).kid;

      // What `tessera keys rotate` does beside a running server, then what its reload timer does.
      const newKid = await server.admin.keyRing.rotate();
      await server.reloadKeys();
      // A planned rotation: the server signs with the new key once its activation has come.
      clock.advance(activationDelayMs);
      assert.notEqual(newKid, oldKid);

      const { tokens: after } = await userTokens(server.issuer, 'bob-rotate@example.com');
      const newUser = after.access_token;
      const newClient = await clientToken(server);
      assert.equal(decodePart(newUser, 0).kid, newKid);
      assert.equal(decodePart(newClient, 0).kid, newKid);

      const kids = (await jwks(server.issuer)).keys.map((key) => key.kid);
      assert.deepEqual(new Set(kids), new Set([oldKid, newKid]));

      const fresh = await remoteJwks(server.issuer);
      for (const key of [fresh, early]) {
        await verify(server, oldUser, key, server.config.audience, 'RS256');
        await verify(server, newUser, key, server.config.audience, 'RS256');
        await verify(server, oldClient, key, RESOURCE, 'RS256');
        await verify(server, newClient, key, RESOURCE, 'RS256');
      }
    });
  },
);
