/**
 * The wire form of a revocation event (API.md "Revocation feed"), as the SSE feed and the Redis
 * stream both carry it, and its strict parsing: an event the verifier cannot read is a feed
 * failure, never something to skip — skipping could drop a revocation. The one exception is a
 * well-formed event of a kind newer than this verifier: it is passed on as `unknown` (the state
 * counts and ignores it) so that a newer server does not wedge an older verifier's feed.
 */
import { TesseraError } from '../core/errors.js';
import type { FeedEvent } from '../core/revocation/wire.js';

export type { FeedEvent };

/** A revocation as the verifier keeps it: times in milliseconds since the epoch. */
export interface Revocation {
  /** Position in the feed (`Last-Event-ID`). */
  seq: number;
  /** `kid`: every token signed by that key; `unknown`: a kind this verifier does not know. */
  kind: RevocationKindName | 'unknown';
  value: string;
  /** When it was recorded; for kind `user`, the cutoff that `iat` is compared with. */
  at: number;
  /** After this no token it affects can still be valid (the verifier adds its clock skew). */
  expiresAt: number;
}

/** The kinds this verifier enforces. */
export type RevocationKindName = 'jti' | 'sid' | 'user' | 'kid';

const kinds = new Set<string>(['jti', 'sid', 'user', 'kid']);
// A kind as a newer server may name one: a short lowercase word, not just any string.
const kindShape = /^[a-z][a-z0-9_-]{0,31}$/;

/** Parses the JSON `data` of one event; throws `revocation_unavailable` on anything unexpected. */
export function parseFeedEvent(data: string): Revocation {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    throw bad('is not JSON');
  }
  return toRevocation(value);
}

/** Checks a decoded event and converts its times. */
export function toRevocation(value: unknown): Revocation {
  if (typeof value !== 'object' || value === null) throw bad('is not an object');
  const event = value as Record<string, unknown>;
  const { seq, kind, value: subject } = event;
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) throw bad('has no seq');
  if (typeof kind !== 'string' || !kindShape.test(kind)) throw bad('has no kind');
  if (typeof subject !== 'string' || subject === '') throw bad('has no value');
  const at = instant(event.at);
  const expiresAt = instant(event.expiresAt);
  if (at === undefined || expiresAt === undefined) throw bad('has a bad timestamp');
  const known = kinds.has(kind) ? (kind as RevocationKindName) : 'unknown';
  return { seq, kind: known, value: subject, at, expiresAt };
}

function instant(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : undefined;
}

function bad(what: string): TesseraError {
  return new TesseraError('revocation_unavailable', `a revocation event ${what}`);
}
