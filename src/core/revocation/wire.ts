/**
 * The wire form of a revocation event (API.md "Revocation feed"), as the SSE feed and the Redis
 * stream carry it. The server writes it (core/revocation/feed.ts) and verifiers read it
 * (verify/feed-event.ts), so it lives apart from the stores: the verifier toolkit
 * (tessera-verify) is built from this file without any store code.
 */

/** An event as the feed and the bus carry it: times as ISO 8601 strings (API.md conventions). */
export interface FeedEvent {
  seq: number;
  /** What is revoked; `toFeedEvent` only compiles while every store kind is listed here. */
  kind: 'jti' | 'sid' | 'user' | 'kid';
  value: string;
  at: string;
  expiresAt: string;
}
