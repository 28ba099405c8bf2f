/**
 * A cache of verified access tokens, keyed by the exact token string. A hit skips decoding and
 * the signature but still returns the claims, so the caller checks revocation on every request.
 *
 * It can only ever narrow what the verifier accepts:
 *   - only successes go in — a rejection is never remembered, so it cannot become an acceptance;
 *   - every hit re-checks time: an entry is served only from its start (less skew) until its
 *     exp — not exp plus skew — and is dropped once outside that span;
 *   - the exact string is the key, so no other spelling of a token can share its entry;
 *   - it is bounded in entries (least recently used goes first).
 * The cache belongs to one verifier, whose keys and policy never change; a new key set means a
 * new verifier and so an empty cache.
 */
import { TesseraError } from '../errors.js';
import type { AccessTokenClaims } from './claims.js';

interface Entry {
  /** The exact token: a hit needs the whole string to be equal, not just the map key. */
  readonly token: string;
  readonly claims: AccessTokenClaims;
  /** Seconds since the epoch; served while from <= now < until. */
  readonly from: number;
  readonly until: number;
}

/** Default bound on cached tokens: about 10–20 MB at ~1–2 KB per entry. */
export const defaultCacheEntries = 10_000;

/** A bounded LRU of verified tokens whose entries never outlive their exp. */
export class VerifiedTokenCache {
  // A Map iterates in insertion order; re-inserting on every hit makes the first key the least
  // recently used one.
  private readonly entries = new Map<string, Entry>();

  constructor(readonly maxEntries: number = defaultCacheEntries) {
    if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) {
      throw new TesseraError(
        'invalid_config',
        'the token cache needs a positive whole number of entries',
      );
    }
  }

  /** How many tokens are cached now. */
  get size(): number {
    return this.entries.size;
  }

  /** The claims of a cached token still inside its window at `now` (seconds), else undefined. */
  get(token: string, now: number): AccessTokenClaims | undefined {
    const key = mapKey(token);
    const entry = this.entries.get(key);
    if (entry === undefined || entry.token !== token) return undefined;
    this.entries.delete(key);
    if (now >= entry.until || now < entry.from) return undefined;
    this.entries.set(key, entry);
    return entry.claims;
  }

  /** Remembers a token that just passed every check, for the window given (seconds). */
  set(token: string, claims: AccessTokenClaims, from: number, until: number): void {
    const key = mapKey(token);
    this.entries.delete(key);
    while (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done === true) break;
      this.entries.delete(oldest.value);
    }
    this.entries.set(key, { token, claims, from, until });
  }

  /** Drops every entry whose window has closed by `now` (seconds); returns how many went. */
  prune(now: number): number {
    let dropped = 0;
    for (const [key, entry] of this.entries) {
      if (now >= entry.until) {
        this.entries.delete(key);
        dropped++;
      }
    }
    return dropped;
  }

  /** Forgets every cached token. */
  clear(): void {
    this.entries.clear();
  }
}

// Every request brings a freshly parsed token string, and hashing all of it for the map costs
// more than the rest of a cached verification (bench/http.ts). The map is keyed by the token's
// last characters — the end of the signature, unique for practical purposes — and a hit still
// requires the whole token to be equal, so the cache stays keyed by the exact string: another
// token with the same tail is a miss (and then replaces the entry), never a false hit.
const KEY_CHARS = 32;

function mapKey(token: string): string {
  return token.length > KEY_CHARS ? token.slice(-KEY_CHARS) : token;
}
