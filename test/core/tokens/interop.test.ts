// Interoperability: Tessera's tokens verify under jose and fast-jwt, and theirs under Tessera.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createSigner, createVerifier } from 'fast-jwt';
import { jwtVerify, SignJWT } from 'jose';
import type { SigningAlgorithm } from '../../../src/core/keys/algorithms.js';
import type { SigningKey } from '../../../src/core/keys/key.js';
import {
  algorithms,
  audience,
  issue,
  issuer,
  keyFor,
  start,
  startSeconds,
  verifierFor,
} from './helpers.js';

/** The key as each library wants it: raw secret for HS256, PEM for public/private keys. */
function pem(key: SigningKey, half: 'public' | 'private'): string | Buffer {
  if (key.alg === 'HS256') return key.key.export();
  return half === 'public'
    ? key.key.export({ type: 'spki', format: 'pem' })
    : key.privateKey.export({ type: 'pkcs8', format: 'pem' });
}

const claims = () => ({
  sub: 'user-1',
  jti: `jti-${Math.random().toString(36).slice(2)}`,
  client_id: 'tessera-first-party',
  scope: 'openid',
  sid: 'session-1',
});

describe('Tessera tokens verify elsewhere', () => {
  for (const alg of algorithms) {
    test(`${alg}: jose.jwtVerify accepts a Tessera token with typ "at+jwt"`, async () => {
      const key = await keyFor(alg);
      const { token, claims: issued } = issue(key);
      const { payload, protectedHeader } = await jwtVerify(token, key.key, {
        algorithms: [alg],
        issuer,
        audience,
        typ: 'at+jwt',
        currentDate: new Date(start),
      });
      assert.deepEqual(payload, { ...issued });
      assert.equal(protectedHeader.kid, key.kid);
    });

    test(`${alg}: fast-jwt accepts a Tessera token`, async () => {
      const key = await keyFor(alg);
      const { token, claims: issued } = issue(key);
      const verify = createVerifier({
        key: pem(key, 'public'),
        algorithms: [alg],
        allowedIss: issuer,
        allowedAud: audience,
        checkTyp: 'at+jwt',
        clockTimestamp: start,
      });
      assert.deepEqual(verify(token), { ...issued });
    });
  }
});

describe('tokens from elsewhere verify under Tessera', () => {
  for (const alg of algorithms) {
    test(`${alg}: a token jose signs (typ "at+jwt") verifies`, async () => {
      const key = await keyFor(alg);
      const token = await new SignJWT(claims())
        .setProtectedHeader({ alg, typ: 'at+jwt', kid: key.kid })
        .setIssuer(issuer)
        .setAudience(audience)
        .setIssuedAt(startSeconds)
        .setExpirationTime(startSeconds + 600)
        .sign(key.privateKey);
      const { verifier } = verifierFor([key]);
      assert.equal(verifier.verify(token).sub, 'user-1');
    });

    test(`${alg}: a token fast-jwt signs (typ "at+jwt") verifies`, async () => {
      const key = await keyFor(alg);
      const sign = createSigner({
        key: pem(key, 'private'),
        algorithm: alg as SigningAlgorithm,
        kid: key.kid,
        header: { alg, typ: 'at+jwt' },
        iss: issuer,
        aud: audience,
        expiresIn: 600_000,
        clockTimestamp: start,
      });
      const { verifier } = verifierFor([key]);
      assert.equal(verifier.verify(sign(claims())).client_id, 'tessera-first-party');
    });
  }
});
