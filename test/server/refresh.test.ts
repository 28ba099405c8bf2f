import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { FORM, PASSWORD, setCookies, testServer, userTokens } from '../helpers/server.js';
import type { FastifyInstance } from 'fastify';

function refresh(app: FastifyInstance, token: string) {
  return app.inject({
    method: 'POST',
    url: '/oauth/token',
    headers: FORM,
    payload: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: token }).toString(),
  });
}

function me(app: FastifyInstance, token: string) {
  return app.inject({
    method: 'GET',
    url: '/auth/me',
    headers: { authorization: `Bearer ${token}` },
  });
}

describe('refresh-token rotation', () => {
  it('every refresh returns a new refresh token and a new access token of the same family', async () => {
    const { app } = await testServer();
    const first = await userTokens(app);
    const response = await refresh(app, first.refresh_token);
    assert.equal(response.statusCode, 200, response.body);
    const second = response.json() as { access_token: string; refresh_token: string };
    assert.notEqual(second.refresh_token, first.refresh_token);
    assert.notEqual(second.access_token, first.access_token);
    assert.equal((await me(app, second.access_token)).statusCode, 200);
    const sid = (token: string) =>
      JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()).sid;
    assert.equal(sid(second.access_token), sid(first.access_token));
  });

  it('re-using a rotated refresh token after the grace window revokes the family and its access tokens', async () => {
    const { app, clock } = await testServer();
    const first = await userTokens(app);
    const second = (await refresh(app, first.refresh_token)).json();
    clock.advance(11_000);
    const reuse = await refresh(app, first.refresh_token);
    assert.equal(reuse.statusCode, 400);
    assert.equal(reuse.json().error, 'invalid_grant');
    // The thief's replay killed the legitimate client's tokens too: that is the point.
    assert.equal((await refresh(app, second.refresh_token)).statusCode, 400);
    const revoked = await me(app, second.access_token);
    assert.equal(revoked.statusCode, 401);
    assert.equal(revoked.json().code, 'token_revoked');
    assert.equal((await me(app, first.access_token)).statusCode, 401);
  });

  it('a refresh token two generations old is a replay: the family and its access tokens are revoked', async () => {
    const { app } = await testServer();
    const first = await userTokens(app);
    const second = (await refresh(app, first.refresh_token)).json();
    const third = (await refresh(app, second.refresh_token)).json();
    // Still inside the grace window: grace covers the token rotated out last, never an older one.
    const replay = await refresh(app, first.refresh_token);
    assert.equal(replay.statusCode, 400);
    assert.equal(replay.json().error, 'invalid_grant');
    const revoked = await me(app, third.access_token);
    assert.equal(revoked.statusCode, 401);
    assert.equal(revoked.json().code, 'token_revoked');
    assert.equal((await refresh(app, third.refresh_token)).json().error, 'invalid_grant');
  });

  it('every earlier token of a family is recognised as a replay for as long as the family lives', async () => {
    const { app, clock } = await testServer();
    const issued = [await userTokens(app)];
    for (let n = 0; n < 5; n += 1) {
      clock.advance(60_000);
      issued.push((await refresh(app, issued.at(-1)?.refresh_token ?? '')).json());
    }
    clock.advance(29 * 24 * 60 * 60_000);
    assert.equal(
      (await refresh(app, issued[1]?.refresh_token ?? '')).json().error,
      'invalid_grant',
    );
    assert.equal((await me(app, issued[5]?.access_token ?? '')).statusCode, 401);
    assert.equal((await refresh(app, issued[5]?.refresh_token ?? '')).statusCode, 400);
  });

  it('a token naming a family by its id (the sid of its access tokens) but not its secret revokes nothing', async () => {
    const { app } = await testServer();
    const first = await userTokens(app);
    const second = (await refresh(app, first.refresh_token)).json();
    const sid = JSON.parse(Buffer.from(second.access_token.split('.')[1], 'base64url').toString())
      .sid as string;
    const secret = 'A'.repeat(43);
    for (const generation of [1, 2, 3, 99]) {
      const forged = await refresh(app, `${sid}.${generation}.${secret}.${secret}`);
      assert.equal(forged.statusCode, 400, forged.body);
      assert.equal(forged.json().error, 'invalid_grant');
    }
    assert.equal((await me(app, second.access_token)).statusCode, 200);
    assert.equal((await refresh(app, second.refresh_token)).statusCode, 200, 'family alive');
  });

  it('a concurrent refresh of the just-rotated token within the grace window gets a valid answer', async () => {
    const { app, clock } = await testServer();
    const first = await userTokens(app);
    const tabA = await refresh(app, first.refresh_token);
    clock.advance(2_000);
    const tabB = await refresh(app, first.refresh_token);
    assert.equal(tabA.statusCode, 200);
    assert.equal(tabB.statusCode, 200);
    assert.equal((await me(app, tabB.json().access_token)).statusCode, 200);
    assert.equal((await refresh(app, tabB.json().refresh_token)).statusCode, 200, 'family alive');
  });

  it('many concurrent refreshes of one token leave exactly one live family and no 5xx', async () => {
    const { app, stores } = await testServer();
    const first = await userTokens(app);
    const responses = await Promise.all(
      Array.from({ length: 25 }, () => refresh(app, first.refresh_token)),
    );
    for (const response of responses) assert.ok(response.statusCode < 500, response.body);
    const ok = responses.filter((response) => response.statusCode === 200);
    assert.ok(ok.length >= 1);
    const families = new Set<string>();
    for (const response of ok) {
      const claims = JSON.parse(
        Buffer.from(response.json().access_token.split('.')[1], 'base64url').toString(),
      );
      families.add(claims.sid);
    }
    assert.equal(families.size, 1);
    const family = await stores.refreshFamilies.findById([...families][0] ?? '');
    assert.equal(family?.revokedAt, null, 'the family is still live');
    // Exactly one of the refresh tokens handed out is the family's current one.
    const current = ok.filter(
      (response) => sha(response.json().refresh_token) === family?.currentHash,
    );
    assert.equal(current.length, 1);
  });

  it('refreshes by cookie only with an allowed Origin, and rotates the cookie', async () => {
    const { app } = await testServer();
    await app.inject({
      method: 'POST',
      url: '/auth/signup',
      payload: { email: 'ada@example.com', password: PASSWORD },
    });
    const loginResponse = await app.inject({
      method: 'POST',
      url: '/auth/token',
      payload: { email: 'ada@example.com', password: PASSWORD },
    });
    const cookie = setCookies(loginResponse)[0]?.value ?? '';
    const withOrigin = (origin?: string) =>
      app.inject({
        method: 'POST',
        url: '/oauth/token',
        headers: { ...FORM, cookie: `tessera_refresh=${cookie}`, ...(origin ? { origin } : {}) },
        payload: 'grant_type=refresh_token',
      });
    const missing = await withOrigin();
    assert.equal(missing.statusCode, 403);
    assert.equal(missing.json().error, 'invalid_request');
    const foreign = await withOrigin('https://evil.example');
    assert.equal(foreign.statusCode, 403);
    const ok = await withOrigin('http://localhost:8080');
    assert.equal(ok.statusCode, 200, ok.body);
    assert.equal(ok.json().refresh_token, undefined);
    const rotated = setCookies(ok)[0];
    assert.equal(rotated?.name, 'tessera_refresh');
    assert.notEqual(rotated?.value, cookie);
  });

  it('refuses malformed, unknown and expired refresh tokens with invalid_grant', async () => {
    const { app, clock } = await testServer();
    const first = await userTokens(app);
    for (const token of ['', 'short', 'A'.repeat(43), `${first.refresh_token}x`]) {
      const response = await refresh(app, token);
      assert.equal(response.statusCode, 400, token);
      assert.ok(['invalid_grant', 'invalid_request'].includes(response.json().error), token);
    }
    clock.advance(31 * 24 * 60 * 60_000);
    assert.equal((await refresh(app, first.refresh_token)).json().error, 'invalid_grant');
  });
});

function sha(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}
