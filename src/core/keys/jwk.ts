/**
 * JWK import and export at the edges: private JWKs for storage, public JWKs for the JWKS
 * endpoint (RFC 7517). jose does the JWK parsing; the result becomes a node:crypto KeyObject
 * once, and its fitness for the algorithm is checked before anything can use it.
 */
import { KeyObject, createPublicKey, createSecretKey } from 'node:crypto';
import { exportJWK, importJWK, type JWK } from 'jose';
import {
  assertKeySuits,
  isSigningAlgorithm,
  isValidKid,
  type SigningAlgorithm,
} from './algorithms.js';
import { TesseraError } from '../errors.js';
import { weakKeyProblem } from './key-strength.js';
import type { SigningKey, VerificationKey } from './key.js';

/** A public JWK as Tessera publishes it: always with kid, alg and use "sig" (RFC 7517 §4). */
export interface PublicJwk extends JWK {
  kid: string;
  alg: SigningAlgorithm;
  use: 'sig';
}

/** Options for importing a JWK that lacks its own kid or alg. */
export interface ImportJwkOptions {
  /** The algorithm, when the JWK has no `alg`; must agree with it when it has one. */
  alg?: SigningAlgorithm;
  /** The key id, when the JWK has no `kid`; must agree with it when it has one. */
  kid?: string;
}

// JWK members that carry private key material (RFC 7518 §6.2.2, §6.3.2; RFC 8037 §2).
const privateMembers = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth'] as const;

/** Exports the private half of a signing key as a JWK with kid, alg and use, for storage. */
export async function exportPrivateJwk(key: SigningKey): Promise<JWK> {
  const jwk = await exportJWK(key.privateKey);
  return { ...jwk, kid: key.kid, alg: key.alg, use: 'sig' };
}

/** Imports a private JWK (as written by exportPrivateJwk) into a SigningKey. */
export async function importSigningKey(
  jwk: JWK,
  options: ImportJwkOptions = {},
): Promise<SigningKey> {
  const { alg, kid } = identify(jwk, options, 'sign');
  if (alg !== 'HS256' && typeof jwk.d !== 'string') {
    throw new TesseraError('invalid_config', 'a signing key JWK must contain its private key');
  }
  const privateKey = await toKeyObject(jwk, alg);
  const key = alg === 'HS256' ? privateKey : createPublicKey(privateKey);
  assertSound(key, alg);
  return { kid, alg, key, privateKey };
}

/** Imports a public JWK into a VerificationKey whose algorithm is pinned from then on. */
export async function importVerificationKey(
  jwk: JWK,
  options: ImportJwkOptions = {},
): Promise<VerificationKey> {
  const { alg, kid } = identify(jwk, options, 'verify');
  if (alg !== 'HS256' && privateMembers.some((member) => member in jwk)) {
    // A JWKS that leaks private parameters is broken; refusing it beats trusting it.
    throw new TesseraError(
      'invalid_config',
      'a verification key JWK must not contain private key material',
    );
  }
  const key = await toKeyObject(jwk, alg);
  assertSound(key, alg);
  return { kid, alg, key };
}

/** The public JWK of a key, with kid, alg and use "sig"; an HS256 secret is never exported. */
export async function toPublicJwk(key: VerificationKey): Promise<PublicJwk> {
  if (key.alg === 'HS256' || key.key.type !== 'public') {
    throw new TesseraError(
      'invalid_config',
      'only public keys can be published; HS256 secrets never are',
    );
  }
  // What a verifier would drop is never published, whichever way the key got into the keyring.
  assertSound(key.key, key.alg);
  const jwk = await exportJWK(key.key);
  return { ...jwk, kid: key.kid, alg: key.alg, use: 'sig' };
}

/** Throws invalid_config when `key` does not fit `alg`, or is a key that lets tokens be forged. */
function assertSound(key: KeyObject, alg: SigningAlgorithm): void {
  assertKeySuits(key, alg);
  const problem = weakKeyProblem(key);
  if (problem !== undefined) throw new TesseraError('invalid_config', problem);
}

function identify(
  jwk: JWK,
  options: ImportJwkOptions,
  operation: 'sign' | 'verify',
): { alg: SigningAlgorithm; kid: string } {
  if (typeof jwk !== 'object' || jwk === null)
    throw new TesseraError('invalid_config', 'a JWK must be an object');
  const alg = agree('alg', jwk.alg, options.alg);
  if (!isSigningAlgorithm(alg)) {
    throw new TesseraError(
      'invalid_config',
      'the JWK must name a supported algorithm: RS256, ES256, EdDSA or HS256',
    );
  }
  const kid = agree('kid', jwk.kid, options.kid);
  if (!isValidKid(kid)) {
    throw new TesseraError(
      'invalid_config',
      'the JWK needs a kid of 1–128 printable ASCII characters',
    );
  }
  // RFC 7517 §4.2–4.3: a key meant for encryption, or not for the operation it is imported
  // for (verify for a verification key, sign for a signing key), is refused.
  if (jwk.use !== undefined && jwk.use !== 'sig')
    throw new TesseraError('invalid_config', 'the JWK is not for "sig"');
  if (jwk.key_ops !== undefined) {
    const ops: unknown = jwk.key_ops;
    if (!Array.isArray(ops) || !ops.includes(operation)) {
      throw new TesseraError('invalid_config', `the JWK key_ops do not allow "${operation}"`);
    }
  }
  return { alg, kid };
}

function agree(name: string, own: unknown, given: string | undefined): unknown {
  if (own !== undefined && given !== undefined && own !== given) {
    throw new TesseraError(
      'invalid_config',
      `the JWK ${name} disagrees with the ${name} asked for`,
    );
  }
  return own ?? given;
}

async function toKeyObject(jwk: JWK, alg: SigningAlgorithm): Promise<KeyObject> {
  let imported: Awaited<ReturnType<typeof importJWK>>;
  try {
    // `ext: true` keeps private keys exportable, so a stored key can be stored again.
    imported = await importJWK({ ...jwk, ext: true }, alg, { extractable: true });
  } catch {
    throw new TesseraError('invalid_config', `the JWK is not a valid ${alg} key`);
  }
  return imported instanceof Uint8Array ? createSecretKey(imported) : KeyObject.from(imported);
}
