/**
 * Records a lockout (a login rate limit hit) where a password attempt is counted, so the check in
 * accounts.ts stays one line: `.catch(lockedOut(deps, email))`.
 */
import { TesseraError } from '../errors.js';
import type { CoreDeps } from '../deps.js';

/**
 * A `.catch` handler that records `login.locked_out` when `error` is `rate_limited` and throws
 * `error` on. The subject is the account the email names, looked up without waiting; an unknown
 * email leaves no subject and nothing of what was typed.
 */
export function lockedOut(
  deps: Pick<CoreDeps, 'audit' | 'stores'>,
  email: string,
): (error: unknown) => never {
  return (error) => {
    if (error instanceof TesseraError && error.code === 'rate_limited') {
      const record = (subjectId: string | null) =>
        deps.audit.record('login.locked_out', { subjectId, actorId: null, reason: 'rate_limited' });
      deps.stores.users.findByEmail(email).then(
        (user) => record(user?.id ?? null),
        () => record(null),
      );
    }
    throw error;
  };
}
