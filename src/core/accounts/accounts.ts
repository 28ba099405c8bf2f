import { TesseraError } from '../errors.js';
import { consume } from '../limits/rate-limit.js';
import { hashPassword, needsRehash, verifyPassword } from '../passwords/hash.js';
import { randomId, randomToken, sha256Hex } from '../random.js';
import { lockedOut } from '../audit/lockout.js';
import { normalizeEmail } from './email.js';
import { checkPasswordPolicy, normalizePassword } from './password-policy.js';
import type { CoreDeps } from '../deps.js';
import type { UserRecord } from '../../stores/ports.js';
import type { UserRevoker } from '../revocation/revoke-user.js';

/** Who is asking, for rate limits and audit. */
export interface Caller {
  ip: string;
}

/** Accounts: sign-up, login checks and password changes. */
export class Accounts {
  /** A hash of a random password at the current parameters, verified when the email is unknown. */
  private decoy: Promise<string> | undefined;

  constructor(
    private readonly deps: CoreDeps,
    private readonly revoker: UserRevoker,
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
    const user: UserRecord = {
      id: randomId(),
      email,
      passwordHash: await hashPassword(password, policy.argon2),
      createdAt: clock.now(),
      tokensValidAfter: 0,
      role: 'user',
      disabledAt: null,
      emailVerifiedAt: null,
    };
    if ((await stores.users.insert(user)) === 'email_taken') {
      throw new TesseraError('email_taken', 'an account with this email already exists', {
        field: 'email',
      });
    }
    this.deps.audit.record('user.signed_up', { subjectId: user.id, actorId: user.id });
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

  /**
   * Counts a password attempt against the caller's IP and the account (keyed by a hash of the
   * email, so the counters hold no addresses); returns the account key, reset on success.
   */
  private async countAttempt(email: string, caller: Caller): Promise<string> {
    const { stores, clock, policy } = this.deps;
    const accountKey = `login:account:${sha256Hex(email)}`;
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
    this.decoy ??= hashPassword(randomToken(), this.deps.policy.argon2);
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
