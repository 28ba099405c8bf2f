// Property tests: whatever string comes in, the verifier answers with claims or a TesseraError —
// never another exception, never a crash — and no change to a valid token is ever accepted.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import fc from 'fast-check';
import { TesseraError } from '../../../src/core/errors.js';
import type { SigningKey } from '../../../src/core/keys/key.js';
import { encodeBase64url } from '../../../src/core/tokens/base64url.js';
import type { AccessTokenVerifier } from '../../../src/core/tokens/verify.js';
import { algorithms, claimsAt, forge, headerOf, issue, keyFor, verifierFor } from './helpers.js';

const runs = { numRuns: 2000 };
const keys: SigningKey[] = [];
let verifier: AccessTokenVerifier;
before(async () => {
  for (const alg of algorithms) keys.push(await keyFor(alg));
  verifier = verifierFor(keys).verifier;
});

/** Runs the verifier; returns 'accepted' or the TesseraError code, and fails on anything else. */
function outcome(token: string): string {
  try {
    verifier.verify(token);
    return 'accepted';
  } catch (error) {
    if (!(error instanceof TesseraError))
      throw new Error(`non-Tessera exception: ${String(error)}`);
    assert.match(error.code, /^token_/);
    return error.code;
  }
}

const base64urlish = fc
  .array(
    fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ '),
    { maxLength: 300 },
  )
  .map((chars) => chars.join(''));

describe('any input string ends in claims or a TesseraError', () => {
  test('arbitrary strings, including lone surrogates and control characters', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 400 }),
          fc.string({ maxLength: 400 }),
          base64urlish,
        ),
        (input) => {
          assert.notEqual(outcome(input), 'accepted');
        },
      ),
      runs,
    );
  });

  test('three base64url segments of arbitrary bytes', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 200 }),
        fc.uint8Array({ maxLength: 400 }),
        fc.uint8Array({ maxLength: 300 }),
        (h, p, s) => {
          assert.notEqual(
            outcome(`${encodeBase64url(h)}.${encodeBase64url(p)}.${encodeBase64url(s)}`),
            'accepted',
          );
        },
      ),
      runs,
    );
  });

  test('arbitrary JSON headers and payloads, validly signed by a trusted key', () => {
    const names = [
      'alg',
      'typ',
      'kid',
      'crit',
      'jwk',
      'jku',
      'b64',
      'x5c',
      'cty',
      'zip',
      '__proto__',
      'constructor',
    ];
    const header = fc.dictionary(fc.oneof(fc.constantFrom(...names), fc.string()), fc.jsonValue(), {
      maxKeys: 6,
    });
    const claims = [
      'iss',
      'sub',
      'aud',
      'exp',
      'iat',
      'nbf',
      'jti',
      'client_id',
      'scope',
      'sid',
      '__proto__',
    ];
    const payload = fc.dictionary(
      fc.oneof(fc.constantFrom(...claims), fc.string()),
      fc.jsonValue(),
      { maxKeys: 12 },
    );
    fc.assert(
      fc.property(fc.nat(keys.length - 1), header, payload, fc.boolean(), (index, h, p, base) => {
        const key = keys[index];
        assert.ok(key);
        outcome(
          forge(key, base ? { ...headerOf(key), ...h } : h, base ? { ...claimsAt(), ...p } : p),
        );
      }),
      runs,
    );
  });

  test('arbitrary JSON text (not only objects), validly signed', () => {
    fc.assert(
      fc.property(fc.nat(keys.length - 1), fc.json(), fc.json(), (index, h, p) => {
        const key = keys[index];
        assert.ok(key);
        assert.notEqual(outcome(forge(key, h, p)), 'accepted');
      }),
      runs,
    );
  });
});

describe('no change to a valid token is ever accepted', () => {
  const mutation = fc.oneof(
    fc.record({
      kind: fc.constant('replace' as const),
      at: fc.nat(),
      char: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
    }),
    fc.record({
      kind: fc.constant('insert' as const),
      at: fc.nat(),
      char: fc.string({ unit: 'binary', minLength: 1, maxLength: 4 }),
    }),
    fc.record({
      kind: fc.constant('delete' as const),
      at: fc.nat(),
      length: fc.integer({ min: 1, max: 8 }),
    }),
    fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
    fc.record({ kind: fc.constant('swap' as const), a: fc.nat(2), b: fc.nat(2) }),
  );

  test('replacing, inserting, deleting, truncating or swapping segments', () => {
    const tokens = keys.map((key) => issue(key).token);
    fc.assert(
      fc.property(fc.nat(keys.length - 1), mutation, (index, change) => {
        const token = tokens[index] ?? '';
        let mutated: string;
        switch (change.kind) {
          case 'replace': {
            const at = change.at % token.length;
            mutated = token.slice(0, at) + change.char + token.slice(at + 1);
            break;
          }
          case 'insert': {
            const at = change.at % (token.length + 1);
            mutated = token.slice(0, at) + change.char + token.slice(at);
            break;
          }
          case 'delete': {
            const at = change.at % token.length;
            mutated = token.slice(0, at) + token.slice(at + change.length);
            break;
          }
          case 'truncate':
            mutated = token.slice(0, change.at % token.length);
            break;
          case 'swap': {
            const parts = token.split('.');
            [parts[change.a], parts[change.b]] = [parts[change.b] ?? '', parts[change.a] ?? ''];
            mutated = parts.join('.');
            break;
          }
        }
        fc.pre(mutated !== token);
        assert.notEqual(outcome(mutated), 'accepted', mutated);
      }),
      { numRuns: 5000 },
    );
  });

  test('every valid token itself is accepted (the properties above are not vacuous)', () => {
    for (const key of keys) assert.equal(outcome(issue(key).token), 'accepted');
  });
});
