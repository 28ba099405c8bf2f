/**
 * Records a lockout (a login rate limit hit) where a password attempt is counted, so the check in
 * accounts.ts stays one line: `.catch(lockedOut(deps, email))`.
 */
import { TesseraError } from '../errors.js';
import type { CoreDeps } from '../deps.js';

/**
 * A `.catch` handler that records `login.locked_out` when `error` is `rate_limited` and throws
 * `error` on. The subject is the account the email names (looked up before the 429 goes out, so
 * the event is queued by then); an unknown email leaves no subject and nothing of what was typed.
 */
export function lockedOut(
  deps: Pick<CoreDeps, 'audit' | 'stores'>,
  email: string,
): (error: unknown) => Promise<never> {
  return async (error) => {
    if (error instanceof TesseraError && error.code === 'rate_limited') {
      // The lookup failing must not turn the 429 into a 500: the event then names no subject.
      const user = await deps.stores.users.findByEmail(email).catch(() => undefined);
      deps.audit.record('login.locked_out', {
        subjectId: user?.id ?? null,
        actorId: null,
        reason: 'rate_limited',
      });
    }
    throw error;
  };
}
