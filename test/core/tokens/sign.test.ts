// Issuing: the RFC 9068 shape of every access token Tessera signs.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { signAccessToken } from '../../../src/core/tokens/sign.js';
import {
  algorithms,
  issue,
  keyFor,
  split,
  start,
  startSeconds,
  userInput,
  verifierFor,
  withCode,
} from './helpers.js';

const decode = (segment: string): Record<string, unknown> =>
  JSON.parse(Buffer.from(segment, 'base64url').toString('utf8')) as Record<string, unknown>;

describe('access tokens follow RFC 9068', () => {
  for (const alg of algorithms) {
    test(`${alg}: the header is exactly alg, typ "at+jwt" and kid (RFC 9068 §2.1)`, async () => {
      const key = await keyFor(alg);
      const [header] = split(issue(key).token);
      assert.deepEqual(decode(header), { alg, typ: 'at+jwt', kid: key.kid });
    });

    test(`${alg}: a signed token verifies under the Tessera verifier`, async () => {
      const key = await keyFor(alg);
      const { verifier } = verifierFor([key]);
      const { token, claims } = issue(key);
      assert.deepEqual({ ...verifier.verify(token) }, { ...claims });
    });
  }

  test('a user token carries iss, sub, aud, exp, iat, jti, client_id, scope and sid (RFC 9068 §2.2)', async () => {
    const key = await keyFor('EdDSA');
    const input = userInput({ ttlSeconds: 900 });
    const { token, claims } = signAccessToken(key, input, start + 999);
    const [, payload] = split(token);
    assert.deepEqual(decode(payload), claims);
    assert.deepEqual(Object.keys(claims), [
      'iss',
      'sub',
      'aud',
      'exp',
      'iat',
      'jti',
      'client_id',
      'scope',
      'sid',
    ]);
    assert.equal(claims.iss, input.issuer);
    assert.equal(claims.sub, input.subject);
    assert.equal(claims.aud, input.audience);
    assert.equal(claims.client_id, input.clientId);
    assert.equal(claims.scope, input.scope);
    assert.equal(claims.sid, input.sessionId);
    assert.equal(claims.iat, startSeconds, 'iat is whole seconds, from the clock passed in');
    assert.equal(claims.exp, startSeconds + 900);
    assert.match(claims.jti, /^[A-Za-z0-9_-]{22}$/, '128 random bits');
  });

  test('a client-credentials token has no sid and may have no scope', async () => {
    const key = await keyFor('ES256');
    const { claims } = signAccessToken(
      key,
      {
        issuer: 'http://localhost:8080',
        subject: 'client-1',
        audience: ['a', 'b'],
        clientId: 'client-1',
        ttlSeconds: 300,
      },
      start,
    );
    assert.deepEqual(Object.keys(claims), ['iss', 'sub', 'aud', 'exp', 'iat', 'jti', 'client_id']);
    assert.deepEqual(claims.aud, ['a', 'b']);
  });

  test('every token gets its own jti', async () => {
    const key = await keyFor('HS256');
    const jtis = new Set(Array.from({ length: 200 }, () => issue(key).claims.jti));
    assert.equal(jtis.size, 200);
  });

  test('a lifetime outside 1 s – 24 h, or missing required input, is refused', async () => {
    const key = await keyFor('HS256');
    for (const ttlSeconds of [0, -1, 1.5, 86_401, Number.NaN]) {
      assert.throws(
        () => signAccessToken(key, userInput({ ttlSeconds }), start),
        withCode('internal'),
      );
    }
    for (const changes of [
      { issuer: '' },
      { subject: '' },
      { clientId: '' },
      { audience: [] },
      { sessionId: '' },
    ]) {
      assert.throws(() => signAccessToken(key, userInput(changes), start), withCode('internal'));
    }
    assert.throws(() => signAccessToken(key, userInput(), Number.NaN), withCode('internal'));
  });
});
