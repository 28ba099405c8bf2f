// Access-token verification throughput: Tessera's verifier against a raw node:crypto floor,
// fast-jwt and jose, for every algorithm. Run: npx tsx bench/verify.ts
//
// Each figure is the median of 5 timed runs, counted per CPU-second (see measure). Runs of all
// contenders are interleaved (and their order rotated) so that background load hits everyone
// alike. BENCH_RUN_MS sets the run length: 600 ms by default, which keeps the whole bench under
// ~90 s (4 algorithms × 6 verifiers × 5 runs).
// Results are written to bench/results/verify.md, which is committed: re-run to refresh it.
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { createVerifier } from 'fast-jwt';
import { jwtVerify } from 'jose';
import { rawFloor } from '../src/cli/bench/floor.js';
import { systemClock } from '../src/core/clock.js';
import { isSigningAlgorithm, type SigningAlgorithm } from '../src/core/keys/algorithms.js';
import { generateSigningKey } from '../src/core/keys/generate.js';
import type { SigningKey } from '../src/core/keys/key.js';
import { signAccessToken } from '../src/core/tokens/sign.js';
import { createAccessTokenVerifier } from '../src/core/tokens/verify.js';

const runMs = Number(process.env.BENCH_RUN_MS ?? 600);
const runs = 5;
const warmUpMs = 150;
// BENCH_ALGS=HS256,ES256 limits the run to some algorithms.
const algorithms = (process.env.BENCH_ALGS ?? 'HS256,RS256,ES256,EdDSA')
  .split(',')
  .filter(isSigningAlgorithm);
const issuer = 'http://localhost:8080';
const audience = 'tessera-api';

type Contender = { name: string; verify: (token: string) => unknown; async?: boolean };

function contenders(key: SigningKey): Contender[] {
  const options = { issuer, audience, clock: systemClock };
  const uncached = createAccessTokenVerifier([key], { ...options, cache: false });
  const cached = createAccessTokenVerifier([key], options);
  const publicKey =
    key.alg === 'HS256' ? key.key.export() : key.key.export({ type: 'spki', format: 'pem' });
  const fastJwt = (cache: boolean) =>
    createVerifier({
      key: publicKey,
      algorithms: [key.alg],
      allowedIss: issuer,
      allowedAud: audience,
      cache,
    });
  const fastUncached = fastJwt(false);
  const fastCached = fastJwt(true);
  const joseOptions = { algorithms: [key.alg], issuer, audience, typ: 'at+jwt' };
  return [
    { name: 'raw node:crypto floor', verify: rawFloor(key) },
    { name: 'tessera, uncached', verify: (t) => uncached.verify(t) },
    { name: 'tessera, cached', verify: (t) => cached.verify(t) },
    { name: 'fast-jwt, uncached', verify: (t) => fastUncached(t) },
    { name: 'fast-jwt, cached', verify: (t) => fastCached(t) },
    { name: 'jose jwtVerify', verify: (t) => jwtVerify(t, key.key, joseOptions), async: true },
  ];
}

let sink: unknown;

/**
 * Operations per CPU-second of `contender` over about `ms` of wall time. CPU time
 * (process.cpuUsage, all threads of the process — so jose's WebCrypto work on the libuv pool
 * counts too) rather than wall time, so that other processes on a shared machine do not decide
 * the result; on an idle machine the two agree for these single-threaded loops.
 */
async function measure(contender: Contender, token: string, ms: number): Promise<number> {
  let operations = 0;
  const cpu = process.cpuUsage();
  const end = performance.now() + ms;
  if (contender.async === true) {
    while (performance.now() < end) {
      for (let i = 0; i < 50; i++) sink = await contender.verify(token);
      operations += 50;
    }
  } else {
    while (performance.now() < end) {
      for (let i = 0; i < 200; i++) sink = contender.verify(token);
      operations += 200;
    }
  }
  const used = process.cpuUsage(cpu);
  return operations / ((used.user + used.system) / 1e6);
}

const median = (values: number[]): number =>
  [...values].sort((a, b) => a - b)[values.length >> 1] ?? 0;
const format = (n: number): string => Math.round(n).toLocaleString('en-US');

interface Row {
  alg: SigningAlgorithm;
  name: string;
  opsPerSecond: number;
  ratio: number;
}

async function benchAlgorithm(alg: SigningAlgorithm): Promise<{ rows: Row[]; tokenBytes: number }> {
  const key = await generateSigningKey(alg);
  const { token } = signAccessToken(
    key,
    {
      issuer,
      subject: randomUUID(),
      audience,
      clientId: 'tessera-first-party',
      scope: 'openid profile email',
      sessionId: randomUUID(),
      ttlSeconds: 600,
    },
    Date.now(),
  );
  const all = contenders(key);
  for (const contender of all) await measure(contender, token, warmUpMs);
  const samples = all.map((): number[] => []);
  for (let run = 0; run < runs; run++) {
    for (let i = 0; i < all.length; i++) {
      const index = (i + run) % all.length; // rotate the order run by run
      const contender = all[index];
      if (contender !== undefined) samples[index]?.push(await measure(contender, token, runMs));
    }
  }
  const floor = median(samples[0] ?? []);
  const rows = all.map((contender, i) => {
    const opsPerSecond = median(samples[i] ?? []);
    return { alg, name: contender.name, opsPerSecond, ratio: opsPerSecond / floor };
  });
  return { rows, tokenBytes: Buffer.byteLength(token) };
}

function report(rows: Row[], sizes: Map<SigningAlgorithm, number>, seconds: number): string {
  const lines = [
    '# Access-token verification throughput',
    '',
    `- date: ${new Date().toISOString()}`,
    `- node: ${process.version} (${process.platform}/${process.arch})`,
    `- cpu: ${cpus()[0]?.model ?? 'unknown'} × ${cpus().length}`,
    `- method: median of ${runs} runs of ${runMs} ms per contender, interleaved and rotated; ops per CPU-second (process.cpuUsage); one thread; total ${seconds.toFixed(0)} s`,
    '- floor: split, base64url-decode, node:crypto signature check, JSON.parse, exp check — nothing else',
    '',
    '| alg | verifier | ops/s (CPU) | vs raw floor |',
    '| --- | --- | ---: | ---: |',
    ...rows.map(
      (r) =>
        `| ${r.alg} | ${r.name} | ${format(r.opsPerSecond)} | ${(r.ratio * 100).toFixed(1)} % |`,
    ),
    '',
    '## Token sizes (default claims)',
    '',
    'iss `http://localhost:8080`, uuid sub and sid, aud, 10-minute exp, iat, 22-char jti, client_id, scope `openid profile email`; header alg, typ `at+jwt`, kid (RFC 7638 thumbprint, 43 chars; HS256: 22 random chars).',
    '',
    '| alg | bytes |',
    '| --- | ---: |',
    ...[...sizes].map(([alg, bytes]) => `| ${alg} | ${bytes} |`),
    '',
  ];
  return lines.join('\n');
}

const started = performance.now();
const rows: Row[] = [];
const sizes = new Map<SigningAlgorithm, number>();
for (const alg of algorithms) {
  const result = await benchAlgorithm(alg);
  rows.push(...result.rows);
  sizes.set(alg, result.tokenBytes);
  process.stderr.write(`${alg} done\n`);
}
const markdown = report(rows, sizes, (performance.now() - started) / 1000);
void sink;
console.log(markdown);
mkdirSync(new URL('results/', import.meta.url), { recursive: true });
writeFileSync(new URL('results/verify.md', import.meta.url), markdown);
