/**
 * The only place Tessera draws randomness, so an audit reads one file: every secret comes from
 * the operating system's CSPRNG through node:crypto.
 */
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';

/** A url-safe random token of `bytes` bytes of entropy (32 bytes = 256 bits by default). */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** A random RFC 9562 v4 UUID, for record ids. */
export function randomId(): string {
  return randomUUID();
}

/** SHA-256 of a secret, hex-encoded: how session ids and refresh tokens are stored. */
export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** Compares two secrets in constant time (for equal lengths; the length itself is not secret). */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  if (left.length !== right.length) {
    // Still do a comparison of equal cost so the early exit does not stand out.
    timingSafeEqual(left, left);
    return false;
  }
  return timingSafeEqual(left, right);
}
