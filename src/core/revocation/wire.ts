/**
 * The wire form of revocation events (API.md "Revocation feed"): what the SSE feed, the event bus
 * and the Redis stream carry, and where the stream is. The server writes it and the verifier
 * toolkit reads it, so it lives below both and imports nothing.
 */

/** The kinds of revocation Tessera publishes. */
export const feedEventKinds = ['jti', 'sid', 'user', 'kid'] as const;

/** One kind of revocation, as published. */
export type FeedEventKind = (typeof feedEventKinds)[number];

/** An event as the feed and the bus carry it: times as ISO 8601 strings (API.md conventions). */
export interface FeedEvent {
  seq: number;
  kind: FeedEventKind;
  value: string;
  at: string;
  expiresAt: string;
}

/** The Redis stream revocations go to, for a deployment whose keys start with `prefix`. */
export function revocationStreamKey(prefix: string): string {
  return `${prefix}revocations`;
}

/** The stream Tessera's revocation events go to, unless configured otherwise. */
export const defaultRevocationStream = revocationStreamKey('tessera:');

/** The field of a stream entry that holds the event (the SSE data JSON). */
export const revocationStreamField = 'event';
