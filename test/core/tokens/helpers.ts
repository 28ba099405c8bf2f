// Shared fixtures for the token tests: one key per algorithm, a manual clock, and a forger that
// signs any header and payload text with a trusted key — the attacker who holds nothing but
// still controls every byte, or the issuer who made a mistake.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { ManualClock } from '../../../src/core/clock.js';
import { TesseraError, type ErrorCode } from '../../../src/core/errors.js';
import type { SigningAlgorithm } from '../../../src/core/keys/algorithms.js';
import { generateSigningKey } from '../../../src/core/keys/generate.js';
import type { SigningKey } from '../../../src/core/keys/key.js';
import { encodeBase64url } from '../../../src/core/tokens/base64url.js';
import { signAccessToken, type AccessTokenInput } from '../../../src/core/tokens/sign.js';
import { signInput } from '../../../src/core/tokens/signature.js';
import {
  createAccessTokenVerifier,
  type AccessTokenVerifier,
  type AccessTokenVerifierOptions,
} from '../../../src/core/tokens/verify.js';

export const issuer = 'http://localhost:8080';
export const audience = 'tessera-api';
export const algorithms: readonly SigningAlgorithm[] = ['RS256', 'ES256', 'EdDSA', 'HS256'];

/** 2026-01-01T00:00:00Z, the ManualClock default. */
export const start = Date.UTC(2026, 0, 1);
export const startSeconds = start / 1000;

const keys = new Map<SigningAlgorithm, Promise<SigningKey>>();

/** One key per algorithm for the whole test file (RSA generation is slow). */
export function keyFor(alg: SigningAlgorithm): Promise<SigningKey> {
  let key = keys.get(alg);
  if (key === undefined) {
    key = generateSigningKey(alg, { kid: `test-${alg.toLowerCase()}` });
    keys.set(alg, key);
  }
  return key;
}

/** Realistic input for a user token. */
export function userInput(overrides: Partial<AccessTokenInput> = {}): AccessTokenInput {
  return {
    issuer,
    subject: randomUUID(),
    audience,
    clientId: 'tessera-first-party',
    scope: 'openid profile email',
    sessionId: randomUUID(),
    ttlSeconds: 600,
    ...overrides,
  };
}

/** A valid access token signed by `key` at `now`. */
export function issue(key: SigningKey, now = start, overrides: Partial<AccessTokenInput> = {}) {
  return signAccessToken(key, userInput(overrides), now);
}

/** A verifier trusting `keys`, on a manual clock at `start` unless told otherwise. */
export function verifierFor(
  keys: readonly SigningKey[],
  options: Partial<AccessTokenVerifierOptions> = {},
): { verifier: AccessTokenVerifier; clock: ManualClock } {
  const clock = options.clock instanceof ManualClock ? options.clock : new ManualClock(start);
  const verifier = createAccessTokenVerifier(keys, { issuer, audience, clock, ...options });
  return { verifier, clock };
}

/** The standard header of `key`, as an object, for forging variants of it. */
export function headerOf(key: SigningKey): Record<string, unknown> {
  return { alg: key.alg, typ: 'at+jwt', kid: key.kid };
}

/** Valid claims at `start`, as an object, for forging variants of them. */
export function claimsAt(now = startSeconds): Record<string, unknown> {
  return {
    iss: issuer,
    sub: randomUUID(),
    aud: audience,
    exp: now + 600,
    iat: now,
    jti: 'jti-' + randomUUID(),
    client_id: 'tessera-first-party',
    scope: 'openid',
    sid: randomUUID(),
  };
}

/** Encodes an object as JSON, or takes raw JSON text (for duplicates and other tricks) as is. */
function segment(part: Record<string, unknown> | string | Buffer): string {
  if (Buffer.isBuffer(part)) return part.toString('base64url');
  return encodeBase64url(typeof part === 'string' ? part : JSON.stringify(part));
}

/** Signs any header and payload with `key`'s real algorithm, whatever the header claims. */
export function forge(
  key: SigningKey,
  header: Record<string, unknown> | string,
  payload: Record<string, unknown> | string | Buffer,
): string {
  const input = `${segment(header)}.${segment(payload)}`;
  return `${input}.${signInput(key, input).toString('base64url')}`;
}

/** Joins raw segments into a token. */
export function compact(header: string, payload: string, signature: string): string {
  return `${header}.${payload}.${signature}`;
}

/** Asserts that `run` throws a TesseraError with exactly `code`. */
export function assertCode(run: () => unknown, code: ErrorCode): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof TesseraError, `expected a TesseraError, got ${String(error)}`);
    assert.equal(error.code, code, `expected ${code}, got ${error.code}: ${error.message}`);
    return true;
  });
}

/** A matcher for assert.throws/rejects: a TesseraError with exactly `code`. */
export function withCode(code: ErrorCode): (error: unknown) => boolean {
  return (error) => error instanceof TesseraError && error.code === code;
}

/** The three segments of a token. */
export function split(token: string): [string, string, string] {
  const [header = '', payload = '', signature = ''] = token.split('.');
  return [header, payload, signature];
}
