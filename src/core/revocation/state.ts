/**
 * What a verifier knows about revocations, in memory — the toolkit's verifier and the server's
 * own bearer check alike: revoked jtis, revoked sids (sessions and refresh families), per-user
 * cutoffs, and revoked signing keys (kids). Each entry is kept only until no token it affects can
 * still pass the verifier — its expiresAt plus the verifier's clock skew — then forgotten, on
 * insert and on a timer, so memory is bounded by one access-token lifetime of revocations.
 * Semantics follow core/revocation/revocations.ts, the server's store check. It lives in the base
 * layer, pure and without I/O, so the toolkit and the server share one implementation.
 */
import { TesseraError } from '../errors.js';
import { ExpiryHeap } from './expiry-heap.js';
import type { Clock } from '../clock.js';
import type { RevocableClaims } from '../tokens/claims.js';
import type { FeedEventKind } from './wire.js';

/**
 * A revocation as the state keeps it: times in ms since the epoch. `unknown` is a kind newer than
 * this code (the toolkit's parser passes it on; the server's own store never holds one).
 */
export interface Revocation {
  /** Position in the feed (`Last-Event-ID`); the state does not need it. */
  seq?: number;
  kind: FeedEventKind | 'unknown';
  value: string;
  /** When it was recorded; for kind `user`, the cutoff that `iat` is compared with. */
  at: number;
  /** After this no token it affects can still be valid (the state adds its grace). */
  expiresAt: number;
}

interface UserCutoff {
  /** Tokens of the user issued before this (ms) are revoked. */
  cutoffAt: number;
  /** When (epoch ms) no token of the cutoff can still verify, so the entry is dropped. */
  forgetAt: number;
}

type Key = { kind: Exclude<Revocation['kind'], 'unknown'>; value: string };

/** How many entries of each kind are held. */
export interface RevocationCounts {
  jti: number;
  sid: number;
  user: number;
  kid: number;
  /** Events of a kind this verifier does not know, seen and ignored (not held). */
  ignored: number;
}

/** The in-memory revocation list of one verifier. */
export class RevocationState {
  private readonly jtis = new Map<string, number>();
  private readonly sids = new Map<string, number>();
  private readonly users = new Map<string, UserCutoff>();
  private readonly kids = new Map<string, number>();
  private ignored = 0;
  private readonly expiries = new ExpiryHeap<Key>();
  private readonly listeners = new Set<(revocation: Revocation) => void>();

  /**
   * @param clock the verifier's clock
   * @param graceMs how long past expiresAt an entry is kept: the verifier's clock skew, since a
   *   token is accepted until exp + skew
   */
  constructor(
    private readonly clock: Clock,
    private readonly graceMs: number,
  ) {}

  /** Records a revocation (a repeat, or an older cutoff, changes nothing it does not extend). */
  apply(revocation: Revocation): void {
    const now = this.clock.now();
    this.prune(now);
    const forgetAt = revocation.expiresAt + this.graceMs;
    if (forgetAt <= now) return; // nothing it names can still verify
    const { kind, value } = revocation;
    // A newer server's kind: nothing here could enforce it, and failing the feed on it would
    // stop every revocation after it (the server still enforces it, and drops revoked keys).
    if (kind === 'unknown') {
      this.ignored += 1;
      return;
    }
    if (kind === 'user') {
      const held = this.users.get(value);
      this.users.set(value, {
        cutoffAt: Math.max(held?.cutoffAt ?? -Infinity, revocation.at),
        forgetAt: Math.max(held?.forgetAt ?? -Infinity, forgetAt),
      });
    } else {
      const map = this.mapOf(kind);
      map.set(value, Math.max(map.get(value) ?? -Infinity, forgetAt));
    }
    this.expiries.push(forgetAt, { kind, value });
    for (const listener of this.listeners) listener(revocation);
  }

  /** Calls `listener` with every revocation applied from now on (the session cache listens). */
  subscribe(listener: (revocation: Revocation) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** True when a held `sid` event names `sid` (a refresh family, or a session's public id). */
  hasSid(sid: string): boolean {
    return this.sids.has(sid);
  }

  /** The held cutoff of the user (epoch ms): what was issued or created before it is revoked. */
  userCutoff(userId: string): number | undefined {
    return this.users.get(userId)?.cutoffAt;
  }

  /** True while some signing key is revoked: only then is a token's kid worth reading. */
  get revokesKeys(): boolean {
    return this.kids.size > 0;
  }

  /**
   * Throws `token_revoked` when the key named `kid` is revoked: every token it signed is refused,
   * before any signature work (a compromised key can sign anything, with any claims).
   */
  checkKey(kid: string): void {
    if (this.kids.has(kid)) {
      throw new TesseraError('token_revoked', 'the key that signed the access token was revoked');
    }
  }

  /** Throws `token_revoked` when the token, its sid, or its user's cutoff says so. */
  check(claims: RevocableClaims): void {
    if (this.jtis.has(claims.jti) || (claims.sid !== undefined && this.sids.has(claims.sid))) {
      throw revoked();
    }
    // Only user tokens carry a sid; a client-credentials token's sub is a client, not a user.
    if (claims.sid === undefined) return;
    const user = this.users.get(claims.sub);
    // Whole seconds: a token dated in the cutoff's own second counts as before it (fail closed).
    if (user !== undefined && claims.iat * 1000 < user.cutoffAt) throw revoked();
  }

  /** Forgets every entry that can no longer matter at `now`; returns how many went. */
  prune(now = this.clock.now()): number {
    let removed = 0;
    for (const { item } of this.expiries.popDue(now)) {
      // The heap may hold an older expiry of an entry that a later event extended.
      if (item.kind === 'user') {
        const held = this.users.get(item.value);
        if (held !== undefined && held.forgetAt <= now && this.users.delete(item.value)) {
          removed += 1;
        }
      } else {
        const map = this.mapOf(item.kind);
        const until = map.get(item.value);
        if (until !== undefined && until <= now && map.delete(item.value)) removed += 1;
      }
    }
    return removed;
  }

  /** How many entries are held now. */
  counts(): RevocationCounts {
    return {
      jti: this.jtis.size,
      sid: this.sids.size,
      user: this.users.size,
      kid: this.kids.size,
      ignored: this.ignored,
    };
  }

  private mapOf(kind: 'jti' | 'sid' | 'kid'): Map<string, number> {
    return kind === 'jti' ? this.jtis : kind === 'sid' ? this.sids : this.kids;
  }

  /** Entries scheduled for pruning, repeats included (for tests of the memory bound). */
  get scheduled(): number {
    return this.expiries.size;
  }
}

function revoked(): TesseraError {
  return new TesseraError('token_revoked', 'the access token has been revoked');
}
