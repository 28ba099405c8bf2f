/**
 * End to end through createVerifier: an issuer (or whoever controls its JWKS) that publishes a
 * broken public key cannot get a token verified that nobody signed. Before the key checks of
 * src/core/keys/key-strength.ts, each forged token below verified.
 */
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { encodeBase64url } from '../../src/core/tokens/base64url.js';
import { createVerifier, type Verifier } from '../../src/verify/index.js';
import { ED25519_SMALL_ORDER } from '../core/keys/hostile.js';
import { sign } from './forge.js';
import type { Fetch } from '../../src/verify/http.js';
import type { JWK } from 'jose';

const ISSUER = 'http://127.0.0.1:9';
const AUDIENCE = 'reports-api';

const good = generateKeyPairSync('rsa', { modulusLength: 2048 });
const goodJwk = good.publicKey.export({ format: 'jwk' }) as JWK;
// e = 1 over a real modulus: s^1 mod n = s, so the "signature" is the encoded message itself.
const exponentOne: JWK = { ...goodJwk, e: 'AQ', kid: 'e1', alg: 'RS256', use: 'sig' };
const identityHex = ED25519_SMALL_ORDER[0]?.hex ?? '';
const identity: JWK = {
  kty: 'OKP',
  crv: 'Ed25519',
  x: Buffer.from(identityHex, 'hex').toString('base64url'),
  kid: 'ed-identity',
  alg: 'EdDSA',
  use: 'sig',
};

const jwks = {
  keys: [{ ...goodJwk, kid: 'good', alg: 'RS256', use: 'sig' }, exponentOne, identity],
};

/** An issuer that serves its metadata and the JWKS above, and nothing else. */
const fakeIssuer: Fetch = (input) => {
  const url = String(input instanceof Request ? input.url : input);
  const body = url.endsWith('/jwks.json')
    ? jwks
    : { issuer: ISSUER, jwks_uri: `${ISSUER}/jwks.json` };
  return Promise.resolve(Response.json(body));
};

function claims(): Record<string, unknown> {
  const iat = Math.floor(Date.now() / 1000);
  return {
    iss: ISSUER,
    sub: 'admin',
    aud: AUDIENCE,
    exp: iat + 600,
    iat,
    jti: randomBytes(16).toString('base64url'),
    client_id: 'attacker',
    scope: 'admin',
  };
}

/** RFC 8017 §9.2 EMSA-PKCS1-v1_5 encoding of SHA-256(input), `length` bytes long. */
function emsaPkcs1(input: string, length: number): Buffer {
  const digestInfo = Buffer.concat([
    Buffer.from('3031300d060960864801650304020105000420', 'hex'),
    createHash('sha256').update(input).digest(),
  ]);
  const padding = Buffer.alloc(length - digestInfo.length - 3, 0xff);
  return Buffer.concat([Buffer.from([0, 1]), padding, Buffer.from([0]), digestInfo]);
}

function unsigned(header: Record<string, unknown>): string {
  return `${encodeBase64url(JSON.stringify(header))}.${encodeBase64url(JSON.stringify(claims()))}`;
}

describe('a token forged against a broken key in the JWKS is refused', () => {
  let verifier: Verifier;
  before(async () => {
    verifier = await createVerifier({
      issuer: ISSUER,
      audience: AUDIENCE,
      revocations: 'off',
      fetch: fakeIssuer,
      jwksRefreshCooldownMs: 0,
    });
  });
  after(() => verifier.close());

  it('the fake issuer is otherwise sound: a token signed with its real key verifies', async () => {
    const token = sign(
      { kid: 'good', alg: 'RS256', key: good.publicKey, privateKey: good.privateKey },
      { alg: 'RS256', typ: 'at+jwt', kid: 'good' },
      claims(),
    );
    assert.equal((await verifier.verify(token)).sub, 'admin');
  });

  it('RSA e = 1: a padded digest as the signature, made with no private key, is refused', async () => {
    const input = unsigned({ alg: 'RS256', typ: 'at+jwt', kid: 'e1' });
    const forged = `${input}.${emsaPkcs1(input, 256).toString('base64url')}`;
    await assert.rejects(verifier.verify(forged), { code: 'token_unknown_key' });
  });

  it('Ed25519 identity key: R = identity, S = 0 is refused', async () => {
    const input = unsigned({ alg: 'EdDSA', typ: 'at+jwt', kid: 'ed-identity' });
    const signature = Buffer.concat([Buffer.from(identityHex, 'hex'), Buffer.alloc(32)]);
    await assert.rejects(verifier.verify(`${input}.${signature.toString('base64url')}`), {
      code: 'token_unknown_key',
    });
  });

  it('health lists only the sound key', () => {
    assert.deepEqual(verifier.health().jwks.kids, ['good']);
  });
});
