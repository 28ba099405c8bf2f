/**
 * Password reset and email verification by one-time links. A link carries 256 random bits; only
 * their SHA-256 is stored (a stolen table opens no account), each user has at most one live link
 * per purpose (a new one replaces the old), and a link works once.
 */
import { TesseraError } from '../errors.js';
import { hashPassword } from '../passwords/hash.js';
import { randomToken, sha256Hex } from '../random.js';
import { normalizeEmail } from './email.js';
import { loginAccountKey } from './login-limits.js';
import { checkPasswordPolicy } from './password-policy.js';
import type { CoreDeps } from '../deps.js';
import type { Mailer } from './mailer.js';
import type { UserRevoker } from '../revocation/revoke-user.js';
import type { OneTimePurpose, UserRecord } from '../../stores/ports.js';

/** How long a password reset link works: short, since it opens the account. */
export const RESET_LINK_TTL_MS = 30 * 60_000;

/** How long an email verification link works. */
export const VERIFY_LINK_TTL_MS = 24 * 60 * 60_000;

const HOUR_MS = 60 * 60_000;

/** Reset mails one account gets per hour at most; further requests are silently dropped. */
const RESETS_PER_HOUR = 5;

/** Password reset and email verification. */
export class Recovery {
  /** Mail on its way: tests and shutdown wait for it (`idle`). */
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly deps: CoreDeps,
    private readonly revoker: UserRevoker,
    private readonly mailer: Mailer,
  ) {}

  /**
   * Sends a reset link to `email` if an account has it. The caller learns nothing either way:
   * the lookup is the only work done before answering, the same for both, and the link is made
   * and mailed in the background, where a slow or failing mail server cannot show through.
   */
  async requestReset(email: string): Promise<void> {
    let normalized: string;
    try {
      normalized = normalizeEmail(email);
    } catch {
      return; // no account can have a malformed address
    }
    const user = await this.deps.stores.users.findByEmail(normalized);
    this.deps.audit.record('password.reset_requested', {
      subjectId: user?.id ?? null,
      ...(user ? {} : { reason: 'unknown_email' }),
    });
    if (!user) return;
    this.background(async () => {
      // A few mails an hour at most: the form must not turn into a way to flood a mailbox.
      const key = `reset:account:${sha256Hex(user.id)}`;
      const hit = await this.deps.stores.rateLimits.hit(key, HOUR_MS, this.deps.clock.now());
      if (hit.count > RESETS_PER_HOUR) return;
      const token = await this.issue(user.id, 'password_reset', RESET_LINK_TTL_MS);
      await this.mailer.send({
        to: user.email,
        subject: 'Reset your password',
        text: [
          'Someone (we hope you) asked to reset the password of your account.',
          '',
          `Choose a new password here (the link works once, for 30 minutes):`,
          `${this.deps.policy.tokens.issuer}/reset-password?token=${token}`,
          '',
          'If it was not you, ignore this mail: your password stays as it is.',
        ].join('\n'),
      });
    });
  }

  /**
   * Sets a new password with a reset link, then revokes every session, refresh family and
   * access token of the user (DESIGN.md: a reset means someone else may have had the password).
   * The link reached the user's mailbox, so the email counts as verified. `link_invalid` for an
   * unknown, used, replaced or expired link; a refused password leaves the link usable.
   */
  async resetPassword(token: string, newPassword: string): Promise<UserRecord> {
    const { stores, clock, policy } = this.deps;
    const record = await stores.oneTimeTokens.consume(
      sha256Hex(token),
      'password_reset',
      clock.now(),
    );
    const user = record && (await stores.users.findById(record.userId));
    if (!record || !user) throw linkInvalid();
    let password: string;
    try {
      password = checkPasswordPolicy(newPassword, user.email);
    } catch (error) {
      // A weak password is the user's typo to fix, not a reason to mail another link.
      await stores.oneTimeTokens.issue(record);
      throw error;
    }
    user.passwordHash = await hashPassword(password, policy.argon2);
    await stores.users.setPasswordHash(user.id, user.passwordHash);
    await this.revoker.revokeEverything(user.id, 'password_reset');
    // Whoever was guessing the old password locked the owner out; the owner proved the mailbox.
    await stores.rateLimits.reset(loginAccountKey(user.email));
    await this.markVerified(user);
    this.deps.audit.record('password.reset', { subjectId: user.id, actorId: user.id });
    return user;
  }

  /**
   * Mails `userId` a link that verifies their email (replacing any earlier one). The link is
   * stored before this returns; the mail goes in the background. `not_found` for no such user.
   */
  async sendVerification(userId: string): Promise<void> {
    const user = await this.deps.stores.users.findById(userId);
    if (!user) throw new TesseraError('not_found', 'no such user');
    if (user.emailVerifiedAt !== null) return;
    const token = await this.issue(user.id, 'email_verification', VERIFY_LINK_TTL_MS);
    this.deps.audit.record('email.verification_sent', { subjectId: user.id });
    this.background(() =>
      this.mailer.send({
        to: user.email,
        subject: 'Confirm your email address',
        text: [
          'Confirm that this address is yours by opening this link (it works once, for 24 hours):',
          `${this.deps.policy.tokens.issuer}/verify-email?token=${token}`,
          '',
          'If you did not create an account, ignore this mail.',
        ].join('\n'),
      }),
    );
  }

  /** Marks the email of a verification link's user verified; `link_invalid` as for a reset. */
  async verifyEmail(token: string): Promise<UserRecord> {
    const { stores, clock } = this.deps;
    const record = await stores.oneTimeTokens.consume(
      sha256Hex(token),
      'email_verification',
      clock.now(),
    );
    const user = record && (await stores.users.findById(record.userId));
    if (!record || !user) throw linkInvalid();
    await this.markVerified(user);
    return user;
  }

  /** Resolves once every mail started so far was handed over or failed (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  private async markVerified(user: UserRecord): Promise<void> {
    if (user.emailVerifiedAt !== null) return;
    user.emailVerifiedAt = this.deps.clock.now();
    await this.deps.stores.users.setEmailVerifiedAt(user.id, user.emailVerifiedAt);
    await this.revoker.forgetUser(user.id);
    this.deps.audit.record('email.verified', { subjectId: user.id, actorId: user.id });
  }

  /** Stores a fresh link token of `purpose` for the user (replacing theirs); returns the token. */
  private async issue(userId: string, purpose: OneTimePurpose, ttlMs: number): Promise<string> {
    const token = randomToken(32);
    const now = this.deps.clock.now();
    await this.deps.stores.oneTimeTokens.issue({
      hash: sha256Hex(token),
      userId,
      purpose,
      createdAt: now,
      expiresAt: now + ttlMs,
    });
    return token;
  }

  /** Runs `work` without the caller waiting; the mailer adapter logs its own failures. */
  private background(work: () => Promise<void>): void {
    const done = work()
      .catch(() => undefined)
      .finally(() => this.pending.delete(done));
    this.pending.add(done);
  }
}

function linkInvalid(): TesseraError {
  return new TesseraError('link_invalid', 'this link is unknown, already used or expired');
}
