import { dictionary } from '@zxcvbn-ts/language-common';
import { TesseraError } from '../errors.js';

/** Shortest password accepted (NIST SP 800-63B §3.1.1.2: at least 8 characters). */
export const MIN_PASSWORD_LENGTH = 8;
/** Longest accepted: long passphrases are welcome, but a bound keeps hashing cost bounded. */
export const MAX_PASSWORD_LENGTH = 1024;

let common: Set<string> | undefined;

/** The bundled list of common passwords (zxcvbn-ts's ~49k list), loaded on first use. */
function commonPasswords(): Set<string> {
  common ??= new Set(dictionary['passwords-common'].map((entry) => entry.toLowerCase()));
  return common;
}

/**
 * Normalizes a password the way NIST SP 800-63B §5.1.1.2 recommends (Unicode NFKC), so the same
 * passphrase typed on two keyboards hashes the same.
 */
export function normalizePassword(password: string): string {
  return password.normalize('NFKC');
}

/**
 * Applies the password policy of NIST SP 800-63B: length only, no composition rules, and no
 * password from the list of common ones. Counts Unicode code points, not UTF-16 units.
 * Also refuses the email itself as password. Returns the normalized password.
 */
export function checkPasswordPolicy(password: string, email?: string): string {
  const normalized = normalizePassword(password);
  const length = [...normalized].length;
  const weak = (message: string): TesseraError =>
    new TesseraError('weak_password', message, { field: 'password' });
  if (length < MIN_PASSWORD_LENGTH) {
    throw weak(`password must have at least ${MIN_PASSWORD_LENGTH} characters`);
  }
  if (length > MAX_PASSWORD_LENGTH) {
    throw weak(`password must have at most ${MAX_PASSWORD_LENGTH} characters`);
  }
  const lowered = normalized.toLowerCase();
  if (commonPasswords().has(lowered)) {
    throw weak('password is on the list of commonly used passwords; choose another');
  }
  if (email !== undefined && (lowered === email || lowered === email.split('@')[0])) {
    throw weak('password must not be the email address');
  }
  if (new Set(normalized).size === 1) {
    throw weak('password must not repeat a single character');
  }
  return normalized;
}
