// Rows 1 and 2a of `tessera bench`: what Tessera's credentials weigh on the wire, and what an
// access token costs to verify, per algorithm. Everything is issued by the real core (createCore
// over memory stores) with the default claims, so the sizes are the ones a client will see.
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../../config.js';
import { systemClock } from '../../core/clock.js';
import { createCore, type Core } from '../../core/tessera.js';
import { createAccessTokenVerifier } from '../../core/tokens/verify.js';
import type { SigningAlgorithm } from '../../core/keys/algorithms.js';
import { policyFromConfig } from '../../server/policy.js';
import { createMemoryStores } from '../../stores/memory/index.js';
import { rawFloor } from './floor.js';
import { measure, type Timing } from './measure.js';

export const ALGORITHMS: readonly SigningAlgorithm[] = ['RS256', 'ES256', 'EdDSA', 'HS256'];
export const PASSWORD = 'correct horse battery staple';
const issuer = 'http://localhost:8080';

export interface SizeRow {
  credential: string;
  bytes: number;
  note: string;
}

export interface VerifyRow {
  alg: SigningAlgorithm;
  verifier: string;
  timing: Timing;
}

/**
 * A core over memory stores signing with `alg`. Argon2 is cut to its cheapest here: sign-up is
 * setup, not what these rows measure.
 */
export async function benchCore(alg: SigningAlgorithm = 'RS256'): Promise<Core> {
  const config = loadConfig(
    {},
    {
      issuer,
      signingAlg: alg,
      argon2MemoryKiB: 1024,
      argon2Iterations: 1,
      ...(alg === 'HS256' ? { hs256Secret: randomBytes(32).toString('base64') } : {}),
    },
  );
  return createCore({
    stores: createMemoryStores(),
    clock: systemClock,
    policy: policyFromConfig(config),
  });
}

/** A user signed up on `core` and signed in for tokens: the access and refresh tokens. */
export async function signedIn(
  core: Core,
): Promise<{ userId: string; access: string; refresh: string }> {
  const email = `bench-${randomBytes(4).toString('hex')}@example.com`;
  const user = await core.accounts.signup({ email, password: PASSWORD }, { ip: '127.0.0.1' });
  const login = await core.tokenService.login({ email, password: PASSWORD }, { ip: '127.0.0.1' });
  return { userId: user.id, access: login.access.token, refresh: login.refreshToken ?? '' };
}

/** The size rows and, per algorithm, the verify rows (floor, Tessera uncached, Tessera cached). */
export async function tokenRows(
  runMs: number,
  progress: (label: string) => void,
): Promise<{ sizes: SizeRow[]; verify: VerifyRow[] }> {
  const sizes: SizeRow[] = [];
  const verify: VerifyRow[] = [];
  for (const alg of ALGORITHMS) {
    const core = await benchCore(alg);
    const { userId, access, refresh } = await signedIn(core);
    if (alg === 'RS256') {
      const session = await core.sessions.create(userId, { userAgent: 'bench', ip: '127.0.0.1' });
      // What the browser sends back: the cookie header's pair, with the https (__Host-) name.
      const cookie = `__Host-tessera_session=${session.secret}`;
      sizes.push(
        {
          credential: 'session cookie',
          bytes: Buffer.byteLength(cookie),
          note: '`__Host-tessera_session=…` as sent in Cookie',
        },
        {
          credential: 'refresh token',
          bytes: Buffer.byteLength(refresh),
          note: 'opaque, any algorithm',
        },
      );
    }
    sizes.push({
      credential: `access JWT ${alg}`,
      bytes: Buffer.byteLength(access),
      note: 'default claims, first-party login',
    });
    const t = core.deps.policy.tokens;
    const options = { issuer: t.issuer, audience: t.audience, clock: systemClock };
    const contenders: [string, (token: string) => unknown][] = [
      ['raw node:crypto floor', rawFloor(core.keyRing.signingKey())],
      ['tessera, uncached', verifierOf(core, { ...options, cache: false })],
      ['tessera, cached (default)', verifierOf(core, options)],
    ];
    for (const [name, check] of contenders) {
      progress(`verify ${alg}: ${name}`);
      verify.push({ alg, verifier: name, timing: await measure(() => check(access), runMs) });
    }
  }
  return { sizes, verify };
}

function verifierOf(
  core: Core,
  options: Parameters<typeof createAccessTokenVerifier>[1],
): (token: string) => unknown {
  const verifier = createAccessTokenVerifier(core.keyRing.keySet(), options);
  return (token) => verifier.verify(token);
}
