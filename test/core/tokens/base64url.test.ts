// Strict base64url (RFC 7515 §2, RFC 4648 §3.5, §5). The fast check in the verifier leans on how
// Node's lenient decoder treats stray characters; these tests pin that down for every UTF-16
// code unit, so a Node upgrade that changed it would fail here first.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { SigningKey } from '../../../src/core/keys/key.js';
import {
  decodeBase64url,
  decodeSegment,
  encodeBase64url,
  isCanonicalBase64url,
  isCompactAlphabet,
} from '../../../src/core/tokens/base64url.js';
import { TesseraError } from '../../../src/core/errors.js';
import { issue, keyFor, split, verifierFor } from './helpers.js';

const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

let key: SigningKey;
before(async () => {
  key = await keyFor('HS256');
});

describe('every code unit outside the base64url alphabet is refused', () => {
  test('replacing one character of any segment with it makes the token malformed', () => {
    const { verifier } = verifierFor([key], { cache: false });
    const token = issue(key).token;
    const parts = split(token);
    const positions: [number, number][] = [];
    for (const [index, segment] of parts.entries()) {
      for (const at of [0, segment.length >> 1, segment.length - 1]) positions.push([index, at]);
    }
    let checked = 0;
    for (let unit = 0; unit <= 0xffff; unit++) {
      const char = String.fromCharCode(unit);
      if (alphabet.includes(char)) continue;
      for (const [index, at] of positions) {
        const mutated = [...parts];
        const segment = mutated[index] ?? '';
        mutated[index] = segment.slice(0, at) + char + segment.slice(at + 1);
        try {
          verifier.verify(mutated.join('.'));
          assert.fail(`U+${unit.toString(16).padStart(4, '0')} at ${index}:${at} was accepted`);
        } catch (error) {
          assert.ok(error instanceof TesseraError);
          assert.equal(error.code, 'token_malformed', `U+${unit.toString(16)}: ${error.code}`);
        }
        checked++;
      }
    }
    assert.ok(checked > 65_000 * positions.length * 0.99);
  });

  test('inserting four of it (keeping the length class) makes the token malformed', () => {
    const { verifier } = verifierFor([key], { cache: false });
    const [h, p, s] = split(issue(key).token);
    for (let unit = 0; unit <= 0xffff; unit++) {
      const char = String.fromCharCode(unit);
      if (alphabet.includes(char) || char === '.') continue;
      const four = char.repeat(4);
      for (const token of [
        `${h}.${p.slice(0, 8)}${four}${p.slice(8)}.${s}`,
        `${h}.${p}.${s.slice(0, 8)}${four}${s.slice(8)}`,
      ]) {
        assert.throws(
          () => verifier.verify(token),
          (error: unknown) => error instanceof TesseraError && error.code === 'token_malformed',
        );
      }
    }
  });
});

describe('the strict codec', () => {
  test('round-trips bytes and strings without padding', () => {
    for (let length = 0; length < 40; length++) {
      const bytes = Buffer.from(Array.from({ length }, (_, i) => (i * 37 + length) & 0xff));
      const text = encodeBase64url(bytes);
      assert.doesNotMatch(text, /[=+/]/);
      assert.deepEqual(decodeBase64url(text), bytes);
      assert.deepEqual(decodeSegment(text), bytes);
    }
    assert.equal(encodeBase64url('{"alg":"EdDSA"}'), 'eyJhbGciOiJFZERTQSJ9');
  });

  test('refuses lengths of 4n+1, padding, the standard alphabet and spare bits', () => {
    for (const text of [
      'A',
      'AAAAA',
      'QQ==',
      'QR',
      'QUF',
      'QUJ',
      'a+b/',
      'ab c',
      'ab\n',
      'Zm9v\u0000',
    ]) {
      assert.equal(decodeBase64url(text), undefined, JSON.stringify(text));
      assert.equal(isCanonicalBase64url(text), false, JSON.stringify(text));
    }
    assert.deepEqual(decodeBase64url('QQ'), Buffer.from('A'));
    assert.deepEqual(decodeBase64url('QUE'), Buffer.from('AA'));
  });

  test('the token-wide alphabet check refuses non-ASCII, "+" and "/"', () => {
    assert.equal(isCompactAlphabet('abc.def.ghi'), true);
    for (const token of [
      'a+c.d.e',
      'a/c.d.e',
      'aé.d.e',
      'a\u012b.d.e',
      'a\ud83d\ude00.d.e',
      'a\ud800.d.e',
    ]) {
      assert.equal(isCompactAlphabet(token), false, JSON.stringify(token));
    }
  });
});
