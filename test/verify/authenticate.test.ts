/**
 * src/verify/authenticate.ts: the one authenticator front the server's auth plugin and the
 * toolkit's middleware share — bearer parsing (RFC 6750 §2.1), the bearer/session/either choice,
 * and the `WWW-Authenticate` challenge. The last cases run the same hostile inputs through the
 * server (plugins/auth.ts in a Fastify app) and through the middleware (tessera/node) over real
 * HTTP, and require the same answer from both.
 */
import assert from 'node:assert/strict';
import { createServer, request as httpRequest, validateHeaderValue } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import Fastify, { type FastifyInstance } from 'fastify';
import fastifyCookie from '@fastify/cookie';
import { TesseraError } from '../../src/core/errors.js';
import { failureOf } from '../../src/middleware/authenticator.js';
import { createAuthenticate, sendAuthFailure } from '../../src/middleware/node.js';
import { authenticators } from '../../src/server/plugins/auth.js';
import { sessionCookie } from '../../src/server/plugins/cookies.js';
import { installErrorHandlers } from '../../src/server/plugins/errors.js';
import {
  bearerChallenge,
  bearerToken,
  challengeFor,
  credentialOf,
  quotedString,
} from '../../src/verify/authenticate.js';
import type { Core } from '../../src/core/tessera.js';
import type { Verifier } from '../../src/verify/verifier.js';

describe('bearer token parsing (RFC 6750 §2.1)', () => {
  it('the scheme is case-insensitive and may be followed by several spaces', () => {
    assert.equal(bearerToken('bearer abc'), 'abc');
    assert.equal(bearerToken('BEARER abc'), 'abc');
    assert.equal(bearerToken('Bearer  abc'), 'abc');
    assert.equal(bearerToken('Bearer abc.DEF-_~+/=='), 'abc.DEF-_~+/==');
  });

  it('exactly one token68: anything else is token_malformed', () => {
    for (const bad of [
      'Bearer',
      'Bearer ',
      'Bearer a b',
      'Bearer a,b',
      'Bearer a"b',
      'Bearer a;b',
      'Bearer a=b',
      'Bearer ünïcode',
      'Bearerabc',
      'Basic dXNlcjpwYXNz',
      ' Bearer abc',
      'Bearer\tabc',
    ]) {
      assert.throws(() => bearerToken(bad), { code: 'token_malformed' }, JSON.stringify(bad));
    }
  });

  it('two Authorization headers are token_malformed, even when both are valid', () => {
    assert.throws(() => bearerToken(['Bearer a', 'Bearer b']), { code: 'token_malformed' });
    assert.throws(() => bearerToken(['Bearer a', 'Bearer a']), { code: 'token_malformed' });
    assert.equal(bearerToken(['Bearer a']), 'a');
  });

  it('no Authorization header is unauthenticated, not malformed', () => {
    assert.throws(() => bearerToken(undefined), { code: 'unauthenticated' });
    assert.throws(() => bearerToken([]), { code: 'unauthenticated' });
  });
});

describe('which credential a route takes', () => {
  const both = { authorization: 'Bearer tok', cookie: 'tessera_session=sid' };

  it('either: an Authorization header wins over a session cookie, and decides alone', () => {
    assert.deepEqual(credentialOf('either', both, 'tessera_session'), {
      kind: 'bearer',
      token: 'tok',
    });
    assert.throws(
      () => credentialOf('either', { ...both, authorization: 'Bearer a b' }, 'tessera_session'),
      { code: 'token_malformed' },
    );
  });

  it('either: without an Authorization header, the session cookie', () => {
    assert.deepEqual(
      credentialOf('either', { authorization: undefined, cookie: both.cookie }, 'tessera_session'),
      { kind: 'session', value: 'sid' },
    );
    assert.throws(
      () => credentialOf('either', { authorization: undefined, cookie: 'x=1' }, 'tessera_session'),
      { code: 'unauthenticated', message: 'no access token or session cookie' },
    );
  });

  it('session: the cookie only, whatever the Authorization header says', () => {
    assert.deepEqual(credentialOf('session', both, 'tessera_session'), {
      kind: 'session',
      value: 'sid',
    });
    assert.throws(
      () => credentialOf('session', { ...both, cookie: undefined }, 'tessera_session'),
      { code: 'unauthenticated', message: 'no session cookie' },
    );
  });

  it('bearer: the Authorization header only, whatever cookie is sent', () => {
    assert.throws(
      () => credentialOf('bearer', { ...both, authorization: undefined }, 'tessera_session'),
      { code: 'unauthenticated' },
    );
  });
});

describe('WWW-Authenticate challenges', () => {
  it('RFC 6750 §3 forbids " and \\ in error_description: they are replaced, never sent', () => {
    assert.equal(
      bearerChallenge({ error: 'invalid_token', error_description: 'a "quoted" \\ path' }),
      `Bearer error="invalid_token", error_description="a 'quoted' ' path"`,
    );
  });

  it('the realm is an RFC 7235 quoted-string: " and \\ are escaped as quoted-pairs', () => {
    assert.equal(quotedString('say "hi" \\o/'), '"say \\"hi\\" \\\\o/"');
    assert.equal(
      bearerChallenge({ realm: 'a"b\\c', error: 'invalid_token' }),
      'Bearer realm="a\\"b\\\\c", error="invalid_token"',
    );
  });

  it('control characters and non-ASCII never reach the header (Node would refuse it)', () => {
    const challenge = bearerChallenge({
      realm: 'r\u00e9alm\r\n',
      error_description: 'caf\u00e9 \u2014 ok\r\nSet-Cookie: x=1',
    });
    assert.equal(
      challenge,
      'Bearer realm="r?alm??", error_description="caf? ? ok??Set-Cookie: x=1"',
    );
    validateHeaderValue('www-authenticate', challenge);
  });

  it('every 401 carries invalid_token; a missing scope names the scopes; a 403 csrf none', () => {
    const expired = new TesseraError('token_expired', 'expired');
    assert.equal(
      challengeFor(expired),
      'Bearer error="invalid_token", error_description="expired"',
    );
    assert.equal(
      challengeFor(new TesseraError('invalid_credentials', 'no')),
      'Bearer error="invalid_token", error_description="no"',
    );
    assert.equal(
      challengeFor(new TesseraError('insufficient_scope', 'needs a b'), { scopes: ['a', 'b'] }),
      'Bearer error="insufficient_scope", error_description="needs a b", scope="a b"',
    );
    assert.equal(challengeFor(new TesseraError('csrf', 'no')), undefined);
  });

  it('any message gives a header Node accepts and that parses back as one quoted-string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (realm, text) => {
        const challenge = challengeFor(new TesseraError('token_revoked', text), { realm });
        assert.ok(challenge);
        validateHeaderValue('www-authenticate', challenge);
        const quoted = '"(?:[\\t !#-\\[\\]-~]|\\\\[\\t -~])*"';
        const safe = '"[ !#-\\[\\]-~]*"';
        assert.match(
          challenge,
          new RegExp(`^Bearer realm=${quoted}, error="invalid_token", error_description=${safe}$`),
        );
      }),
    );
  });
});

/** What a request got back. */
interface Answer {
  status: number;
  challenge: string | undefined;
  body: Record<string, unknown>;
}

/** Sends a GET with raw header lines (so a header can be repeated; then Node adds no Host). */
function get(base: string, headers: [string, string][]): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const url = new URL('/me', base);
    const request = httpRequest(
      url,
      { method: 'GET', headers: [['host', url.host], ...headers].flat() },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => {
          const challenge = response.headers['www-authenticate'];
          resolve({
            status: response.statusCode ?? 0,
            challenge: typeof challenge === 'string' ? challenge : undefined,
            body: JSON.parse(text) as Record<string, unknown>,
          });
        });
      },
    );
    request.on('error', reject);
    request.end();
  });
}

// What a hostile token error says: both paths must quote it the same way.
const hostile = 'the token "x\\y" was revoked \u2014 at noon';
const user = { id: 'user-1', email: 'ada@example.com' };

describe('the server and the middleware answer with the same authenticator', () => {
  let server: FastifyInstance;
  let serverBase = '';
  let middleware: ReturnType<typeof createServer>;
  let middlewareBase = '';

  before(async () => {
    // The server's auth plugin over a core that accepts only the token "good" and the session "sid".
    const verify = async (token: string) => {
      if (token === 'good') return { claims: { aud: 'api', scope: 'account' }, user };
      throw new TesseraError('token_revoked', hostile);
    };
    const validate = async (secret: string) => {
      if (secret === 'sid') return { user, session: { id: 's1', csrfSecret: 'c' } };
      throw new TesseraError('unauthenticated', 'no such session');
    };
    // Nothing in a near cache: every session goes to `fromStore`, as on a first request.
    const sessions = { cached: () => undefined, fromStore: validate };
    const core = { accessTokens: { verify }, sessions } as unknown as Core;
    const cookie = sessionCookie({ issuer: 'http://127.0.0.1' });
    const auth = authenticators(core, cookie, ['http://127.0.0.1'], 'api');
    server = Fastify();
    await server.register(fastifyCookie);
    server.decorateRequest('authenticatedUser', null);
    installErrorHandlers(server);
    server.get('/me', { onRequest: auth.requireUser }, async (request) => ({
      via: request.authenticatedUser?.via,
    }));
    serverBase = await server.listen({ host: '127.0.0.1', port: 0 });

    // The middleware over a verifier that behaves the same.
    const verifier = {
      issuer: 'http://127.0.0.1',
      verify: async (token: string) => {
        if (token === 'good') return { sub: user.id, scope: 'account' };
        throw new TesseraError('token_revoked', hostile);
      },
    } as unknown as Verifier;
    const authenticate = createAuthenticate({
      verifier,
      accept: 'either',
      sessionCheck: async (value) => (value === 'sid' ? { userId: user.id } : undefined),
      csrf: false,
    });
    middleware = createServer((req, res) => {
      void authenticate(req).then((outcome) => {
        if (!outcome.ok) return sendAuthFailure(res, outcome.failure);
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ via: outcome.principal.via }));
      });
    });
    await new Promise<void>((resolve) => middleware.listen(0, '127.0.0.1', resolve));
    middlewareBase = `http://127.0.0.1:${(middleware.address() as AddressInfo).port}`;
  });

  after(async () => {
    await server.close();
    await new Promise((resolve) => middleware.close(resolve));
  });

  const both = async (headers: [string, string][]) => {
    const [fromServer, fromMiddleware] = await Promise.all([
      get(serverBase, headers),
      get(middlewareBase, headers),
    ]);
    return { fromServer, fromMiddleware };
  };

  it('the same hostile error message gives the identical WWW-Authenticate from both', async () => {
    const { fromServer, fromMiddleware } = await both([['authorization', 'Bearer revoked']]);
    const expected = `Bearer error="invalid_token", error_description="the token 'x'y' was revoked ? at noon"`;
    assert.equal(fromServer.status, 401);
    assert.equal(fromServer.challenge, expected);
    assert.equal(fromMiddleware.status, 401);
    assert.equal(fromMiddleware.challenge, expected);
    assert.deepEqual(fromServer.body, fromMiddleware.body);
    // And both equal the middleware's mapping of the same error, with no realm configured.
    const failure = failureOf(new TesseraError('token_revoked', hostile), {
      accept: 'either',
      realm: undefined,
      required: [],
    });
    assert.equal(failure.headers['www-authenticate'], expected);
  });

  it('both read "bearer" lowercase and two spaces as a bearer token', async () => {
    for (const value of ['bearer good', 'Bearer  good']) {
      const { fromServer, fromMiddleware } = await both([['authorization', value]]);
      assert.deepEqual(fromServer.body, { via: 'bearer' }, value);
      assert.deepEqual(fromMiddleware.body, { via: 'bearer' }, value);
    }
  });

  it('both refuse two Authorization headers and a token with characters outside token68', async () => {
    for (const headers of [
      [
        ['authorization', 'Bearer good'],
        ['authorization', 'Bearer good'],
      ],
      [
        ['Authorization', 'Bearer good'],
        ['AUTHORIZATION', 'Bearer good'],
      ],
      [['authorization', 'Bearer go"od']],
      [['authorization', 'Bearer go,od']],
    ] as [string, string][][]) {
      const { fromServer, fromMiddleware } = await both(headers);
      for (const answer of [fromServer, fromMiddleware]) {
        assert.equal(answer.status, 401, JSON.stringify(headers));
        assert.equal(answer.body.code, 'token_malformed');
        assert.match(String(answer.challenge), /^Bearer error="invalid_token"/);
      }
    }
  });

  it('with a bearer token and a session cookie both present, both judge by the token alone', async () => {
    const cookie: [string, string] = ['cookie', 'tessera_session=sid'];
    const good = await both([['authorization', 'Bearer good'], cookie]);
    assert.deepEqual(good.fromServer.body, { via: 'bearer' });
    assert.deepEqual(good.fromMiddleware.body, { via: 'bearer' });
    const bad = await both([['authorization', 'Bearer revoked'], cookie]);
    assert.equal(bad.fromServer.status, 401);
    assert.equal(bad.fromMiddleware.status, 401);
    assert.equal(bad.fromServer.body.code, 'token_revoked');
    assert.equal(bad.fromMiddleware.body.code, 'token_revoked');
    const cookieOnly = await both([cookie]);
    assert.deepEqual(cookieOnly.fromServer.body, { via: 'session' });
    assert.deepEqual(cookieOnly.fromMiddleware.body, { via: 'session' });
  });
});
