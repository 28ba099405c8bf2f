/**
 * Behind a proxy the per-IP limits hold against a client that writes its own X-Forwarded-For:
 * the client IP is the right-most address the operator's named proxies did not add (the proxy
 * appends the address it saw), so spoofed entries to its left change nothing.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PASSWORD, setCookies, testServer } from '../helpers/server.js';

const LIMIT = 5;
const ATTEMPTS = 130;
const PROXY = '10.0.0.5'; // the load balancer: the TCP peer Tessera sees
const CLIENT = '198.51.100.7'; // the real client, appended by the proxy

/** 130 failed sign-ins from one client, each with another spoofed entry before the proxy's. */
async function spoofedSignIns(trustProxy: string): Promise<number[]> {
  const { app } = await testServer({
    env: { TESSERA_TRUST_PROXY: trustProxy },
    config: { loginIpLimit: LIMIT, loginAccountLimit: 100_000 },
  });
  const statuses: number[] = [];
  for (let n = 0; n < ATTEMPTS; n += 1) {
    const response = await app.inject({
      method: 'POST',
      url: '/auth/session',
      remoteAddress: PROXY,
      headers: { 'x-forwarded-for': `203.0.113.${n % 250}, ${CLIENT}` },
      payload: { email: `nobody${n}@example.com`, password: 'wrong password, wrong user' },
    });
    statuses.push(response.statusCode);
    if (response.statusCode === 429) assert.ok(response.headers['retry-after']);
  }
  return statuses;
}

function assertLimited(statuses: number[]): void {
  assert.deepEqual(statuses.slice(0, LIMIT), Array<number>(LIMIT).fill(401));
  assert.deepEqual(statuses.slice(LIMIT), Array<number>(ATTEMPTS - LIMIT).fill(429));
}

describe('spoofed X-Forwarded-For entries do not escape the per-IP login limit', () => {
  it('with a hop count (TESSERA_TRUST_PROXY=1): 429 after the limit', async () => {
    assertLimited(await spoofedSignIns('1'));
  });

  it('with the proxy CIDR list (TESSERA_TRUST_PROXY=10.0.0.0/8): 429 after the limit', async () => {
    assertLimited(await spoofedSignIns('10.0.0.0/8'));
  });

  it('the client IP is the right-most untrusted address, and is what sessions record', async () => {
    const { app } = await testServer({
      env: { TESSERA_TRUST_PROXY: '10.0.0.0/8, 192.168.0.0/16' },
    });
    const email = 'ada@example.com';
    const signup = await app.inject({
      method: 'POST',
      url: '/auth/signup',
      payload: { email, password: PASSWORD },
    });
    assert.equal(signup.statusCode, 201);
    const ipOfSession = async (forwarded: string): Promise<unknown> => {
      const login = await app.inject({
        method: 'POST',
        url: '/auth/session',
        remoteAddress: PROXY,
        headers: { 'x-forwarded-for': forwarded },
        payload: { email, password: PASSWORD },
      });
      const cookie = setCookies(login).find((c) => c.name.endsWith('tessera_session'));
      const me = await app.inject({
        url: '/auth/sessions',
        headers: { cookie: `${cookie?.name}=${cookie?.value}` },
      });
      const { sessions } = me.json<{ sessions: { ip: string; current: boolean }[] }>();
      return sessions.find((session) => session.current)?.ip;
    };
    assert.equal(await ipOfSession(`1.2.3.4, ${CLIENT}`), CLIENT);
    assert.equal(await ipOfSession(`1.2.3.4, ${CLIENT}, 192.168.1.1`), CLIENT); // two of ours
  });
});
