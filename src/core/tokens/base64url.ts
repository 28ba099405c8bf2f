/**
 * Strict base64url (RFC 7515 §2, RFC 4648 §5): no padding, no `+` or `/`, and only the canonical
 * encoding of each byte string — so one token has exactly one spelling.
 *
 * Node's decoder is lenient: it skips characters outside the alphabet, accepts `+` and `/`,
 * ignores non-zero trailing bits and reads only the low byte of non-Latin-1 code units. The
 * checks here close each gap cheaply enough for the hot path:
 *   - the whole compact token is ASCII with no `+` or `/` (isCompactAlphabet);
 *   - every other non-alphabet ASCII character is dropped by the decoder, so the decoded length
 *     falls short of what the segment length implies (decodeSegment);
 *   - the unused low bits of the last character are zero (RFC 4648 §3.5).
 * test/core/tokens/base64url.test.ts checks every UTF-16 code unit against these rules.
 */

const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const sextets = new Int8Array(128).fill(-1);
for (let i = 0; i < alphabet.length; i++) sextets[alphabet.charCodeAt(i)] = i;

const alphabetPattern = /^[A-Za-z0-9_-]*$/;

/** Encodes bytes (or a UTF-8 string) as unpadded base64url. */
export function encodeBase64url(data: Uint8Array | string): string {
  return (typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data)).toString(
    'base64url',
  );
}

/**
 * True when `token` holds nothing but ASCII outside `+` and `/`: the token-wide half of the
 * strict check, done once for all three segments.
 */
export function isCompactAlphabet(token: string): boolean {
  // A UTF-8 length equal to the UTF-16 length means every code unit is ASCII.
  return (
    Buffer.byteLength(token, 'utf8') === token.length &&
    token.indexOf('+') === -1 &&
    token.indexOf('/') === -1
  );
}

/** True when `segment` is canonical base64url on its own (alphabet, length and trailing bits). */
export function isCanonicalBase64url(segment: string): boolean {
  return alphabetPattern.test(segment) && hasCanonicalTail(segment);
}

/**
 * Decodes one segment of a token that passed isCompactAlphabet; undefined unless the segment is
 * the canonical base64url of the bytes returned.
 */
export function decodeSegment(segment: string): Buffer | undefined {
  if (!hasCanonicalTail(segment)) return undefined;
  const bytes = Buffer.from(segment, 'base64url');
  return bytes.length === (segment.length * 3) >>> 2 ? bytes : undefined;
}

/** Decodes a standalone base64url string strictly; undefined when it is not canonical. */
export function decodeBase64url(text: string): Buffer | undefined {
  return isCanonicalBase64url(text) ? Buffer.from(text, 'base64url') : undefined;
}

/**
 * RFC 4648 §3.5: a length of 4n+1 cannot be produced by an encoder, and the bits the last
 * character carries beyond the final byte must be zero.
 */
function hasCanonicalTail(segment: string): boolean {
  const rest = segment.length & 3;
  if (rest === 0) return true;
  if (rest === 1) return false;
  const last = sextets[segment.charCodeAt(segment.length - 1) & 127] ?? -1;
  if (last < 0) return false;
  // Two leftover characters carry 12 bits for one byte (4 spare); three carry 18 for two (2 spare).
  return (last & (rest === 2 ? 0x0f : 0x03)) === 0;
}
