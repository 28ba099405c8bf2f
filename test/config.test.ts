import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../src/config.js';

const refuses = (env: Record<string, string>, pattern: RegExp) =>
  assert.throws(
    () => loadConfig({ env }),
    (error: Error & { code?: string }) => {
      assert.equal(error.code, 'invalid_config');
      assert.match(error.message, pattern);
      return true;
    },
  );

describe('configuration', () => {
  it('has the defaults API.md fixes', () => {
    const config = loadConfig();
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.port, 8080);
    assert.equal(config.issuer, 'http://localhost:8080');
    assert.equal(config.databaseUrl, 'sqlite:./tessera.db');
    assert.equal(config.redisUrl, undefined);
    assert.deepEqual(config.allowedOrigins, ['http://localhost:8080']);
    assert.equal(config.accessTokenMinutes, 10);
    assert.equal(config.signingAlg, 'RS256');
  });

  it('derives the issuer from the port and the allowed origins from the issuer', () => {
    assert.equal(loadConfig({ env: { TESSERA_PORT: '9000' } }).issuer, 'http://localhost:9000');
    const config = loadConfig({ env: { TESSERA_ISSUER: 'https://auth.example.com/' } });
    assert.equal(config.issuer, 'https://auth.example.com');
    assert.deepEqual(config.allowedOrigins, ['https://auth.example.com']);
  });

  it('flags win over environment variables', () => {
    assert.equal(loadConfig({ env: { TESSERA_PORT: '9000' }, flags: { port: '9001' } }).port, 9001);
  });

  it('refuses bad values with a message naming the variable and what it accepts', () => {
    refuses({ TESSERA_PORT: '70000' }, /TESSERA_PORT must be an integer from 0 to 65535/);
    refuses(
      { TESSERA_ISSUER: 'ftp://x' },
      /TESSERA_ISSUER must be a URL with scheme http: or https:/,
    );
    refuses({ TESSERA_DATABASE_URL: 'mysql://x' }, /TESSERA_DATABASE_URL/);
    refuses({ TESSERA_ALLOWED_ORIGINS: 'https://a.example/path' }, /origins only/);
    refuses({ TESSERA_ACCESS_TOKEN_MINUTES: '0' }, /from 1 to 1440/);
    refuses({ TESSERA_ACCESS_TOKEN_MINUTES: '1441' }, /from 1 to 1440/);
    refuses({ TESSERA_SIGNING_ALG: 'none' }, /one of RS256, ES256, EdDSA, HS256/);
    refuses({ TESSERA_SIGNING_ALG: 'HS256' }, /TESSERA_HS256_SECRET/);
    refuses(
      { TESSERA_SIGNING_ALG: 'HS256', TESSERA_HS256_SECRET: 'c2hvcnQ=' },
      /at least 32 random bytes/,
    );
    refuses({ TESSERA_SESSION_IDLE_MINUTES: '800' }, /must not exceed/);
  });

  it('accepts the Redis Sentinel and Cluster URL forms, and never echoes URL credentials', () => {
    assert.equal(
      loadConfig({ env: { TESSERA_REDIS_URL: 'redis+sentinel://a:26379,b:26379/mymaster' } })
        .redisUrl,
      'redis+sentinel://a:26379,b:26379/mymaster',
    );
    assert.throws(
      () => loadConfig({ env: { TESSERA_DATABASE_URL: 'mysql://user:hunter2@db/x' } }),
      (error: Error) => !error.message.includes('hunter2'),
    );
  });

  it('never echoes a rejected HS256 secret', () => {
    assert.throws(
      () => loadConfig({ env: { TESSERA_HS256_SECRET: 'my-secret-value' } }),
      (error: Error) => !error.message.includes('my-secret-value'),
    );
  });

  it('TESSERA_TRUST_PROXY names the proxies: a hop count or addresses and CIDRs, never a bare true', () => {
    const trust = (raw: string) => loadConfig({ env: { TESSERA_TRUST_PROXY: raw } }).trustProxy;
    assert.equal(loadConfig().trustProxy, false);
    assert.equal(trust('false'), false);
    assert.equal(trust('0'), false);
    assert.equal(trust('1'), 1);
    assert.equal(trust('2'), 2);
    assert.deepEqual(trust('10.0.0.0/8, 192.168.1.10,2001:db8::/32'), [
      '10.0.0.0/8',
      '192.168.1.10',
      '2001:db8::/32',
    ]);
    assert.deepEqual(trust('loopback,172.16.0.0/12'), ['loopback', '172.16.0.0/12']);
    // X-Forwarded-For is written by the client: trusting all of it trusts the client.
    for (const raw of ['true', 'TRUE', 'yes', 'on']) {
      refuses(
        { TESSERA_TRUST_PROXY: raw },
        /TESSERA_TRUST_PROXY=.* trusts every X-Forwarded-For.*number of proxies.*addresses/,
      );
    }
    for (const raw of [
      '-1',
      '1.5',
      '10.0.0.0/33',
      '2001:db8::/129',
      'proxy.example.com',
      '10.0.0.1/',
      '',
    ]) {
      refuses({ TESSERA_TRUST_PROXY: raw }, /TESSERA_TRUST_PROXY must be/);
    }
  });

  it('TESSERA_LOG_REQUESTS switches per-request logging, on by default', () => {
    assert.equal(loadConfig().logRequests, true);
    assert.equal(loadConfig({ env: { TESSERA_LOG_REQUESTS: 'false' } }).logRequests, false);
    refuses({ TESSERA_LOG_REQUESTS: 'maybe' }, /TESSERA_LOG_REQUESTS must be true or false/);
  });

  it('the configuration is validated once and frozen, lists included', () => {
    const config = loadConfig({ env: { TESSERA_FIRST_PARTY_SCOPES: 'account profile' } });
    assert.ok(Object.isFrozen(config));
    assert.ok(Object.isFrozen(config.firstPartyScopes));
    assert.ok(Object.isFrozen(config.allowedOrigins));
    assert.throws(() => {
      (config as { port: number }).port = 1;
    }, TypeError);
    assert.throws(() => (config.firstPartyScopes as string[]).push('admin'), TypeError);
    // The default list is not shared between loads, nor changed by one.
    assert.deepEqual(loadConfig().firstPartyScopes, ['account']);
  });

  it('values given in code go through the same parsers as the environment', () => {
    const config = loadConfig(
      { env: { TESSERA_PORT: '9000' } },
      { port: 9001, issuer: 'https://auth.example.com/', firstPartyScopes: ['a', 'b'] },
    );
    assert.equal(config.port, 9001);
    assert.equal(config.issuer, 'https://auth.example.com', 'normalised like TESSERA_ISSUER');
    assert.deepEqual(config.firstPartyScopes, ['a', 'b']);
    assert.equal(
      loadConfig({}, { trustProxy: ['10.0.0.0/8'] }).trustProxy.toString(),
      '10.0.0.0/8',
    );
    const refusesInCode = (overrides: Parameters<typeof loadConfig>[1], pattern: RegExp) =>
      assert.throws(
        () => loadConfig({}, overrides),
        (error: Error & { code?: string }) =>
          error.code === 'invalid_config' && pattern.test(error.message),
      );
    refusesInCode({ port: 70000 }, /TESSERA_PORT \(given in code as port\) must be an integer/);
    refusesInCode({ redisUrl: 'http://:hunter2@cache' }, /TESSERA_REDIS_URL/);
    refusesInCode({ allowedOrigins: ['https://app.example.com/path'] }, /origins only/);
    refusesInCode({ firstPartyScopes: ['has space'] }, /TESSERA_FIRST_PARTY_SCOPES/);
  });
});
