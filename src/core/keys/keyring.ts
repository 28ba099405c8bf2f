/**
 * The server's signing keys over the key store: one active key signs, rotated-out keys stay
 * verify-only (and in the JWKS) until every token they signed has expired, then retire.
 * Private keys are sealed at rest with the operator's secret (SecretBox).
 */
import { TesseraError } from '../errors.js';
import { generateSigningKey, hmacSigningKey } from './generate.js';
import { exportPrivateJwk, importSigningKey, toPublicJwk } from './jwk.js';
import { createKeySet } from './key-set.js';
import type { Clock } from '../clock.js';
import type { KeySet, SigningKey } from './key.js';
import type { PublicJwk } from './jwk.js';
import type { SecretBox } from './secret-box.js';
import type { SigningAlgorithm } from './algorithms.js';
import type { SigningKeyRecord, SigningKeyStore } from '../../stores/ports.js';

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
  state: SigningKeyRecord['state'];
  createdAt: number;
  rotatedAt: number | null;
  encrypted: boolean;
}

/** The signing keys in memory, loaded from and written through the store. */
export class KeyRing {
  private active: SigningKey | undefined;
  private verifiers: KeySet = new Map();
  private published: PublicJwk[] = [];
  private fingerprint = '';
  private readonly rotateListeners = new Set<() => void>();

  constructor(
    private readonly store: SigningKeyStore,
    private readonly box: SecretBox,
    private readonly clock: Clock,
    private readonly options: KeyRingOptions,
  ) {}

  /** Loads the keys, creating the first one on first start, and retiring expired ones. */
  async load(): Promise<void> {
    await this.store.retire(this.clock.now() - this.options.verifyOnlyMs);
    let records = await this.store.list();
    if (!records.some((record) => record.state === 'active')) {
      await this.store.activate(await this.newRecord(), this.clock.now());
      records = await this.store.list();
    }
    const live = records.filter((record) => record.state !== 'retired');
    const fingerprint = live.map((record) => `${record.kid}:${record.state}`).join(',');
    // Unchanged keys keep the same key set, so verifiers built on it keep their caches.
    if (fingerprint === this.fingerprint) return;
    const keys = await Promise.all(live.map((record) => this.open(record)));
    const activeRecord = [...live].reverse().find((record) => record.state === 'active');
    this.active = keys.find((key) => key.kid === activeRecord?.kid);
    this.verifiers = createKeySet(keys);
    this.published = await Promise.all(
      keys.filter((key) => key.alg !== 'HS256').map((key) => toPublicJwk(key)),
    );
    this.fingerprint = fingerprint;
  }

  /** Makes a new key the signer; the old one stays verify-only. Returns the new kid. */
  async rotate(): Promise<string> {
    if (this.options.alg === 'HS256') {
      // The HS256 key is the configured secret, shared with every verifier out of band.
      throw new TesseraError(
        'invalid_config',
        'HS256 keys rotate by changing TESSERA_HS256_SECRET',
      );
    }
    const record = await this.newRecord();
    await this.store.activate(record, this.clock.now());
    await this.load();
    for (const listener of this.rotateListeners) listener();
    return record.kid;
  }

  /** Calls `listener` after every rotation made through this ring (other instances reload). */
  onRotate(listener: () => void): void {
    this.rotateListeners.add(listener);
  }

  /** The key that signs new tokens. */
  signingKey(): SigningKey {
    if (!this.active) throw new TesseraError('internal', 'the key ring is not loaded');
    return this.active;
  }

  /** Every key that may verify a token: the active one and the verify-only ones. */
  keySet(): KeySet {
    return this.verifiers;
  }

  /** The public JWKS document (RFC 7517 §5); HS256 keys are never in it. */
  jwks(): { keys: PublicJwk[] } {
    return { keys: this.published };
  }

  /** Every stored key, for operators. */
  async summaries(): Promise<KeySummary[]> {
    return (await this.store.list()).map((record) => ({
      kid: record.kid,
      alg: record.alg,
      state: record.state,
      createdAt: record.createdAt,
      rotatedAt: record.rotatedAt,
      encrypted: record.privateKey.startsWith('jwe:'),
    }));
  }

  private async newRecord(): Promise<SigningKeyRecord> {
    const { alg, hs256Secret } = this.options;
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
      createdAt: this.clock.now(),
      rotatedAt: null,
    };
  }

  private async open(record: SigningKeyRecord): Promise<SigningKey> {
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
