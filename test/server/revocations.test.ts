import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { testServer } from '../helpers/server.js';

const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

async function setup() {
  const server = await testServer();
  const feed = await server.core.clients.create({
    name: 'feed',
    scopes: ['tessera:revocations'],
    audiences: [],
  });
  const plain = await server.core.clients.create({
    name: 'plain',
    scopes: ['reports:read'],
    audiences: [],
  });
  return {
    ...server,
    feed: basic(feed.client.id, feed.secret),
    plain: basic(plain.client.id, plain.secret),
  };
}

describe('GET /auth/revocations', () => {
  it('needs client authentication (401) by a client with the tessera:revocations scope (403)', async () => {
    const { app, plain } = await setup();
    const anonymous = await app.inject('/auth/revocations');
    assert.equal(anonymous.statusCode, 401);
    assert.match(String(anonymous.headers['www-authenticate']), /^Basic/);
    const wrongScope = await app.inject({
      url: '/auth/revocations',
      headers: { authorization: plain },
    });
    assert.equal(wrongScope.statusCode, 403);
    assert.equal(wrongScope.json().code, 'insufficient_scope');
  });

  it('returns the live revocations as a JSON snapshot, resumable after a sequence number', async () => {
    const { app, core, feed } = await setup();
    await core.revocations.revokeSid('family-1');
    await core.revocations.revokeToken('jti-1', Math.floor(core.deps.clock.now() / 1000) + 60);
    const all = (
      await app.inject({ url: '/auth/revocations', headers: { authorization: feed } })
    ).json();
    assert.deepEqual(
      all.events.map((e: { kind: string; value: string }) => `${e.kind}:${e.value}`),
      ['sid:family-1', 'jti:jti-1'],
    );
    assert.match(all.events[0].at, /^\d{4}-\d\d-\d\dT/);
    const first = String(all.events[0].seq);
    const rest = (
      await app.inject({
        url: '/auth/revocations',
        headers: { authorization: feed, 'last-event-id': first },
      })
    ).json();
    assert.deepEqual(
      rest.events.map((e: { value: string }) => e.value),
      ['jti-1'],
    );
    assert.equal(rest.lastEventId, String(all.events[1].seq));
    const bad = await app.inject({
      url: '/auth/revocations',
      headers: { authorization: feed, 'last-event-id': 'x' },
    });
    assert.equal(bad.statusCode, 400);
  });

  it('streams events as SSE from Last-Event-ID, live events included, and lets the server close', async () => {
    const { app, core, feed } = await setup();
    await core.revocations.revokeSid('before');
    await core.revocations.revokeSid('skipped');
    const snapshot = (
      await app.inject({ url: '/auth/revocations', headers: { authorization: feed } })
    ).json();
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    const response = await fetch(`${url}/auth/revocations`, {
      headers: {
        authorization: feed,
        accept: 'text/event-stream',
        'last-event-id': String(snapshot.events[1].seq),
      },
    });
    assert.equal(response.status, 200);
    assert.match(String(response.headers.get('content-type')), /^text\/event-stream/);
    await core.revocations.revokeSid('live');
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    let text = '';
    const deadline = Date.now() + 5000;
    while (!text.includes('"live"') && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      text += Buffer.from(value).toString();
    }
    assert.ok(text.includes('"live"'), text);
    assert.ok(
      !text.includes('"before"') && !text.includes('"skipped"'),
      'resumed after Last-Event-ID',
    );
    assert.match(text, /id: \d+\nevent: revocation\ndata: \{/);
    // An open stream must not keep the server from shutting down.
    const closed = await Promise.race([
      app.close().then(() => 'closed'),
      new Promise((resolve) => setTimeout(() => resolve('hung'), 3000)),
    ]);
    assert.equal(closed, 'closed');
    await reader.cancel().catch(() => {});
  });
});
