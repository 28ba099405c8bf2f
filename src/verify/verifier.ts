/**
 * The resource-server verifier: keys from the issuer's JWKS, the strict core verifier over them,
 * and a revocation feed held in memory. `verify` never calls the server on the hot path, checks
 * revocation on every call (the verified-token cache only skips the signature), and fails closed
 * when the feed has been silent longer than `maxStalenessMs`.
 */
import { systemClock, type Clock } from '../core/clock.js';
import { TesseraError } from '../core/errors.js';
import { parseProtectedHeader } from '../core/tokens/header.js';
import { defaultMaxTokenBytes } from '../core/tokens/jws.js';
import { defaultClockSkewSeconds } from '../core/tokens/verify.js';
import { discover, type AuthorizationServerMetadata } from './discovery.js';
import { defaultFeedIdleTimeoutMs, FeedClient } from './feed-client.js';
import { defaultRequestTimeoutMs, type ClientCredentials, type Fetch } from './http.js';
import { introspect } from './introspection.js';
import {
  defaultJwksRefreshCooldownMs,
  defaultJwksRefreshIntervalMs,
  JwksCache,
  type JwksHealth,
} from './jwks-cache.js';
import { defaultRevocationStream, RedisFeed } from './redis-feed.js';
import { RevocationState, type RevocationCounts } from './revocation-state.js';
import type { BackoffOptions } from './backoff.js';
import type { RevocationSource } from './revocation-source.js';
import { sessionRevocationsOf, type SessionRevocations } from './session-revocations.js';
import type { AccessTokenClaims } from '../core/tokens/claims.js';

/** Default staleness bound: past it, the verifier refuses what it cannot check. */
export const defaultMaxStalenessMs = 30_000;

// How often revocations that can no longer matter are dropped, besides on every insert.
const pruneIntervalMs = 30_000;

/** Where revocations come from. */
export type RevocationsOption =
  | {
      /** Tessera's SSE feed, read by a client allowed the scope `tessera:revocations`. */
      feed: ClientCredentials & {
        /** A stream silent this long is dropped and reopened; defaults to 15 s. */
        idleTimeoutMs?: number;
        backoff?: BackoffOptions;
      };
    }
  | {
      /** `redis://…` of the Redis the server appends revocations to. */
      redis: string;
      /** The stream key; defaults to `tessera:revocations`. */
      streamKey?: string;
      backoff?: BackoffOptions;
    }
  /** No revocation checks at all: a revoked token verifies until it expires. */
  | 'off';

/** Options of `createVerifier`. */
export interface VerifierOptions {
  /** The issuer URL, exactly as in the tokens' `iss`; metadata and JWKS are discovered from it. */
  issuer: string;
  /** Accepted audience(s); when set, the token's `aud` must name one. */
  audience?: string | readonly string[];
  revocations: RevocationsOption;
  /** Tolerated clock skew on exp, nbf and iat, 0–300 s; defaults to 30. */
  clockSkewSeconds?: number;
  /** How long revocations may go unconfirmed before verify fails closed; defaults to 30 s. */
  maxStalenessMs?: number;
  /** Asked instead of rejecting while the feed is stale (RFC 7662 client credentials). */
  introspection?: ClientCredentials;
  /** The fetch to use; defaults to the global one. */
  fetch?: Fetch;
  /** Pause after an unknown-kid JWKS refetch that did not find the kid; defaults to 10 s. */
  jwksRefreshCooldownMs?: number;
  /** Period of the background JWKS refresh; defaults to 5 minutes. */
  jwksRefreshIntervalMs?: number;
  /** Deadline of each metadata, JWKS, snapshot and introspection request; defaults to 5 s. */
  requestTimeoutMs?: number;
  /** Where the current time comes from (token times, revocation expiry); defaults to the system. */
  clock?: Clock;
}

/** What `health()` reports. */
export interface VerifierHealth {
  /** False when verify would refuse valid tokens now (stale revocations, no introspection). */
  ok: boolean;
  jwks: JwksHealth;
  revocations: 'live' | 'stale' | 'off';
  /** `feed`, `redis` or `off`. */
  source: 'feed' | 'redis' | 'off';
  /** Where the feed resumes from. */
  lastEventId: string | undefined;
  /** Time since revocations were last confirmed current. */
  staleForMs: number | undefined;
  maxStalenessMs: number;
  connected: boolean;
  reconnects: number;
  lastError: string | undefined;
  /** Revocations held in memory now. */
  entries: RevocationCounts;
}

/** A verifier of one issuer's access tokens. */
export interface Verifier {
  /** The issuer it verifies tokens of. */
  readonly issuer: string;
  /** The issuer's RFC 8414 metadata, as discovered. */
  readonly metadata: AuthorizationServerMetadata;
  /** Resolves with the claims of a valid, unrevoked token; rejects with a coded TesseraError. */
  verify(token: string): Promise<AccessTokenClaims>;
  /** The state of keys and revocations, for readiness probes and dashboards. */
  health(): VerifierHealth;
  /**
   * What a session check may learn from these revocations (middleware/session-check.ts);
   * absent when revocations are off, since nothing would then tell it a session ended.
   */
  readonly sessionRevocations?: SessionRevocations;
  /** Stops the feed and the timers. */
  close(): Promise<void>;
}

/**
 * Discovers the issuer, loads its keys and catches up on revocations; resolves when all of that
 * worked, rejects with `invalid_config`, `jwks_unavailable` or `revocation_unavailable` otherwise.
 */
export async function createVerifier(options: VerifierOptions): Promise<Verifier> {
  const clock = options.clock ?? systemClock;
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const timeoutMs = positive(
    options.requestTimeoutMs ?? defaultRequestTimeoutMs,
    'requestTimeoutMs',
  );
  const maxStalenessMs = positive(
    options.maxStalenessMs ?? defaultMaxStalenessMs,
    'maxStalenessMs',
  );
  const skewSeconds = options.clockSkewSeconds ?? defaultClockSkewSeconds;
  const metadata = await discover(options.issuer, fetchImpl, timeoutMs);
  if (options.introspection !== undefined && metadata.introspection_endpoint === undefined) {
    throw new TesseraError(
      'invalid_config',
      'introspection is configured but the issuer has no introspection_endpoint',
    );
  }
  const jwks = new JwksCache({
    jwksUri: metadata.jwks_uri,
    fetch: fetchImpl,
    timeoutMs,
    issuer: options.issuer,
    audience: options.audience,
    clock,
    clockSkewSeconds: options.clockSkewSeconds,
    cooldownMs: nonNegative(
      options.jwksRefreshCooldownMs ?? defaultJwksRefreshCooldownMs,
      'jwksRefreshCooldownMs',
    ),
    refreshIntervalMs: positive(
      options.jwksRefreshIntervalMs ?? defaultJwksRefreshIntervalMs,
      'jwksRefreshIntervalMs',
    ),
  });
  // The core verifier checks the options (skew range, audience) as it is built from the keys.
  await jwks.start().catch(rethrowAs(jwks));
  const state = new RevocationState(clock, skewSeconds * 1000);
  const source = revocationSource(options, state, fetchImpl, timeoutMs);
  try {
    await source?.start();
  } catch (error) {
    jwks.stop();
    throw error;
  }
  const pruner = setInterval(() => state.prune(), pruneIntervalMs);
  pruner.unref();

  const staleFor = (): number | undefined =>
    source?.lastAliveMonotonicMs === undefined
      ? undefined
      : performance.now() - source.lastAliveMonotonicMs;
  const isStale = (): boolean => {
    const ms = staleFor();
    return ms === undefined || ms > maxStalenessMs;
  };
  const introspection = options.introspection;
  const endpoint = metadata.introspection_endpoint;

  /**
   * The revocation check. While the feed is fresh it settles at once (no promise per step on
   * the hot path); stale, it fails closed or asks introspection.
   */
  const checkRevocation = (
    claims: AccessTokenClaims,
    token: string,
  ): Promise<AccessTokenClaims> => {
    if (source === undefined) return Promise.resolve(claims);
    try {
      // What is known to be revoked is refused as such, stale or not.
      state.check(claims);
    } catch (error) {
      return Promise.reject(error);
    }
    if (!isStale()) return Promise.resolve(claims);
    if (introspection === undefined || endpoint === undefined) {
      return Promise.reject(
        new TesseraError(
          'revocation_unavailable',
          `revocations have not been confirmed for ${Math.round(staleFor() ?? Infinity)} ms (limit ${maxStalenessMs} ms)`,
        ),
      );
    }
    return introspect(endpoint, introspection, token, fetchImpl, timeoutMs).then(() => claims);
  };

  const revocations = options.revocations;
  const feedCredentials =
    typeof revocations === 'object' && 'feed' in revocations
      ? { clientId: revocations.feed.clientId, clientSecret: revocations.feed.clientSecret }
      : undefined;

  return {
    issuer: options.issuer,
    metadata,
    ...(source === undefined
      ? {}
      : {
          sessionRevocations: sessionRevocationsOf(state, () => !isStale(), clock, feedCredentials),
        }),
    verify(token) {
      let claims: AccessTokenClaims;
      try {
        // A revoked key is refused before any signature work, and before an unknown-kid refetch.
        if (state.revokesKeys) {
          const kid = kidOf(token);
          if (kid !== undefined) state.checkKey(kid);
        }
        claims = jwks.verifyKnown(token);
      } catch (error) {
        if (!(error instanceof TesseraError) || error.code !== 'token_unknown_key') {
          return Promise.reject(error);
        }
        return jwks
          .retryAfterUnknownKid(token, error)
          .then((verified) => checkRevocation(verified, token));
      }
      return checkRevocation(claims, token);
    },

    health() {
      const stale = source !== undefined && isStale();
      return {
        ok: !stale || introspection !== undefined,
        jwks: jwks.health(),
        revocations: source === undefined ? 'off' : stale ? 'stale' : 'live',
        source: source?.kind ?? 'off',
        lastEventId: source?.position,
        staleForMs: staleFor(),
        maxStalenessMs,
        connected: source?.connected ?? false,
        reconnects: source?.reconnects ?? 0,
        lastError: source?.lastError,
        entries: state.counts(),
      };
    },
    async close() {
      clearInterval(pruner);
      jwks.stop();
      await source?.close();
    },
  };
}

/**
 * The header's kid, or undefined when the header cannot be read or the token is oversized (the
 * core verifier refuses those, before any parsing of its own).
 */
function kidOf(token: string): string | undefined {
  if (token.length > defaultMaxTokenBytes) return undefined;
  try {
    const kid = parseProtectedHeader(token.slice(0, Math.max(0, token.indexOf('.')))).kid;
    return typeof kid === 'string' ? kid : undefined;
  } catch {
    return undefined;
  }
}

function revocationSource(
  options: VerifierOptions,
  state: RevocationState,
  fetchImpl: Fetch,
  timeoutMs: number,
): RevocationSource | undefined {
  const revocations = options.revocations;
  if (revocations === 'off') return undefined;
  if (typeof revocations === 'object' && revocations !== null && 'feed' in revocations) {
    const { clientId, clientSecret, idleTimeoutMs, backoff } = revocations.feed;
    return new FeedClient({
      url: `${options.issuer.replace(/\/+$/, '')}/auth/revocations`,
      credentials: { clientId, clientSecret },
      fetch: fetchImpl,
      timeoutMs,
      idleTimeoutMs: positive(idleTimeoutMs ?? defaultFeedIdleTimeoutMs, 'feed.idleTimeoutMs'),
      backoff: backoff ?? {},
      state,
    });
  }
  if (typeof revocations === 'object' && revocations !== null && 'redis' in revocations) {
    return new RedisFeed({
      url: revocations.redis,
      streamKey: revocations.streamKey ?? defaultRevocationStream,
      timeoutMs,
      backoff: revocations.backoff ?? {},
      state,
    });
  }
  throw new TesseraError('invalid_config', "revocations must be { feed }, { redis } or 'off'");
}

// Option errors thrown by the core verifier are TypeErrors and RangeErrors: give them a code.
function rethrowAs(jwks: JwksCache) {
  return (error: unknown): never => {
    jwks.stop();
    if (error instanceof TesseraError) throw error;
    throw new TesseraError('invalid_config', (error as Error).message);
  };
}

function positive(value: number, name: string): number {
  if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value)) {
    throw new TesseraError('invalid_config', `${name} must be a positive number`);
  }
  return value;
}

function nonNegative(value: number, name: string): number {
  if (typeof value !== 'number' || !(value >= 0) || !Number.isFinite(value)) {
    throw new TesseraError('invalid_config', `${name} must be a number ≥ 0`);
  }
  return value;
}
