// Signatures: every algorithm, every way of getting one wrong (RFC 7515 §5.2, RFC 7518 §3).
import assert from 'node:assert/strict';
import { sign } from 'node:crypto';
import { before, describe, test } from 'node:test';
import { generateSigningKey } from '../../../src/core/keys/generate.js';
import type { SigningKey } from '../../../src/core/keys/key.js';
import { encodeBase64url } from '../../../src/core/tokens/base64url.js';
import {
  algorithms,
  assertCode,
  claimsAt,
  compact,
  forge,
  headerOf,
  issue,
  keyFor,
  split,
  verifierFor,
} from './helpers.js';

for (const alg of algorithms) {
  describe(`${alg} signatures`, () => {
    let key: SigningKey;
    let impostor: SigningKey;
    before(async () => {
      key = await keyFor(alg);
      // Same algorithm and same kid, different key material.
      impostor = await generateSigningKey(alg, { kid: key.kid });
    });

    test('a token signed by the key verifies', () => {
      const { verifier } = verifierFor([key]);
      const { token, claims } = issue(key);
      assert.deepEqual({ ...verifier.verify(token) }, { ...claims });
    });

    test('a tampered payload fails the signature', () => {
      const { verifier } = verifierFor([key]);
      const [h, p, s] = split(issue(key).token);
      const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
      for (const change of [{ sub: 'admin' }, { scope: 'admin' }, { exp: 4_102_444_800 }]) {
        const tampered = encodeBase64url(JSON.stringify({ ...claims, ...change }));
        assertCode(() => verifier.verify(compact(h, tampered, s)), 'token_signature_invalid');
      }
    });

    test('a tampered header fails the signature', () => {
      const { verifier } = verifierFor([key]);
      const [, p, s] = split(issue(key).token);
      const header = encodeBase64url(JSON.stringify({ ...headerOf(key), 'x-note': 1 }));
      assertCode(() => verifier.verify(compact(header, p, s)), 'token_signature_invalid');
    });

    test('a stripped signature fails', () => {
      const { verifier } = verifierFor([key]);
      const [h, p] = split(issue(key).token);
      assertCode(() => verifier.verify(compact(h, p, '')), 'token_signature_invalid');
    });

    test('a signature by another key under the same kid fails', () => {
      const { verifier } = verifierFor([key]);
      assertCode(() => verifier.verify(issue(impostor).token), 'token_signature_invalid');
    });

    test('a signature of the wrong length fails, shorter or longer', () => {
      const { verifier } = verifierFor([key]);
      const [h, p, s] = split(issue(key).token);
      const bytes = Buffer.from(s, 'base64url');
      for (const wrong of [
        bytes.subarray(0, bytes.length - 1),
        Buffer.concat([bytes, Buffer.from([0])]),
        Buffer.alloc(0),
        Buffer.alloc(1),
      ]) {
        assertCode(
          () => verifier.verify(compact(h, p, wrong.toString('base64url'))),
          'token_signature_invalid',
        );
      }
    });

    test('every single flipped signature bit fails', () => {
      const { verifier } = verifierFor([key], { cache: false });
      const [h, p, s] = split(issue(key).token);
      const bytes = Buffer.from(s, 'base64url');
      for (let bit = 0; bit < bytes.length * 8; bit += alg === 'RS256' ? 7 : 1) {
        const flipped = Buffer.from(bytes);
        flipped[bit >> 3] = (flipped[bit >> 3] ?? 0) ^ (1 << (bit & 7));
        assertCode(
          () => verifier.verify(compact(h, p, flipped.toString('base64url'))),
          'token_signature_invalid',
        );
      }
    });

    test('the signature of another token fails', () => {
      const { verifier } = verifierFor([key]);
      const [h, p] = split(issue(key).token);
      const [, , other] = split(issue(key).token);
      assertCode(() => verifier.verify(compact(h, p, other)), 'token_signature_invalid');
    });
  });
}

describe('ES256 signatures are raw R || S, 64 bytes (RFC 7518 §3.4)', () => {
  test('a DER-encoded ECDSA signature over the right input fails', async () => {
    const key = await keyFor('ES256');
    const { verifier } = verifierFor([key]);
    const [h, p] = split(forge(key, headerOf(key), claimsAt()));
    const der = sign('sha256', Buffer.from(`${h}.${p}`), {
      key: key.privateKey,
      dsaEncoding: 'der',
    });
    assert.notEqual(der.length, 64);
    assertCode(
      () => verifier.verify(compact(h, p, der.toString('base64url'))),
      'token_signature_invalid',
    );
  });

  test('an all-zero R || S fails without throwing anything else', async () => {
    const key = await keyFor('ES256');
    const { verifier } = verifierFor([key]);
    const [h, p] = split(forge(key, headerOf(key), claimsAt()));
    assertCode(
      () => verifier.verify(compact(h, p, Buffer.alloc(64).toString('base64url'))),
      'token_signature_invalid',
    );
  });
});

describe('HS256 compares in constant time over the full MAC (RFC 7518 §3.2)', () => {
  test('a truncated HMAC (e.g. 16 bytes) fails', async () => {
    const key = await keyFor('HS256');
    const { verifier } = verifierFor([key]);
    const [h, p, s] = split(issue(key).token);
    const half = Buffer.from(s, 'base64url').subarray(0, 16).toString('base64url');
    assertCode(() => verifier.verify(compact(h, p, half)), 'token_signature_invalid');
  });
});
