// The outside of a token: size, segments, base64url and JSON. Each test names the rule it guards.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { SigningKey } from '../../../src/core/keys/key.js';
import { encodeBase64url } from '../../../src/core/tokens/base64url.js';
import {
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

let key: SigningKey;
before(async () => {
  key = await keyFor('ES256');
});

describe('size is checked before any decoding or parsing', () => {
  test('a token over maxTokenBytes is refused as too large, whatever it contains', () => {
    const { verifier } = verifierFor([key]);
    // Pure junk that would be token_malformed if anything looked inside it.
    assertCode(() => verifier.verify('!'.repeat(8193)), 'token_too_large');
    assertCode(() => verifier.verify(`${issue(key).token}${'A'.repeat(8192)}`), 'token_too_large');
  });

  test('a 10 MB token is refused at once, without decoding it', () => {
    const { verifier } = verifierFor([key]);
    const huge = `${'eyJ'.repeat(1_200_000)}.${'A'.repeat(6_000_000)}.x`;
    const started = process.hrtime.bigint();
    assertCode(() => verifier.verify(huge), 'token_too_large');
    const micros = Number(process.hrtime.bigint() - started) / 1000;
    assert.ok(micros < 5_000, `took ${micros} µs`);
  });

  test('the limit is inclusive and configurable', () => {
    const { token } = issue(key);
    assert.ok(verifierFor([key], { maxTokenBytes: token.length }).verifier.verify(token));
    assertCode(
      () => verifierFor([key], { maxTokenBytes: token.length - 1 }).verifier.verify(token),
      'token_too_large',
    );
  });
});

describe('a compact JWS has exactly three segments (RFC 7515 §7.1)', () => {
  test('one, two, four and five segments are malformed', () => {
    const { verifier } = verifierFor([key]);
    const [h, p, s] = split(issue(key).token);
    for (const token of [
      h,
      `${h}.${p}`,
      `${h}.${p}.${s}.${s}`,
      `${h}.${p}.${s}.${s}.${s}`,
      '',
      '..',
      '...',
    ]) {
      assertCode(() => verifier.verify(token), 'token_malformed');
    }
  });

  test('an empty header is malformed; an empty payload is never parsed before its signature', () => {
    const { verifier } = verifierFor([key]);
    const [h, p, s] = split(issue(key).token);
    assertCode(() => verifier.verify(compact('', p, s)), 'token_malformed');
    // Zero bytes are valid base64url: the signature is checked first, and fails.
    assertCode(() => verifier.verify(compact(h, '', s)), 'token_signature_invalid');
    // Signed, the empty payload is then refused as not being a JSON object.
    assertCode(() => verifier.verify(forge(key, headerOf(key), '')), 'token_malformed');
  });

  test('a value that is not a string is malformed, not a crash', () => {
    const { verifier } = verifierFor([key]);
    for (const value of [undefined, null, 42, {}, ['a.b.c'], new String('a.b.c')]) {
      assertCode(() => verifier.verify(value as unknown as string), 'token_malformed');
    }
  });
});

describe('segments are canonical base64url (RFC 7515 §2, RFC 4648 §5)', () => {
  const mutations: [string, (segment: string) => string][] = [
    ['padding', (s) => `${s}${'='.repeat((4 - (s.length % 4)) % 4 || 4)}`],
    ['a "+" for a "-"', (s) => (s.includes('-') ? s.replace('-', '+') : `+${s.slice(1)}`)],
    ['a "/" for a "_"', (s) => (s.includes('_') ? s.replace('_', '/') : `/${s.slice(1)}`)],
    ['a space inside', (s) => `${s.slice(0, 4)} ${s.slice(5)}`],
    ['a line break inside', (s) => `${s.slice(0, 4)}\n${s.slice(5)}`],
    ['a look-alike of an alphabet letter', (s) => `${s.slice(0, 4)}\u012b${s.slice(5)}`],
  ];
  for (const [name, mutate] of mutations) {
    for (const index of [0, 1, 2] as const) {
      test(`${name} in segment ${index + 1} is malformed`, () => {
        const { verifier } = verifierFor([key]);
        const parts = split(issue(key).token);
        parts[index] = mutate(parts[index]);
        assertCode(() => verifier.verify(parts.join('.')), 'token_malformed');
      });
    }
  }

  test('non-zero trailing bits are malformed even though they decode to the same bytes', () => {
    const { verifier } = verifierFor([key]);
    const token = issue(key).token;
    for (const index of [0, 1, 2] as const) {
      const parts = split(token);
      const segment = parts[index];
      if (segment.length % 4 === 0) continue;
      // 'A' → 'B' sets the lowest spare bit; Node would decode both to the same bytes.
      const last = segment.at(-1) ?? '';
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      parts[index] = segment.slice(0, -1) + alphabet[alphabet.indexOf(last) + 1];
      assert.deepEqual(Buffer.from(parts[index], 'base64url'), Buffer.from(segment, 'base64url'));
      assertCode(() => verifier.verify(parts.join('.')), 'token_malformed');
    }
  });

  test('a segment of length 4n+1 is malformed', () => {
    const { verifier } = verifierFor([key]);
    const [h, p, s] = split(issue(key).token);
    const pad = (x: string) =>
      x.length % 4 === 0 ? `${x}A` : `${x}${'A'.repeat(5 - (x.length % 4))}`;
    assertCode(() => verifier.verify(compact(h, p, pad(s))), 'token_malformed');
  });
});

describe('header and claims are JSON objects (RFC 7515 §7.2.1, RFC 7519 §7.2)', () => {
  test('a header that is not JSON is malformed', () => {
    const { verifier } = verifierFor([key]);
    const [, p, s] = split(issue(key).token);
    for (const text of ['hello', '{"alg":"ES256"', '{alg:"ES256"}', "{'alg':'ES256'}", '']) {
      assertCode(() => verifier.verify(compact(encodeBase64url(text), p, s)), 'token_malformed');
    }
  });

  test('a header that is JSON but not an object is malformed', () => {
    const { verifier } = verifierFor([key]);
    const [, p, s] = split(issue(key).token);
    for (const text of ['null', '[]', '["alg","ES256"]', '"ES256"', '42', 'true']) {
      assertCode(() => verifier.verify(compact(encodeBase64url(text), p, s)), 'token_malformed');
    }
  });

  test('signed claims that are not JSON, or not an object, are malformed', () => {
    const { verifier } = verifierFor([key]);
    for (const payload of ['not json', '[1,2]', 'null', '"sub"', '{"sub":"a",}', '']) {
      assertCode(() => verifier.verify(forge(key, headerOf(key), payload)), 'token_malformed');
    }
  });

  test('signed claims that are not UTF-8 are malformed', () => {
    const { verifier } = verifierFor([key]);
    const text = JSON.stringify({ ...claimsAt(), sub: 'XX' });
    const bytes = Buffer.from(text, 'utf8');
    const at = text.indexOf('XX');
    bytes[at] = 0xc3; // a lead byte followed by an ASCII byte is invalid UTF-8
    assertCode(() => verifier.verify(forge(key, headerOf(key), bytes)), 'token_malformed');
  });

  test('a header that repeats a name is malformed, also when the repeat is escaped', () => {
    const { verifier } = verifierFor([key]);
    const claims = claimsAt();
    const tail = `"typ":"at+jwt","kid":"${key.kid}"`;
    for (const header of [
      `{"alg":"ES256","alg":"ES256",${tail}}`,
      `{"alg":"HS256",${tail},"alg":"ES256"}`,
      `{"alg":"ES256",${tail},"k\\u0069d":"${key.kid}"}`,
    ]) {
      assertCode(() => verifier.verify(forge(key, header, claims)), 'token_malformed');
    }
  });

  test('signed claims are not searched for repeated names: JSON.parse keeps the last, as jose does', () => {
    // A deliberate trade-off (see verify.ts): claims are parsed only after their signature
    // verified, so a duplicate needs a trusted signer to write it, and Tessera's cannot.
    const { verifier } = verifierFor([key]);
    const body = JSON.stringify(claimsAt()).slice(1, -1);
    const claims = verifier.verify(forge(key, headerOf(key), `{${body},"scope":"last"}`));
    assert.equal(claims.scope, 'last');
  });

  test('names that only look alike are not duplicates', () => {
    const { verifier } = verifierFor([key]);
    const body = JSON.stringify(claimsAt()).slice(1, -1);
    const payload = `{${body},"ext":{"a":"\\"a\\"","b":["a","a"],"c":{"a":1},"d":{"a":2}}}`;
    assert.equal(verifier.verify(forge(key, headerOf(key), payload)).iss, 'http://localhost:8080');
  });
});
