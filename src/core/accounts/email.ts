import { TesseraError } from '../errors.js';

// A deliberately practical address grammar: what a sign-up form should accept, not all of
// RFC 5322 (quoted local parts and IP-literal domains are refused; nobody signs up with them).
const LOCAL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+$/;
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/**
 * Normalizes and validates an email address: trims, lower-cases the whole address (mail
 * providers treat the local part case-insensitively in practice, and two accounts differing
 * only in case are a phishing aid), and applies length limits of RFC 5321 §4.5.3.1.
 */
export function normalizeEmail(input: string): string {
  const email = input.trim().normalize('NFC').toLowerCase();
  const at = email.lastIndexOf('@');
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  const labels = domain.split('.');
  const valid =
    at > 0 &&
    email.length <= 254 &&
    local.length <= 64 &&
    LOCAL.test(local) &&
    !local.startsWith('.') &&
    !local.endsWith('.') &&
    !local.includes('..') &&
    labels.length >= 2 &&
    labels.every((label) => LABEL.test(label)) &&
    /[a-z]/.test(labels[labels.length - 1] ?? '');
  if (!valid) {
    throw new TesseraError('invalid_email', 'email must be an address like name@example.com', {
      field: 'email',
    });
  }
  return email;
}
