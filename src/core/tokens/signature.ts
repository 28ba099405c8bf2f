/**
 * JWS signatures straight over node:crypto (RFC 7515 §5, RFC 7518 §3, RFC 8037 §3.1). Each check
 * is bound to one key when it is built, so the algorithm comes from the key and nothing in a
 * token can change it (RFC 8725 §3.1). Keys are prepared once; the returned closures do no
 * setup on the hot path.
 */
import { createHmac, sign, timingSafeEqual, verify, type KeyObject } from 'node:crypto';
import { signatureLength } from '../keys/algorithms.js';
import type { SigningKey, VerificationKey } from '../keys/key.js';

/** Checks a signature over the JWS signing input (`header.payload`, ASCII). */
export type SignatureCheck = (signingInput: string, signature: Buffer) => boolean;

type AsymmetricKey = KeyObject | { key: KeyObject; dsaEncoding: 'ieee-p1363' };

/** Builds the signature check of one key, its algorithm pinned to the key. */
export function signatureCheck(key: VerificationKey): SignatureCheck {
  const length = signatureLength(key.key, key.alg);
  switch (key.alg) {
    case 'HS256': {
      // The raw secret, exported once: createHmac runs measurably faster from a Buffer than from
      // a KeyObject, and this is the cheapest algorithm, where overhead shows most.
      const secret = key.key.export();
      return (input, signature) =>
        // The length is public; the comparison of the bytes is constant-time (RFC 7518 §3.2).
        signature.length === length &&
        timingSafeEqual(createHmac('sha256', secret).update(input).digest(), signature);
    }
    case 'RS256':
      return asymmetricCheck('sha256', key.key, length);
    case 'ES256':
      // RFC 7518 §3.4: JWS carries R || S (IEEE P1363), not DER; the length check refuses DER.
      return asymmetricCheck('sha256', { key: key.key, dsaEncoding: 'ieee-p1363' }, length);
    case 'EdDSA':
      return asymmetricCheck(null, key.key, length);
  }
}

function asymmetricCheck(
  hash: 'sha256' | null,
  key: AsymmetricKey,
  length: number,
): SignatureCheck {
  return (input, signature) => {
    if (signature.length !== length) return false;
    try {
      return verify(hash, Buffer.from(input, 'latin1'), key, signature);
    } catch {
      // OpenSSL rejects some malformed signatures by raising instead of returning false.
      return false;
    }
  };
}

/** Signs a JWS signing input with the key's own algorithm. */
export function signInput(key: SigningKey, input: string): Buffer {
  const data = Buffer.from(input, 'utf8');
  switch (key.alg) {
    case 'HS256':
      return createHmac('sha256', key.privateKey).update(data).digest();
    case 'RS256':
      return sign('sha256', data, key.privateKey);
    case 'ES256':
      return sign('sha256', data, { key: key.privateKey, dsaEncoding: 'ieee-p1363' });
    case 'EdDSA':
      return sign(null, data, key.privateKey);
  }
}
