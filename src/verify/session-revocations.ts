/**
 * What a verifier's revocation state offers the session check (middleware/session-check.ts):
 * sessions revoked by public id (`sid` events) and users' cutoffs, whether that state is current
 * (the same staleness bound that makes `verify` fail closed), and the feed's client, which may
 * report session activity.
 */
import type { Clock } from '../core/clock.js';
import type { ClientCredentials } from './http.js';
import type { Revocation } from '../core/revocation/state.js';
import type { RevocationState } from './revocation-state.js';

/** A session as the check knows it: times in epoch ms. */
export interface SessionFacts {
  /** The public id (`session.id` of `GET /auth/session`). */
  id: string;
  userId: string;
  createdAt: number;
}

/** The session side of a verifier's revocations. */
export interface SessionRevocations {
  /** False while revocations are not confirmed current: then nothing may be answered locally. */
  isLive(): boolean;
  /** True when the feed revoked the session, or its user's cutoff came after it was created. */
  revokes(session: SessionFacts): boolean;
  /** Calls `listener` with each revocation applied from now on; returns the unsubscribe. */
  subscribe(listener: (revocation: Revocation) => void): () => void;
  /** The verifier's clock. */
  readonly clock: Clock;
  /** The feed's client (scope `tessera:revocations`), when revocations come from the feed. */
  readonly credentials: ClientCredentials | undefined;
}

/** The view over one verifier's state. */
export function sessionRevocationsOf(
  state: RevocationState,
  isLive: () => boolean,
  clock: Clock,
  credentials: ClientCredentials | undefined,
): SessionRevocations {
  return {
    isLive,
    revokes(session) {
      if (state.hasSid(session.id)) return true;
      const cutoff = state.userCutoff(session.userId);
      // Same second rule as tokens, in ms: created at the cutoff's instant counts as before it.
      return cutoff !== undefined && session.createdAt <= cutoff;
    },
    subscribe: (listener) => state.subscribe(listener),
    clock,
    credentials,
  };
}
