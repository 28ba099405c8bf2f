/**
 * Encryption of private signing keys at rest with the operator's TESSERA_SECRET. jose's JWE does
 * the authenticated encryption (direct key agreement, A256GCM); the 256-bit key is derived from
 * the secret with HKDF-SHA256, so any secret length works and the raw secret is never the key.
 */
import { hkdfSync } from 'node:crypto';
import { CompactEncrypt, compactDecrypt } from 'jose';
import { TesseraError } from '../errors.js';

const PREFIX = 'jwe:';
const INFO = 'tessera signing keys at rest v1';

/** Seals and opens stored private keys; a box without a secret stores them as they are. */
export class SecretBox {
  private readonly key: Uint8Array | undefined;

  constructor(secret: string | undefined) {
    this.key =
      secret === undefined
        ? undefined
        : new Uint8Array(hkdfSync('sha256', secret, 'tessera', INFO, 32));
  }

  /** True when a secret is configured and keys are encrypted. */
  get encrypts(): boolean {
    return this.key !== undefined;
  }

  /** Encrypts `plaintext` (a private JWK as JSON) when a secret is configured. */
  async seal(plaintext: string): Promise<string> {
    if (!this.key) return plaintext;
    const jwe = await new CompactEncrypt(new TextEncoder().encode(plaintext))
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
      .encrypt(this.key);
    return PREFIX + jwe;
  }

  /** Decrypts a stored value; refuses an encrypted one without the secret, or with another. */
  async open(stored: string): Promise<string> {
    if (!stored.startsWith(PREFIX)) return stored;
    if (!this.key) {
      throw new TesseraError(
        'invalid_config',
        'signing keys are encrypted but TESSERA_SECRET is not set',
      );
    }
    try {
      const { plaintext } = await compactDecrypt(stored.slice(PREFIX.length), this.key);
      return new TextDecoder().decode(plaintext);
    } catch {
      throw new TesseraError(
        'invalid_config',
        'signing keys cannot be decrypted: TESSERA_SECRET differs from the one that encrypted them',
      );
    }
  }
}
