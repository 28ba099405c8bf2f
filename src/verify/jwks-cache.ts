/**
 * The issuer's public keys, and the strict core verifier built from them. A token naming a kid
 * the cache does not hold makes it refetch the JWKS once and try again, so a key rotation never
 * causes a false rejection. Refetches that do not find the kid they were made for start a
 * cooldown in which no other unknown-kid refetch is made (jose's remote JWKS does the same), so
 * tokens with garbage kids cannot make the verifier hammer the server; a refetch that finds its
 * kid is a real rotation and costs no cooldown. The keys are also refreshed on a timer.
 */
import { TesseraError } from '../core/errors.js';
import { keySetFromJwks } from '../core/keys/key-set.js';
import { parseProtectedHeader } from '../core/tokens/header.js';
import { createAccessTokenVerifier, type AccessTokenVerifier } from '../core/tokens/verify.js';
import { errorSummary, requestJson, type Fetch } from './http.js';
import type { Clock } from '../core/clock.js';
import type { AccessTokenClaims } from '../core/tokens/claims.js';

/** Default pause after a fruitless unknown-kid refetch. */
export const defaultJwksRefreshCooldownMs = 10_000;
/** Default period of the background refresh. */
export const defaultJwksRefreshIntervalMs = 5 * 60_000;

/** How the cache fetches keys and what the verifiers it builds check. */
export interface JwksCacheOptions {
  jwksUri: string;
  fetch: Fetch;
  timeoutMs: number;
  issuer: string;
  audience: string | readonly string[] | undefined;
  clock: Clock;
  clockSkewSeconds: number | undefined;
  cooldownMs: number;
  refreshIntervalMs: number;
}

/** What `health()` reports about the keys. */
export interface JwksHealth {
  kids: string[];
  /** When the JWKS was last fetched successfully (ISO 8601). */
  fetchedAt: string | undefined;
  /** JWKS requests made so far, successful or not. */
  fetches: number;
  /** The last fetch failure, if the last fetch failed. */
  lastError: string | undefined;
}

/** The JWKS of one issuer and the verifier over it. */
export class JwksCache {
  private verifier: AccessTokenVerifier | undefined;
  private document = '';
  private kids: string[] = [];
  private fetchedAt: number | undefined;
  private fetches = 0;
  private lastError: string | undefined;
  private inflight: Promise<void> | undefined;
  // Monotonic time (performance.now) of the last refetch that did not find its kid.
  private lastMiss: number | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: JwksCacheOptions) {}

  /** Fetches the keys for the first time and starts the periodic refresh. */
  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => {
      this.refresh().catch(() => undefined); // kept in lastError; the old keys stay in use
    }, this.options.refreshIntervalMs);
    this.timer.unref();
  }

  /** Stops the periodic refresh. */
  stop(): void {
    clearInterval(this.timer);
  }

  /** Verifies against the keys held now, synchronously; an unknown kid throws as such. */
  verifyKnown(token: string): AccessTokenClaims {
    return this.current().verify(token);
  }

  /**
   * After `verifyKnown` failed with `unknownKid`: refetches the keys once (rate-limited) and
   * verifies again, or rethrows the original error.
   */
  async retryAfterUnknownKid(token: string, unknownKid: TesseraError): Promise<AccessTokenClaims> {
    const kid = namedKid(token);
    if (kid === undefined || !(await this.refreshFor(kid))) throw unknownKid;
    try {
      return this.current().verify(token);
    } catch (retryError) {
      if (retryError instanceof TesseraError && retryError.code === 'token_unknown_key') {
        this.lastMiss = performance.now();
      }
      throw retryError;
    }
  }

  /** The verifier over the current keys (throws before `start`). */
  current(): AccessTokenVerifier {
    if (this.verifier === undefined) throw new TesseraError('jwks_unavailable', 'no keys loaded');
    return this.verifier;
  }

  health(): JwksHealth {
    return {
      kids: [...this.kids],
      fetchedAt: this.fetchedAt === undefined ? undefined : new Date(this.fetchedAt).toISOString(),
      fetches: this.fetches,
      lastError: this.lastError,
    };
  }

  /**
   * Refetches for an unknown kid, unless the kid arrived in another refetch meanwhile or a
   * fruitless refetch was made within the cooldown. Concurrent callers share one request.
   * Returns whether it is worth verifying again.
   */
  private async refreshFor(kid: string): Promise<boolean> {
    if (this.kids.includes(kid)) return true; // keys changed while this token was checked
    if (this.inflight === undefined) {
      const sinceMiss = this.lastMiss === undefined ? Infinity : performance.now() - this.lastMiss;
      if (sinceMiss < this.options.cooldownMs) return false;
    }
    try {
      await this.refresh();
    } catch (error) {
      this.lastMiss = performance.now();
      // The kid may well be valid: say the keys are unreachable rather than that it is unknown.
      throw new TesseraError('jwks_unavailable', (error as Error).message);
    }
    return true;
  }

  /** One fetch at a time; a caller during a fetch waits for that fetch. */
  private refresh(): Promise<void> {
    this.inflight ??= this.fetchKeys().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private async fetchKeys(): Promise<void> {
    this.fetches += 1;
    try {
      const jwks = await requestJson(
        this.options.fetch,
        this.options.jwksUri,
        { method: 'GET', headers: { accept: 'application/jwk-set+json, application/json' } },
        this.options.timeoutMs,
        'jwks_unavailable',
      );
      const document = JSON.stringify(jwks);
      // Same document, same verifier: its cache of verified tokens stays warm.
      if (document !== this.document || this.verifier === undefined) {
        const keys = await keySetFromJwks(jwks).catch((error: unknown) => {
          throw new TesseraError(
            'jwks_unavailable',
            `the JWKS is unusable (${errorSummary(error)})`,
          );
        });
        if (keys.size === 0)
          throw new TesseraError('jwks_unavailable', 'the JWKS holds no usable key');
        const { issuer, audience, clock, clockSkewSeconds } = this.options;
        this.verifier = createAccessTokenVerifier(keys, {
          issuer,
          clock,
          ...(audience === undefined ? {} : { audience }),
          ...(clockSkewSeconds === undefined ? {} : { clockSkewSeconds }),
        });
        this.document = document;
        this.kids = [...keys.keys()];
      }
      this.fetchedAt = this.options.clock.now();
      this.lastError = undefined;
    } catch (error) {
      this.lastError = (error as Error).message;
      throw error;
    }
  }
}

/** The kid of a token whose header the core verifier already parsed and accepted. */
function namedKid(token: string): string | undefined {
  try {
    const kid = parseProtectedHeader(token.slice(0, token.indexOf('.'))).kid;
    return typeof kid === 'string' ? kid : undefined;
  } catch {
    return undefined;
  }
}
