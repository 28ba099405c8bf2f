// Published test vectors: RFC 7515 Appendix A (A.1 HS256, A.2 RS256, A.3 ES256) and RFC 8037
// Appendix A (Ed25519: A.1–A.5). Data in test/vectors/, each file naming its source. The RFC
// examples are plain JWS without typ, kid or iss, so they are checked at the signature layer
// (verifyJws); the access-token verifier must refuse them for lacking typ "at+jwt".
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import type { JWK } from 'jose';
import { ManualClock } from '../../../src/core/clock.js';
import { thumbprintKid } from '../../../src/core/keys/generate.js';
import { importSigningKey, importVerificationKey } from '../../../src/core/keys/jwk.js';
import type { SigningAlgorithm } from '../../../src/core/keys/algorithms.js';
import { verifyJws } from '../../../src/core/tokens/jws.js';
import { signInput } from '../../../src/core/tokens/signature.js';
import { createAccessTokenVerifier } from '../../../src/core/tokens/verify.js';
import { createKeySet } from '../../../src/core/keys/key-set.js';
import { assertCode, compact, split } from './helpers.js';

interface Rfc7515Vector {
  section: string;
  alg: SigningAlgorithm;
  protectedHeader: string;
  deterministic: boolean;
  jwk: JWK;
  jws: string;
}
interface Rfc7515 {
  payload: string;
  vectors: Rfc7515Vector[];
}
interface Rfc8037 {
  'A.1': { jwk: JWK };
  'A.2': { jwk: JWK };
  'A.3': { thumbprint: string };
  'A.4': { protectedHeader: string; payload: string; jws: string };
}

const load = <T>(name: string): T =>
  JSON.parse(readFileSync(new URL(`../../vectors/${name}`, import.meta.url), 'utf8')) as T;
const rfc7515 = load<Rfc7515>('rfc7515-appendix-a.json');
const rfc8037 = load<Rfc8037>('rfc8037-appendix-a.json');

/** The public members of a JWK (what a JWKS would carry). */
function publicPart(jwk: JWK): JWK {
  const { kty, n, e, crv, x, y, k } = jwk;
  return Object.fromEntries(
    Object.entries({ kty, n, e, crv, x, y, k }).filter(([, v]) => v !== undefined),
  );
}

function flipLastSignatureByte(token: string): string {
  const [h, p, s] = split(token);
  const bytes = Buffer.from(s, 'base64url');
  bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 1;
  return compact(h, p, bytes.toString('base64url'));
}

describe('RFC 7515 Appendix A', () => {
  for (const vector of rfc7515.vectors) {
    const kid = `rfc7515-${vector.section.toLowerCase()}`;
    const verifyKey = () => importVerificationKey(publicPart(vector.jwk), { alg: vector.alg, kid });

    test(`${vector.section} (${vector.alg}): the example JWS verifies over its key`, async () => {
      const { header, payload } = verifyJws(vector.jws, await verifyKey());
      assert.equal(payload.toString('utf8'), rfc7515.payload);
      assert.equal(header.alg, vector.alg);
      assert.equal(
        Buffer.from(split(vector.jws)[0], 'base64url').toString(),
        vector.protectedHeader,
      );
    });

    test(`${vector.section} (${vector.alg}): signing the example input with the private key ${vector.deterministic ? 'reproduces the signature exactly' : 'gives a signature that verifies'}`, async () => {
      const signer = await importSigningKey(vector.jwk, { alg: vector.alg, kid });
      const [h, p, s] = split(vector.jws);
      const signature = signInput(signer, `${h}.${p}`).toString('base64url');
      if (vector.deterministic) assert.equal(signature, s);
      else assert.ok(verifyJws(compact(h, p, signature), await verifyKey()));
    });

    test(`${vector.section} (${vector.alg}): one flipped signature bit fails`, async () => {
      assertCode(
        () => verifyJws(flipLastSignatureByte(vector.jws), createKeySet([])),
        'token_unknown_key',
      );
      const key = await verifyKey();
      assertCode(
        () => verifyJws(flipLastSignatureByte(vector.jws), key),
        'token_signature_invalid',
      );
    });

    test(`${vector.section} (${vector.alg}): the access-token verifier refuses it for lacking typ "at+jwt"`, async () => {
      const verifier = createAccessTokenVerifier([await verifyKey()], {
        issuer: 'joe',
        clock: new ManualClock(1300819380 * 1000 - 60_000),
      });
      assertCode(() => verifier.verify(vector.jws), 'token_unsupported');
    });
  }
});

describe('RFC 8037 Appendix A (Ed25519)', () => {
  const vector = rfc8037['A.4'];

  test('A.3: the thumbprint of the A.2 public key is the published one (RFC 7638)', async () => {
    const key = await importVerificationKey(rfc8037['A.2'].jwk, { alg: 'EdDSA', kid: 'rfc8037' });
    assert.equal(await thumbprintKid(key.key), rfc8037['A.3'].thumbprint);
  });

  test('A.4: signing "Example of Ed25519 signing" with the A.1 key reproduces the JWS exactly', async () => {
    const signer = await importSigningKey(rfc8037['A.1'].jwk, { alg: 'EdDSA', kid: 'rfc8037' });
    const [h, p, s] = split(vector.jws);
    assert.equal(Buffer.from(h, 'base64url').toString(), vector.protectedHeader);
    assert.equal(Buffer.from(p, 'base64url').toString(), vector.payload);
    assert.equal(signInput(signer, `${h}.${p}`).toString('base64url'), s);
  });

  test('A.5: the A.4 JWS validates under the A.2 public key, and fails with a flipped bit', async () => {
    const key = await importVerificationKey(rfc8037['A.2'].jwk, { alg: 'EdDSA', kid: 'rfc8037' });
    assert.equal(verifyJws(vector.jws, key).payload.toString('utf8'), vector.payload);
    assertCode(() => verifyJws(flipLastSignatureByte(vector.jws), key), 'token_signature_invalid');
  });

  test('A.4: the access-token verifier refuses the example for lacking typ "at+jwt"', async () => {
    const key = await importVerificationKey(rfc8037['A.2'].jwk, { alg: 'EdDSA', kid: 'rfc8037' });
    const verifier = createAccessTokenVerifier([key], { issuer: 'x', clock: new ManualClock() });
    assertCode(() => verifier.verify(vector.jws), 'token_unsupported');
  });
});
