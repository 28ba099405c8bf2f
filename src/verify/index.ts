// tessera-verify: the resource-server toolkit (API.md "Library surface that is fixed").
export {
  createVerifier,
  defaultMaxStalenessMs,
  type RevocationsOption,
  type Verifier,
  type VerifierHealth,
  type VerifierOptions,
} from './verifier.js';
export { defaultRevocationStream } from './redis-feed.js';
export type { AuthorizationServerMetadata } from './discovery.js';
export type { BackoffOptions } from './backoff.js';
export type { ClientCredentials, Fetch } from './http.js';
export type { FeedEvent } from './feed-event.js';
export type { JwksHealth } from './jwks-cache.js';
export type { RevocationCounts } from './revocation-state.js';
export type { SessionFacts, SessionRevocations } from './session-revocations.js';
export type { AccessTokenClaims } from '../core/tokens/claims.js';
export type { Clock } from '../core/clock.js';
export { isTesseraError, TesseraError, type ErrorCode } from '../core/errors.js';
