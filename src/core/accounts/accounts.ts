import { loginAccountKey } from './login-limits.js';
import { TesseraError } from '../errors.js';
import { consume } from '../limits/rate-limit.js';
import { hashPassword, needsRehash, verifyPassword } from '../passwords/hash.js';
import { randomId, randomToken } from '../random.js';
import { lockedOut } from '../audit/lockout.js';
import { deleteAccount } from './deletion.js';
import { normalizeEmail } from './email.js';
import { checkPasswordPolicy, normalizePassword } from './password-policy.js';
import type { CoreDeps } from '../deps.js';
import type { Recovery } from './recovery.js';
import type { UserQuery, UserRecord, UserRole } from '../../stores/ports.js';
import type { UserRevoker } from '../revocation/revoke-user.js';

/** The most users one search returns. */
export const MAX_USER_PAGE = 1000;

const ROLES: readonly UserRole[] = ['user', 'admin'];

/** Who is asking, for rate limits and audit. */
export interface Caller {
  ip: string;
}

/** Accounts: sign-up, login checks, password changes, and what administrators do to accounts. */
export class Accounts {
  /** A hash of a random password at the current parameters, verified when the email is unknown. */
  private decoy: Promise<string> | undefined;

  constructor(
    private readonly deps: CoreDeps,
    private readonly revoker: UserRevoker,
    /** Mails the verification link after sign-up; absent, sign-up sends none. */
    private readonly recovery?: Recovery,
  ) {}

  /** Creates an account; `email_taken` (409) when the normalized email exists. */
  async signup(input: { email: string; password: string }, caller: Caller): Promise<UserRecord> {
    const { stores, clock, policy } = this.deps;
    const email = normalizeEmail(input.email);
    const password = checkPasswordPolicy(input.password, email);
    await consume(
      stores.rateLimits,
      `signup:ip:${caller.ip}`,
      policy.limits.signupPerIp,
      clock.now(),
    );
    const user = await this.insertUser(email, password, 'user', null);
    this.deps.audit.record('user.signed_up', { subjectId: user.id, actorId: user.id });
    try {
      await this.recovery?.sendVerification(user.id);
    } catch {
      // The account exists; the user can ask for the link again from the account page.
    }
    return user;
  }

  /**
   * Creates an account for the operator (`tessera users create`): the password policy applies,
   * the sign-up rate limit does not, and the email counts as verified (the operator vouches for
   * it, and the command has no way to mail a link).
   */
  async create(input: { email: string; password: string; role?: UserRole }): Promise<UserRecord> {
    const email = normalizeEmail(input.email);
    const password = checkPasswordPolicy(input.password, email);
    const role = input.role ?? 'user';
    if (!ROLES.includes(role)) throw new TesseraError('invalid_request', 'unknown role');
    const user = await this.insertUser(email, password, role, this.deps.clock.now());
    this.deps.audit.record('user.signed_up', {
      subjectId: user.id,
      details: { by: 'operator', role },
    });
    return user;
  }

  private async insertUser(
    email: string,
    password: string,
    role: UserRole,
    emailVerifiedAt: number | null,
  ): Promise<UserRecord> {
    const { stores, clock, policy } = this.deps;
    const user: UserRecord = {
      id: randomId(),
      email,
      passwordHash: await hashPassword(password, policy.argon2),
      createdAt: clock.now(),
      tokensValidAfter: 0,
      role,
      disabledAt: null,
      emailVerifiedAt,
    };
    if ((await stores.users.insert(user)) === 'email_taken') {
      throw new TesseraError('email_taken', 'an account with this email already exists', {
        field: 'email',
      });
    }
    return user;
  }

  /**
   * Checks an email and password. An unknown email and a wrong password fail the same way: the
   * same error, the same rate-limit bookkeeping, and one argon2 verification each (against a
   * decoy hash for an unknown email), so neither the body nor the timing tells them apart.
   */
  async authenticate(
    input: { email: string; password: string },
    caller: Caller,
  ): Promise<UserRecord> {
    const { stores, policy } = this.deps;
    const email = tryNormalizeEmail(input.email);
    const accountKey = await this.countAttempt(email, caller).catch(lockedOut(this.deps, email));
    const password = normalizePassword(input.password);
    const user = await stores.users.findByEmail(email);
    const valid = await verifyPassword(user?.passwordHash ?? (await this.decoyHash()), password);
    if (!user || !valid) {
      // An unknown email is recorded with no subject: nothing of what was typed is kept.
      this.deps.audit.record('login.failed', {
        subjectId: user?.id ?? null,
        actorId: null,
        reason: 'invalid_credentials',
      });
      throw new TesseraError('invalid_credentials', 'email or password is wrong');
    }
    await stores.rateLimits.reset(accountKey);
    // Only now, with the password proven: told earlier, these would say which emails have accounts.
    const refusal =
      user.disabledAt !== null
        ? new TesseraError('account_disabled', 'this account has been disabled')
        : policy.accounts?.requireVerifiedEmail === true && user.emailVerifiedAt === null
          ? new TesseraError(
              'email_unverified',
              'confirm your email address first: follow the link of the mail we sent',
            )
          : undefined;
    if (refusal) {
      this.deps.audit.record('login.failed', { subjectId: user.id, reason: refusal.code });
      throw refusal;
    }
    if (needsRehash(user.passwordHash, policy.argon2)) {
      user.passwordHash = await hashPassword(password, policy.argon2);
      await stores.users.setPasswordHash(user.id, user.passwordHash);
    }
    this.deps.audit.record('login.succeeded', { subjectId: user.id, actorId: user.id });
    return user;
  }

  /**
   * Changes a password after checking the current one (rate-limited like a login), then revokes
   * every session of the user by raising the per-user cutoff and deleting them. The caller
   * creates a fresh session for a cookie client.
   */
  async changePassword(
    userId: string,
    input: { currentPassword: string; newPassword: string },
    caller: Caller,
  ): Promise<UserRecord> {
    const { stores, policy } = this.deps;
    const user = await stores.users.findById(userId);
    if (!user) throw new TesseraError('unauthenticated', 'the account no longer exists');
    const accountKey = await this.countAttempt(user.email, caller).catch(
      lockedOut(this.deps, user.email),
    );
    if (!(await verifyPassword(user.passwordHash, normalizePassword(input.currentPassword)))) {
      this.deps.audit.record('login.failed', {
        subjectId: user.id,
        reason: 'invalid_credentials',
        details: { during: 'password_change' },
      });
      throw new TesseraError('invalid_credentials', 'the current password is wrong', {
        field: 'currentPassword',
      });
    }
    await stores.rateLimits.reset(accountKey);
    const password = checkPasswordPolicy(input.newPassword, user.email);
    user.passwordHash = await hashPassword(password, policy.argon2);
    await stores.users.setPasswordHash(user.id, user.passwordHash);
    await this.revoker.revokeEverything(user.id, 'password_changed');
    this.deps.audit.record('password.changed', { subjectId: user.id });
    return user;
  }

  /**
   * "Log out everywhere": every access token and refresh family of the user dies, and every
   * session but `keepSessionId`.
   */
  revokeEverything(userId: string, keepSessionId?: string): Promise<void> {
    this.deps.audit.record('user.signed_out_everywhere', {
      subjectId: userId,
      details: keepSessionId ? { keptSessionId: keepSessionId } : {},
    });
    return this.revoker.revokeEverything(userId, 'logout_everywhere', keepSessionId);
  }

  /** A user by id. */
  find(userId: string): Promise<UserRecord | undefined> {
    return this.deps.stores.users.findById(userId);
  }

  /** A user by email (normalized first; a malformed address matches nobody). */
  findByEmail(email: string): Promise<UserRecord | undefined> {
    return this.deps.stores.users.findByEmail(tryNormalizeEmail(email));
  }

  /** A page of users by email; `next` is the `after` of the following page, when there is one. */
  async search(query: UserQuery): Promise<{ users: UserRecord[]; next?: string }> {
    const limit = Math.max(1, Math.min(Math.trunc(query.limit), MAX_USER_PAGE));
    const users = await this.deps.stores.users.search({
      ...query,
      ...(query.emailPrefix === undefined ? {} : { emailPrefix: query.emailPrefix.toLowerCase() }),
      limit: limit + 1, // one more tells whether another page follows
    });
    if (users.length <= limit) return { users };
    const page = users.slice(0, limit);
    return { users: page, next: page[page.length - 1]!.email };
  }

  /** How many accounts there are. */
  count(): Promise<number> {
    return this.deps.stores.users.count();
  }

  /**
   * Disables an account: no sign-in (`account_disabled`), and every session, refresh family and
   * access token revoked at once, the way a password change does it (the cutoff reaches verifiers
   * through the revocation feed). `not_found` for no such user.
   */
  async disable(userId: string): Promise<UserRecord> {
    const user = await this.mustFind(userId);
    if (user.disabledAt === null) {
      user.disabledAt = this.deps.clock.now();
      await this.deps.stores.users.setDisabledAt(user.id, user.disabledAt);
    }
    // Even when already disabled: a retry after a failure half-way finishes the revocation.
    await this.revoker.revokeEverything(user.id, 'account_disabled');
    this.deps.audit.record('user.disabled', { subjectId: user.id });
    return user;
  }

  /** Lets a disabled account sign in again (its old credentials stay revoked). */
  async enable(userId: string): Promise<UserRecord> {
    const user = await this.mustFind(userId);
    if (user.disabledAt !== null) {
      user.disabledAt = null;
      await this.deps.stores.users.setDisabledAt(user.id, null);
      await this.revoker.forgetUser(user.id);
    }
    this.deps.audit.record('user.enabled', { subjectId: user.id });
    return user;
  }

  /** Makes the user an administrator or takes it away; `invalid_request` for another role. */
  async setRole(userId: string, role: UserRole): Promise<UserRecord> {
    if (!ROLES.includes(role)) {
      throw new TesseraError('invalid_request', `role must be one of ${ROLES.join(', ')}`);
    }
    const user = await this.mustFind(userId);
    if (user.role !== role) {
      await this.deps.stores.users.setRole(user.id, role);
      await this.revoker.forgetUser(user.id);
      this.deps.audit.record('user.role_changed', {
        subjectId: user.id,
        details: { from: user.role, to: role },
      });
      user.role = role;
    }
    return user;
  }

  /** Deletes an account and everything that hangs on it (see deletion.ts). */
  async delete(userId: string): Promise<void> {
    await deleteAccount(this.deps, this.revoker, await this.mustFind(userId));
  }

  private async mustFind(userId: string): Promise<UserRecord> {
    const user = await this.deps.stores.users.findById(userId);
    if (!user) throw new TesseraError('not_found', 'no such user');
    return user;
  }

  /**
   * Counts a password attempt against the caller's IP and the account (keyed by a hash of the
   * email, so the counters hold no addresses); returns the account key, reset on success.
   */
  private async countAttempt(email: string, caller: Caller): Promise<string> {
    const { stores, clock, policy } = this.deps;
    const accountKey = loginAccountKey(email);
    await consume(
      stores.rateLimits,
      `login:ip:${caller.ip}`,
      policy.limits.loginPerIp,
      clock.now(),
    );
    await consume(stores.rateLimits, accountKey, policy.limits.loginPerAccount, clock.now());
    return accountKey;
  }

  private decoyHash(): Promise<string> {
    // A refusal (`busy`) must not stick: forget it, so the next unknown email hashes again.
    this.decoy ??= hashPassword(randomToken(), this.deps.policy.argon2).catch((error: unknown) => {
      this.decoy = undefined;
      throw error;
    });
    return this.decoy;
  }
}

/** Normalizes an email for a login lookup; a malformed one simply matches no account. */
function tryNormalizeEmail(input: string): string {
  try {
    return normalizeEmail(input);
  } catch {
    return input.trim().toLowerCase();
  }
}
