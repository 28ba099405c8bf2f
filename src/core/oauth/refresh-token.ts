/**
 * The refresh token's format. A token is `<familyId>.<generation>.<familySecret>.<tokenSecret>`:
 * the family's id (a UUID), its generation (decimal, from 1), a secret every token of the family
 * shares, and a secret of this generation alone (both 32 random bytes, base64url). The family
 * secret is what lets the server recognise every token a family ever issued, old ones included,
 * while storing only two hashes: an earlier generation proves itself by the family secret, the
 * current and the previous one by the hash of the whole token. The family id alone (the `sid` of
 * access tokens) proves nothing.
 *
 * Tokens issued before this format are 43 base64url characters (`LEGACY_SHAPE`) and are looked
 * up by their hash until their family expires.
 */
import { randomToken } from '../random.js';

/** A refresh token taken apart. */
export interface RefreshTokenParts {
  familyId: string;
  generation: number;
  familySecret: string;
  tokenSecret: string;
}

const SECRET_BYTES = 32;
/** Lower-case UUIDs, canonical generations (no sign, no leading zero), 43-character secrets. */
const TOKEN_SHAPE =
  /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.([1-9][0-9]{0,14})\.([A-Za-z0-9_-]{43})\.([A-Za-z0-9_-]{43})$/;
/** A token from before the family id and generation were part of it: 32 random bytes. */
const LEGACY_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/** The longest token `formatRefreshToken` makes (a 15-digit generation), for input limits. */
export const REFRESH_TOKEN_MAX_LENGTH = 36 + 1 + 15 + 1 + 43 + 1 + 43;

/** A new random secret for a family or a generation. */
export function newRefreshSecret(): string {
  return randomToken(SECRET_BYTES);
}

/** Puts a token together. */
export function formatRefreshToken(parts: RefreshTokenParts): string {
  return `${parts.familyId}.${parts.generation}.${parts.familySecret}.${parts.tokenSecret}`;
}

/** Takes a token apart; undefined for anything not in the current format. */
export function parseRefreshToken(token: string): RefreshTokenParts | undefined {
  const match = TOKEN_SHAPE.exec(token);
  if (!match) return undefined;
  const [, familyId = '', generation = '', familySecret = '', tokenSecret = ''] = match;
  return { familyId, generation: Number(generation), familySecret, tokenSecret };
}

/** Whether a token has the shape of one issued before the current format. */
export function isLegacyRefreshToken(token: string): boolean {
  return LEGACY_SHAPE.test(token);
}
