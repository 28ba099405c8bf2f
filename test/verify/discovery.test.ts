/**
 * Discovery (src/verify/discovery.ts): the verifier finds the JWKS through RFC 8414 metadata and
 * refuses metadata that names another issuer; and start-up fails loudly, with a code, when the
 * issuer or the feed cannot be used.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { metadataUrls } from '../../src/verify/discovery.js';
import { createVerifier } from '../../src/verify/index.js';
import { outcome, startTessera, type Tessera } from './tessera.js';
import type { AddressInfo } from 'node:net';

/** A server answering every request with `body` as JSON. */
async function jsonServer(
  body: (origin: string) => unknown,
): Promise<{ origin: string; server: Server }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body(origin)));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { origin, server };
}

describe('discovery', () => {
  let tessera: Tessera;
  before(async () => {
    tessera = await startTessera();
  });
  after(() => tessera.close());

  it('finds the JWKS and introspection endpoints from the issuer metadata', async () => {
    const verifier = await createVerifier({ issuer: tessera.issuer, revocations: 'off' });
    try {
      assert.equal(verifier.metadata.issuer, tessera.issuer);
      assert.equal(verifier.metadata.jwks_uri, `${tessera.issuer}/.well-known/jwks.json`);
      assert.equal(verifier.metadata.introspection_endpoint, `${tessera.issuer}/oauth/introspect`);
      const health = verifier.health();
      assert.deepEqual(health.jwks.kids, [tessera.core.keyRing.signingKey().kid]);
      assert.equal(health.revocations, 'off');
      assert.equal(health.ok, true);
    } finally {
      await verifier.close();
    }
  });

  it('refuses metadata that names another issuer (RFC 8414 §3.3)', async () => {
    const impostor = await jsonServer(() => ({
      issuer: tessera.issuer,
      jwks_uri: `${tessera.issuer}/.well-known/jwks.json`,
    }));
    try {
      assert.equal(
        await outcome(createVerifier({ issuer: impostor.origin, revocations: 'off' })),
        'invalid_config',
      );
    } finally {
      impostor.server.close();
    }
  });

  it('refuses a trailing-slash variant of the issuer: the comparison is exact', async () => {
    assert.equal(
      await outcome(createVerifier({ issuer: `${tessera.issuer}/`, revocations: 'off' })),
      'invalid_config',
    );
  });

  it('fails with jwks_unavailable when the issuer cannot be reached', async () => {
    const probe = createServer();
    probe.listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const port = (probe.address() as AddressInfo).port;
    probe.close();
    await once(probe, 'close');
    const started = await outcome(
      createVerifier({ issuer: `http://127.0.0.1:${port}`, revocations: 'off' }),
    );
    assert.equal(started, 'jwks_unavailable');
  });

  it('fails with jwks_unavailable when the JWKS holds no usable key', async () => {
    const empty = await jsonServer((origin) => ({
      issuer: origin,
      jwks_uri: `${origin}/jwks`,
      keys: [],
    }));
    try {
      assert.equal(
        await outcome(createVerifier({ issuer: empty.origin, revocations: 'off' })),
        'jwks_unavailable',
      );
    } finally {
      empty.server.close();
    }
  });

  it('looks for the metadata of an issuer with a path where RFC 8414 §3.1 puts it, then after the path', () => {
    assert.deepEqual(metadataUrls('https://auth.example.com'), [
      'https://auth.example.com/.well-known/oauth-authorization-server',
    ]);
    assert.deepEqual(metadataUrls('https://example.com/tenant/a/'), [
      'https://example.com/.well-known/oauth-authorization-server/tenant/a',
      'https://example.com/tenant/a/.well-known/oauth-authorization-server',
    ]);
  });

  it('refuses feed credentials the server rejects, and a client without the feed scope', async () => {
    const wrong = { clientId: tessera.feed.clientId, clientSecret: 'not-the-secret' };
    assert.equal(
      await outcome(createVerifier({ issuer: tessera.issuer, revocations: { feed: wrong } })),
      'invalid_config',
    );
    // The api client authenticates but lacks tessera:revocations: 403.
    assert.equal(
      await outcome(createVerifier({ issuer: tessera.issuer, revocations: { feed: tessera.api } })),
      'invalid_config',
    );
  });

  it('refuses options out of range with invalid_config', async () => {
    assert.equal(
      await outcome(
        createVerifier({ issuer: tessera.issuer, revocations: 'off', clockSkewSeconds: 3_600 }),
      ),
      'invalid_config',
    );
    assert.equal(
      await outcome(
        createVerifier({ issuer: tessera.issuer, revocations: 'off', maxStalenessMs: 0 }),
      ),
      'invalid_config',
    );
    assert.equal(
      await outcome(createVerifier({ issuer: 'not a url', revocations: 'off' })),
      'invalid_config',
    );
  });
});
