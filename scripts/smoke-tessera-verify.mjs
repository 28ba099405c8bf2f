// Smoke test of the packed toolkit, run where tessera-verify alone is installed (README "Packages"):
//   d=$(mktemp -d) && npm pack -w tessera-verify --pack-destination "$d" && cd "$d" &&
//   npm init -y >/dev/null && npm pkg set type=module && npm install ./tessera-verify-0.1.0.tgz &&
//   node /path/to/scripts/smoke-tessera-verify.mjs
// It imports every entry without the optional peers, verifies a token against a local issuer,
// protects a node:http route, and shows what `revocations: { redis }` says without ioredis.
/* global fetch */
import { createServer } from 'node:http';
import { once } from 'node:events';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { createVerifier, isTesseraError, TesseraError } from 'tessera-verify';
import { createAuthenticate, sendAuthFailure } from 'tessera-verify/node';

for (const entry of ['express', 'fastify', 'hono']) {
  const module = await import(`tessera-verify/${entry}`);
  console.log(
    `tessera-verify/${entry} imports without ${entry} installed:`,
    Object.keys(module).join(', '),
  );
}
try {
  await import('tessera-verify/server');
} catch (error) {
  console.log('tessera-verify/server is not an entry:', error.code);
}

const { publicKey, privateKey } = await generateKeyPair('RS256');
const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
const issuerServer = createServer((req, res) => {
  const body =
    req.url === '/.well-known/oauth-authorization-server'
      ? { issuer, jwks_uri: `${issuer}/.well-known/jwks.json` }
      : { keys: [jwk] };
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
});
issuerServer.listen(0, '127.0.0.1');
await once(issuerServer, 'listening');
const issuer = `http://127.0.0.1:${issuerServer.address().port}`;

const verifier = await createVerifier({ issuer, audience: 'reports-api', revocations: 'off' });
const now = Math.floor(Date.now() / 1000);
const token = await new SignJWT({ client_id: 'svc', scope: 'reports:read' })
  .setProtectedHeader({ alg: 'RS256', kid: 'k1', typ: 'at+jwt' })
  .setIssuer(issuer)
  .setAudience('reports-api')
  .setSubject('user-1')
  .setJti('j1')
  .setIssuedAt(now)
  .setExpirationTime(now + 300)
  .sign(privateKey);
console.log('verify:', (await verifier.verify(token)).sub);
const refused = await verifier.verify(token + 'x').catch((error) => error);
console.log('tampered:', refused.code, isTesseraError(refused), refused instanceof TesseraError);

const authenticate = createAuthenticate({ verifier, scopes: ['reports:read'] });
const api = createServer(async (req, res) => {
  const auth = await authenticate(req);
  if (!auth.ok) return sendAuthFailure(res, auth.failure);
  res.end(`hello ${auth.principal.subject}`);
});
api.listen(0, '127.0.0.1');
await once(api, 'listening');
const url = `http://127.0.0.1:${api.address().port}/`;
const ok = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
console.log('node:http with token:', ok.status, await ok.text());
const no = await fetch(url);
console.log('node:http without:', no.status, no.headers.get('www-authenticate'));
await verifier.close();

// revocations: { redis } without ioredis installed
const noRedis = await createVerifier({
  issuer,
  revocations: { redis: 'redis://127.0.0.1:6379' },
}).catch((error) => error);
console.log('redis without ioredis:', noRedis.code, '-', noRedis.message.split('\n')[0]);
api.close();
issuerServer.close();
