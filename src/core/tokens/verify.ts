/**
 * The one access-token verifier, shared by the server and the `tessera-verify` toolkit. It runs
 * straight over node:crypto with keys prepared once, and it fails closed: every input that is
 * not a valid access token — whatever its shape — ends in a TesseraError with a token_* code.
 *
 * Order of checks, cheapest and least trusting first:
 *   1. a string no longer than maxTokenBytes — before any decoding or parsing;
 *   2. the cache of verified tokens (exact string; time re-checked on every hit);
 *   3. three segments of strict base64url (RFC 7515 §7.1, §2);
 *   4. the header: refused parameters, `alg` never "none", `typ` at+jwt (RFC 9068 §4), the kid
 *      naming a trusted key, and `alg` equal to that key's algorithm (RFC 8725 §3.1);
 *   5. the signature, with the key's own algorithm;
 *   6. only then the payload: a UTF-8 JSON object holding valid claims (RFC 9068 §2.2).
 * Headers that passed step 4 are remembered by their exact segment, so the usual token — same
 * key, same header bytes — skips re-parsing them.
 */
import type { Clock } from '../clock.js';
import { TesseraError } from '../errors.js';
import { createKeySet } from '../keys/key-set.js';
import type { KeySet, VerificationKey } from '../keys/key.js';
import { decodeSegment, isCompactAlphabet } from './base64url.js';
import { defaultCacheEntries, VerifiedTokenCache } from './cache.js';
import {
  cacheWindow,
  checkAccessTokenClaims,
  type AccessTokenClaims,
  type ClaimsPolicy,
} from './claims.js';
import { parseProtectedHeader, typMatches } from './header.js';
import { parseJsonObject } from './json.js';
import { checkFor, defaultMaxTokenBytes, resolveKey, splitCompact } from './jws.js';
import type { SignatureCheck } from './signature.js';

/**
 * Default clock skew: 30 s. Enough for servers whose clocks drift or step a little (NTP keeps
 * them well inside this), small against a 5–15 minute token, so an expired token gains at most
 * 30 s. The cache never grants the skew on exp (see cache.ts).
 */
export const defaultClockSkewSeconds = 30;

/** Largest skew accepted: beyond five minutes a "small" skew would rival a token's lifetime. */
export const maxClockSkewSeconds = 300;

/** The media type an access token's `typ` must carry (RFC 9068 §4). */
export const accessTokenTyp = 'at+jwt';

// How claims are parsed; see the note in verify() on duplicate names.
const claimsParsing = { rejectDuplicates: false } as const;

// Distinct trusted header segments remembered; a deployment has one or two per key.
const maxTrustedHeaders = 64;

/** How an access-token verifier is configured. */
export interface AccessTokenVerifierOptions {
  /** The one accepted issuer (`iss`), compared exactly. */
  issuer: string;
  /** Accepted audience(s); when set, the token's `aud` must name one of them. */
  audience?: string | readonly string[];
  /** Where the current time comes from (core/clock.ts). */
  clock: Clock;
  /** Tolerated clock skew on exp, nbf and iat, 0–300 s; defaults to 30. */
  clockSkewSeconds?: number;
  /** Longest token accepted, checked before any parsing; defaults to 8192. */
  maxTokenBytes?: number;
  /** Required `typ` (media type, "application/" optional); defaults to "at+jwt". */
  requiredTyp?: string;
  /** The verified-token cache: `false` to turn it off; on by default with 10 000 entries. */
  cache?: false | { maxEntries?: number };
}

interface TrustedHeader {
  readonly segment: string;
  readonly check: SignatureCheck;
}

/** Verifies access tokens against a fixed key set and policy. */
export class AccessTokenVerifier {
  private readonly keys: KeySet;
  private readonly clock: Clock;
  private readonly policy: ClaimsPolicy;
  private readonly maxTokenBytes: number;
  private readonly requiredTyp: string;
  private readonly cache: VerifiedTokenCache | undefined;
  private readonly headers = new Map<string, TrustedHeader>();
  private lastHeader: TrustedHeader | undefined;

  constructor(keys: KeySet | Iterable<VerificationKey>, options: AccessTokenVerifierOptions) {
    this.keys = createKeySet(isKeyMap(keys) ? keys.values() : keys);
    this.clock = checkedClock(options.clock);
    this.policy = {
      issuer: nonEmpty(options.issuer, 'issuer'),
      audiences: audiences(options.audience),
      skewSeconds: inRange(
        options.clockSkewSeconds ?? defaultClockSkewSeconds,
        0,
        maxClockSkewSeconds,
        'clockSkewSeconds',
      ),
    };
    this.maxTokenBytes = inRange(
      options.maxTokenBytes ?? defaultMaxTokenBytes,
      1,
      1 << 20,
      'maxTokenBytes',
    );
    this.requiredTyp = nonEmpty(options.requiredTyp ?? accessTokenTyp, 'requiredTyp');
    const cache = options.cache ?? {};
    this.cache =
      cache === false ? undefined : new VerifiedTokenCache(cache.maxEntries ?? defaultCacheEntries);
  }

  /** How many verified tokens the cache holds now (0 when the cache is off). */
  get cachedTokens(): number {
    return this.cache?.size ?? 0;
  }

  /** Verifies an access token and returns its claims; throws a token_* TesseraError otherwise. */
  verify(token: string): AccessTokenClaims {
    if (typeof token !== 'string' || token.length > this.maxTokenBytes) {
      splitCompact(token, this.maxTokenBytes); // throws token_malformed or token_too_large
    }
    const now = this.clock.now() / 1000;
    const cache = this.cache;
    if (cache === undefined) return this.verifyUncached(token, now);
    const cached = cache.get(token, now);
    if (cached !== undefined) return cached;
    const claims = this.verifyUncached(token, now);
    // Frozen because every later hit hands out this same object.
    if (Array.isArray(claims.aud)) Object.freeze(claims.aud);
    Object.freeze(claims);
    const window = cacheWindow(claims, this.policy.skewSeconds);
    // A token accepted only thanks to the skew (now ≥ exp) is served, never cached.
    if (now < window.until) cache.set(token, claims, window.from, window.until);
    return claims;
  }

  // Every check that needs no cache; its errors are built by the small helpers at the bottom.
  private verifyUncached(token: string, now: number): AccessTokenClaims {
    // splitCompact's checks, inlined so the hot path allocates nothing (RFC 7515 §7.1, §2).
    const first = token.indexOf('.');
    const second = first === -1 ? -1 : token.indexOf('.', first + 1);
    if (second === -1 || token.indexOf('.', second + 1) !== -1 || !isCompactAlphabet(token)) {
      splitCompact(token, this.maxTokenBytes); // throws the precise token_malformed
    }
    const header = this.trustedHeader(token, first);
    const payload = decodeSegment(token.slice(first + 1, second));
    const signature = decodeSegment(token.slice(second + 1));
    if (payload === undefined || signature === undefined) throw notCanonical();
    if (!header.check(token.slice(0, second), signature)) throw badSignature();
    if (header !== this.lastHeader) this.remember(header);
    // Duplicate claim names are not searched for here: the payload is parsed only after its
    // signature verified, so a duplicate needs a trusted signer to write one (Tessera's signer is
    // JSON.stringify, which cannot), and the exact search costs ~6 % of an HS256 verification —
    // more than the whole budget left by the 90 %-of-raw-crypto target. The header, read before
    // the signature, always gets it (for free: trusted headers are remembered).
    const claims = parseJsonObject(payload, claimsParsing);
    if (claims === undefined) throw notAnObject();
    checkAccessTokenClaims(claims, this.policy, now);
    return claims;
  }

  /** Drops cached tokens that have expired; worth calling now and then on an idle verifier. */
  pruneCache(): number {
    return this.cache?.prune(this.clock.now() / 1000) ?? 0;
  }

  private trustedHeader(token: string, end: number): TrustedHeader {
    const last = this.lastHeader;
    if (last !== undefined && last.segment.length === end && token.startsWith(last.segment)) {
      return last;
    }
    const segment = token.slice(0, end);
    return this.headers.get(segment) ?? this.admitHeader(segment);
  }

  // Only headers that a valid signature covered are remembered, so forged headers cannot churn
  // the map; what is remembered is a pure function of the segment and the fixed key set.
  private remember(header: TrustedHeader): void {
    if (!this.headers.has(header.segment)) {
      if (this.headers.size >= maxTrustedHeaders) this.headers.clear();
      this.headers.set(header.segment, header);
    }
    this.lastHeader = header;
  }

  private admitHeader(segment: string): TrustedHeader {
    const header = parseProtectedHeader(segment);
    // The type first: a JWS that is not an access token is refused as such, whatever its key.
    if (!typMatches(header.typ, this.requiredTyp)) {
      throw new TesseraError(
        'token_unsupported',
        `the token is not of type "${this.requiredTyp}" (RFC 9068 §4)`,
      );
    }
    return { segment, check: checkFor(resolveKey(header, this.keys)) };
  }
}

function notCanonical(): TesseraError {
  return new TesseraError('token_malformed', 'the token is not canonical base64url (RFC 7515 §2)');
}

function badSignature(): TesseraError {
  return new TesseraError('token_signature_invalid', 'the token signature does not verify');
}

function notAnObject(): TesseraError {
  return new TesseraError(
    'token_malformed',
    'the token claims are not a JSON object (RFC 7519 §7.2)',
  );
}

/** Builds the access-token verifier for a key set and policy (options are checked up front). */
export function createAccessTokenVerifier(
  keys: KeySet | Iterable<VerificationKey>,
  options: AccessTokenVerifierOptions,
): AccessTokenVerifier {
  return new AccessTokenVerifier(keys, options);
}

function isKeyMap(keys: KeySet | Iterable<VerificationKey>): keys is KeySet {
  return keys instanceof Map;
}

function checkedClock(clock: Clock): Clock {
  if (typeof clock?.now !== 'function')
    throw new TesseraError('invalid_config', 'the verifier needs a clock');
  return clock;
}

function nonEmpty(value: string, name: string): string {
  if (typeof value !== 'string' || value === '')
    throw new TesseraError('invalid_config', `${name} must be a non-empty string`);
  return value;
}

function audiences(
  audience: string | readonly string[] | undefined,
): readonly string[] | undefined {
  if (audience === undefined) return undefined;
  const list = typeof audience === 'string' ? [audience] : [...audience];
  if (list.length === 0)
    throw new TesseraError('invalid_config', 'audience must name at least one audience');
  for (const item of list) nonEmpty(item, 'audience');
  return list;
}

function inRange(value: number, min: number, max: number, name: string): number {
  if (typeof value !== 'number' || !(value >= min && value <= max)) {
    throw new TesseraError('invalid_config', `${name} must be a number from ${min} to ${max}`);
  }
  return value;
}
