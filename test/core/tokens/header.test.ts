// The JOSE header rules: RFC 7515 §4.1, RFC 8725 §3.1/§3.10/§3.11, RFC 9068 §4.
import assert from 'node:assert/strict';
import { createHmac, generateKeyPairSync } from 'node:crypto';
import { before, describe, test } from 'node:test';
import { exportJWK } from 'jose';
import type { SigningKey } from '../../../src/core/keys/key.js';
import { encodeBase64url } from '../../../src/core/tokens/base64url.js';
import {
  algorithms,
  assertCode,
  claimsAt,
  compact,
  forge,
  headerOf,
  keyFor,
  split,
  verifierFor,
} from './helpers.js';

const keys = new Map<string, SigningKey>();
before(async () => {
  for (const alg of algorithms) keys.set(alg, await keyFor(alg));
});
const key = (alg: string): SigningKey => {
  const found = keys.get(alg);
  assert.ok(found);
  return found;
};
const all = (): SigningKey[] => [...keys.values()];

/** A token whose signature is an HMAC by `secret`, under any header. */
function hmacToken(header: Record<string, unknown>, secret: Buffer | string): string {
  const input = `${encodeBase64url(JSON.stringify(header))}.${encodeBase64url(JSON.stringify(claimsAt()))}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

describe('alg "none" is refused in every spelling (RFC 8725 §2.1, §3.1)', () => {
  for (const none of ['none', 'None', 'NONE', 'nOnE', 'noNe']) {
    test(`alg "${none}" with or without a kid or signature is unsupported`, () => {
      const { verifier } = verifierFor(all());
      const rs = key('RS256');
      for (const header of [
        { alg: none, typ: 'at+jwt', kid: rs.kid },
        { alg: none, typ: 'at+jwt' },
        { alg: none },
      ]) {
        const [h, p] = split(forge(rs, header, claimsAt()));
        assertCode(() => verifier.verify(compact(h, p, '')), 'token_unsupported');
        assertCode(() => verifier.verify(compact(h, p, 'c2lnbmF0dXJl')), 'token_unsupported');
      }
    });
  }
});

describe('the key decides the algorithm, never the header (RFC 8725 §3.1)', () => {
  for (const alg of ['RS256', 'ES256', 'EdDSA']) {
    test(`an HS256 token "signed" with the ${alg} public key as the secret is unsupported`, async () => {
      const victim = key(alg);
      const { verifier } = verifierFor(all());
      const pem = victim.key.export({ type: 'spki', format: 'pem' });
      const der = victim.key.export({ type: 'spki', format: 'der' });
      const jwk = JSON.stringify(await exportJWK(victim.key));
      for (const secret of [pem, der, jwk]) {
        const header = { alg: 'HS256', typ: 'at+jwt', kid: victim.kid };
        assertCode(() => verifier.verify(hmacToken(header, secret)), 'token_unsupported');
      }
    });
  }

  test('any alg other than the key’s own is unsupported, even a valid-looking one', () => {
    const { verifier } = verifierFor(all());
    const rs = key('RS256');
    for (const alg of ['ES256', 'EdDSA', 'HS256', 'PS256', 'RS512', 'rs256', 'RS256 ', 'Ed25519']) {
      assertCode(
        () => verifier.verify(forge(rs, { ...headerOf(rs), alg }, claimsAt())),
        'token_unsupported',
      );
    }
  });

  test('a missing or non-string alg is malformed', () => {
    const { verifier } = verifierFor(all());
    const rs = key('RS256');
    for (const alg of [undefined, null, 256, ['RS256'], { name: 'RS256' }]) {
      const header = { typ: 'at+jwt', kid: rs.kid, ...(alg === undefined ? {} : { alg }) };
      assertCode(() => verifier.verify(forge(rs, header, claimsAt())), 'token_malformed');
    }
  });
});

describe('keys come from the key set only (RFC 8725 §3.10, RFC 7515 §4.1.2–4.1.6)', () => {
  test('an embedded jwk is unsupported, even one that really signed the token', async () => {
    const attacker = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const es = key('ES256');
    const own = { ...es, key: attacker.publicKey, privateKey: attacker.privateKey };
    const header = { ...headerOf(es), jwk: await exportJWK(attacker.publicKey) };
    const { verifier } = verifierFor(all());
    assertCode(() => verifier.verify(forge(own, header, claimsAt())), 'token_unsupported');
  });

  for (const [name, value] of [
    ['jku', 'https://attacker.example/jwks.json'],
    ['x5u', 'https://attacker.example/cert.pem'],
    ['x5c', ['MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA']],
  ] as const) {
    test(`a "${name}" header is unsupported`, () => {
      const es = key('ES256');
      const { verifier } = verifierFor(all());
      assertCode(
        () => verifier.verify(forge(es, { ...headerOf(es), [name]: value }, claimsAt())),
        'token_unsupported',
      );
    });
  }
});

describe('no extension is ever switched on by a header (RFC 7515 §4.1.11, RFC 7797)', () => {
  test('any "crit", even an empty or well-known one, is unsupported', () => {
    const es = key('ES256');
    const { verifier } = verifierFor(all());
    for (const crit of [['exp'], [], ['b64'], 'b64', ['x-custom']]) {
      const header = { ...headerOf(es), crit, exp: 1, 'x-custom': true };
      assertCode(() => verifier.verify(forge(es, header, claimsAt())), 'token_unsupported');
    }
  });

  test('"b64": false is unsupported with or without "crit"', () => {
    const es = key('ES256');
    const { verifier } = verifierFor(all());
    for (const extra of [{ b64: false, crit: ['b64'] }, { b64: false }, { b64: true }]) {
      assertCode(
        () => verifier.verify(forge(es, { ...headerOf(es), ...extra }, claimsAt())),
        'token_unsupported',
      );
    }
  });

  test('"zip" and "cty" (compression, nested JWTs) are unsupported', () => {
    const es = key('ES256');
    const { verifier } = verifierFor(all());
    for (const extra of [{ zip: 'DEF' }, { cty: 'JWT' }, { cty: 'at+jwt' }]) {
      assertCode(
        () => verifier.verify(forge(es, { ...headerOf(es), ...extra }, claimsAt())),
        'token_unsupported',
      );
    }
  });

  test('an unknown, harmless header parameter is ignored (RFC 7515 §4)', () => {
    const es = key('ES256');
    const { verifier } = verifierFor(all());
    const token = forge(es, { ...headerOf(es), 'x-note': 'hello', x5t: 'abc' }, claimsAt());
    assert.equal(verifier.verify(token).client_id, 'tessera-first-party');
  });
});

describe('the kid is a short printable map key, nothing more', () => {
  test('a missing kid is an unknown key', () => {
    const es = key('ES256');
    const { verifier } = verifierFor(all());
    assertCode(
      () => verifier.verify(forge(es, { alg: 'ES256', typ: 'at+jwt' }, claimsAt())),
      'token_unknown_key',
    );
  });

  test('a kid not in the key set is an unknown key, whatever it looks like', () => {
    const es = key('ES256');
    const { verifier } = verifierFor(all());
    for (const kid of [
      'nope',
      '../../etc/passwd',
      '/dev/null',
      'http://attacker.example/k',
      '__proto__',
      'constructor',
      'toString',
      'hasOwnProperty',
      "'OR'1'='1",
      'TEST-ES256',
    ]) {
      assertCode(
        () => verifier.verify(forge(es, { ...headerOf(es), kid }, claimsAt())),
        'token_unknown_key',
      );
    }
  });

  test('a kid that is not a short printable string is malformed', () => {
    const es = key('ES256');
    const { verifier } = verifierFor(all());
    for (const kid of [
      '',
      ' ',
      'a b',
      'k\u0000',
      'k\n',
      'k\u202e',
      'ключ',
      'x'.repeat(129),
      42,
      null,
      true,
      ['test-es256'],
      { id: 'x' },
    ]) {
      assertCode(
        () => verifier.verify(forge(es, { ...headerOf(es), kid }, claimsAt())),
        'token_malformed',
      );
    }
  });
});

describe('access tokens carry typ "at+jwt" (RFC 9068 §4)', () => {
  test('a missing or different typ is unsupported', () => {
    const es = key('ES256');
    const { verifier } = verifierFor(all());
    for (const typ of [
      undefined,
      'JWT',
      'jwt',
      'at+jwt2',
      'application/jwt',
      'dpop+jwt',
      'application/at+jwt; x=1',
      '',
    ]) {
      const header = { alg: 'ES256', kid: es.kid, ...(typ === undefined ? {} : { typ }) };
      assertCode(() => verifier.verify(forge(es, header, claimsAt())), 'token_unsupported');
    }
  });

  test('"at+jwt" and "application/at+jwt" are accepted in any letter case', () => {
    const es = key('ES256');
    const { verifier } = verifierFor(all());
    for (const typ of ['at+jwt', 'application/at+jwt', 'AT+JWT', 'Application/At+Jwt']) {
      assert.equal(
        verifier.verify(forge(es, { ...headerOf(es), typ }, claimsAt())).iss,
        'http://localhost:8080',
      );
    }
  });

  test('a typ that is not a string is malformed', () => {
    const es = key('ES256');
    const { verifier } = verifierFor(all());
    for (const typ of [1, null, ['at+jwt'], { type: 'at+jwt' }]) {
      assertCode(
        () => verifier.verify(forge(es, { ...headerOf(es), typ }, claimsAt())),
        'token_malformed',
      );
    }
  });
});
