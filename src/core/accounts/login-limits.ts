/**
 * The key of an account's login-attempt counter, a hash of its normalized email, so the counters
 * hold no addresses. Sign-in and password change count against it; a successful sign-in and a
 * password reset clear it.
 */
import { sha256Hex } from '../random.js';

export function loginAccountKey(email: string): string {
  return `login:account:${sha256Hex(email)}`;
}
