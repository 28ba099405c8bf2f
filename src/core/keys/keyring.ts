/**
 * The server's signing keys over the key store: a planned next key is published before it signs
 * (schedule.ts), one key signs, rotated-out keys stay verify-only (and in the JWKS) until every
 * token they signed has expired, then retire; a compromised key is retired at once.
 * Private keys are sealed at rest with the operator's secret (SecretBox).
 */
import { silentAudit } from '../audit/audit-log.js';
import type { Audit } from '../audit/audit.js';
import { TesseraError } from '../errors.js';
import { generateSigningKey, hmacSigningKey } from './generate.js';
import { exportPrivateJwk, importSigningKey, toPublicJwk } from './jwk.js';
import { createKeySet } from './key-set.js';
import { activationDelayMs, keysAt } from './schedule.js';
import type { Clock } from '../clock.js';
import type { KeySet, SigningKey } from './key.js';
import type { PublicJwk } from './jwk.js';
import type { SecretBox } from './secret-box.js';
import type { SigningAlgorithm } from './algorithms.js';
import type { KeyState, SigningKeyRecord, SigningKeyStore } from '../../stores/ports.js';

/** How the key ring makes and ages keys. */
export interface KeyRingOptions {
  alg: SigningAlgorithm;
  /** The HS256 key (base64), required when `alg` is HS256. */
  hs256Secret?: string | undefined;
  /** How long a rotated-out key must keep verifying: the longest token lifetime plus skew. */
  verifyOnlyMs: number;
}

/** A summary of one key, for `tessera keys list`. */
export interface KeySummary {
  kid: string;
  alg: SigningAlgorithm;
  /** What the key does now (a due `next` key already shows as `active`). */
  state: KeyState;
  createdAt: number;
  /** When it starts, or started, signing. */
  activatesAt: number;
  rotatedAt: number | null;
  encrypted: boolean;
}

/** What `rotateNow` did. */
export interface EmergencyRotation {
  /** The new key, signing from now. */
  kid: string;
  /** Every key taken out of service (the compromised one among them). */
  retired: string[];
}

interface Signer {
  key: SigningKey;
  activatesAt: number;
}

/** The signing keys in memory, loaded from and written through the store. */
export class KeyRing {
  /** Keys that sign or will sign, oldest activation first; the last one due signs. */
  private signers: Signer[] = [];
  private verifiers: KeySet = new Map();
  private published: PublicJwk[] = [];
  private fingerprint = '';
  private readonly opened = new Map<string, SigningKey>();
  private readonly rotateListeners = new Set<() => void>();

  constructor(
    private readonly store: SigningKeyStore,
    private readonly box: SecretBox,
    private readonly clock: Clock,
    private readonly options: KeyRingOptions,
    private readonly audit: Audit = silentAudit,
  ) {}

  /**
   * Loads the keys. Read-only (the sweep writes state changes down), except on first start,
   * when the store holds no key that can sign and the first one is made.
   */
  async load(): Promise<void> {
    let records = await this.store.list();
    if (!records.some((record) => record.state === 'active' || record.state === 'next')) {
      await this.store.activate(await this.newRecord(), this.clock.now());
      records = await this.store.list();
    }
    const live = keysAt(records, this.clock.now(), this.options.verifyOnlyMs).filter(
      (key) => key.state !== 'retired',
    );
    const fingerprint = live
      .map(({ record }) => `${record.kid}:${record.state}:${record.activatesAt}`)
      .join(',');
    // Unchanged keys keep the same key set, so verifiers built on it keep their caches.
    if (fingerprint === this.fingerprint) return;
    const keys = await Promise.all(live.map(({ record }) => this.open(record)));
    this.signers = live
      .map(({ record }, index) => ({ record, key: keys[index] as SigningKey }))
      .filter(({ record }) => record.state === 'active' || record.state === 'next')
      .map(({ record, key }) => ({ key, activatesAt: record.activatesAt }))
      .sort((a, b) => a.activatesAt - b.activatesAt);
    this.verifiers = createKeySet(keys);
    this.published = await Promise.all(
      keys.filter((key) => key.alg !== 'HS256').map((key) => toPublicJwk(key)),
    );
    for (const kid of this.opened.keys()) {
      if (!this.verifiers.has(kid)) this.opened.delete(kid);
    }
    this.fingerprint = fingerprint;
  }

  /**
   * A planned rotation: a new key is published at once and signs from `activationDelayMs` on,
   * when every cached JWKS (max-age `jwksMaxAgeSeconds`) has had time to learn it; the current
   * key then verifies only, for one token lifetime plus skew. While a key is pending, rotating
   * again changes nothing: the pending key is the rotation under way. Returns the pending kid.
   */
  async rotate(): Promise<string> {
    this.assertRotatable();
    const record = await this.newRecord();
    record.state = 'next';
    record.activatesAt = record.createdAt + activationDelayMs;
    const pending = await this.store.schedule(record);
    await this.load();
    if (pending.kid === record.kid) this.announce();
    this.audit.record('key.rotated', { details: { kid: pending.kid, mode: 'planned' } });
    return pending.kid;
  }

  /**
   * A compromised key: a new key signs at once and every other key (the signer, verify-only and
   * pending keys) is retired at once, so only the new key is trusted. The caller records a `kid`
   * revocation for each retired key (see compromise.ts), since verifiers hold a cached JWKS.
   */
  async rotateNow(): Promise<EmergencyRotation> {
    this.assertRotatable();
    const record = await this.newRecord();
    const retired = await this.store.activateAlone(record, this.clock.now());
    await this.load();
    this.announce();
    this.audit.record('key.rotated', {
      details: { kid: record.kid, mode: 'now', retired: retired.join(' ') },
    });
    return { kid: record.kid, retired };
  }

  /**
   * Writes down what time has done (the periodic sweep): a pending key that signs now becomes
   * active, and verify-only keys past one token lifetime are retired. Returns the retired kids.
   */
  async settle(): Promise<string[]> {
    const now = this.clock.now();
    await this.store.promote(now);
    return this.store.retire(now - this.options.verifyOnlyMs);
  }

  /** Calls `listener` after every rotation made through this ring (other instances reload). */
  onRotate(listener: () => void): void {
    this.rotateListeners.add(listener);
  }

  /** The key that signs new tokens now: the newest key whose activation has come. */
  signingKey(): SigningKey {
    const now = this.clock.now();
    for (let index = this.signers.length - 1; index >= 0; index -= 1) {
      const signer = this.signers[index] as Signer;
      if (signer.activatesAt <= now) return signer.key;
    }
    throw new TesseraError('internal', 'the key ring is not loaded');
  }

  /** Every key that may verify a token: the signer, the pending one and the verify-only ones. */
  keySet(): KeySet {
    return this.verifiers;
  }

  /** The public JWKS document (RFC 7517 §5); HS256 keys are never in it. */
  jwks(): { keys: PublicJwk[] } {
    return { keys: this.published };
  }

  /** Every stored key as it stands now, for operators. */
  async summaries(): Promise<KeySummary[]> {
    const records = await this.store.list();
    return keysAt(records, this.clock.now(), this.options.verifyOnlyMs).map(
      ({ record, state, rotatedAt }) => ({
        kid: record.kid,
        alg: record.alg,
        state,
        createdAt: record.createdAt,
        activatesAt: record.activatesAt,
        rotatedAt,
        encrypted: record.privateKey.startsWith('jwe:'),
      }),
    );
  }

  private assertRotatable(): void {
    if (this.options.alg === 'HS256') {
      // The HS256 key is the configured secret, shared with every verifier out of band.
      throw new TesseraError(
        'invalid_config',
        'HS256 keys rotate by changing TESSERA_HS256_SECRET',
      );
    }
  }

  private announce(): void {
    for (const listener of this.rotateListeners) listener();
  }

  private async newRecord(): Promise<SigningKeyRecord> {
    const { alg, hs256Secret } = this.options;
    const now = this.clock.now();
    let key: SigningKey;
    if (alg === 'HS256') {
      if (hs256Secret === undefined) {
        throw new TesseraError('invalid_config', 'HS256 needs TESSERA_HS256_SECRET');
      }
      key = hmacSigningKey(Buffer.from(hs256Secret, 'base64'));
    } else {
      key = await generateSigningKey(alg);
    }
    return {
      kid: key.kid,
      alg: key.alg,
      publicJwk: key.alg === 'HS256' ? null : JSON.stringify(await toPublicJwk(key)),
      // The HS256 secret lives in configuration, not in the store.
      privateKey:
        key.alg === 'HS256' ? '' : await this.box.seal(JSON.stringify(await exportPrivateJwk(key))),
      state: 'active',
      createdAt: now,
      activatesAt: now,
      rotatedAt: null,
    };
  }

  /** Each key is decrypted and imported once, not on every reload. */
  private async open(record: SigningKeyRecord): Promise<SigningKey> {
    const held = this.opened.get(record.kid);
    if (held !== undefined) return held;
    const key = await this.openRecord(record);
    this.opened.set(record.kid, key);
    return key;
  }

  private async openRecord(record: SigningKeyRecord): Promise<SigningKey> {
    if (record.alg === 'HS256') {
      if (this.options.hs256Secret === undefined) {
        throw new TesseraError(
          'invalid_config',
          'an HS256 key is stored; set TESSERA_HS256_SECRET',
        );
      }
      return hmacSigningKey(Buffer.from(this.options.hs256Secret, 'base64'), { kid: record.kid });
    }
    return importSigningKey(JSON.parse(await this.box.open(record.privateKey)) as object);
  }
}
