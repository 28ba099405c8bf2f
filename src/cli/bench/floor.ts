// The floor of access-token verification: the least work any verifier must do for one token —
// split, decode the signature, check it with node:crypto, JSON.parse the payload, check exp. No
// header rules, no claim rules, no revocation. Shared by `tessera bench` and bench/verify.ts.
import { createHmac, timingSafeEqual, verify, type KeyObject } from 'node:crypto';
import type { VerificationKey } from '../../core/keys/key.js';

/** A verify function doing only the floor's work with `key`; throws on a bad token. */
export function rawFloor(key: VerificationKey): (token: string) => unknown {
  const check = floorCheck(key);
  return (token) => {
    const first = token.indexOf('.');
    const second = token.lastIndexOf('.');
    if (!check(token.slice(0, second), Buffer.from(token.slice(second + 1), 'base64url'))) {
      throw new Error('bad signature');
    }
    const payload = Buffer.from(token.slice(first + 1, second), 'base64url').toString();
    const claims = JSON.parse(payload) as { exp: number };
    if (!(claims.exp > Date.now() / 1000)) throw new Error('expired');
    return claims;
  };
}

function floorCheck(key: VerificationKey): (input: string, signature: Buffer) => boolean {
  switch (key.alg) {
    case 'HS256': {
      const secret = key.key.export();
      return (input, signature) =>
        signature.length === 32 &&
        timingSafeEqual(createHmac('sha256', secret).update(input).digest(), signature);
    }
    case 'RS256':
      return (input, signature) =>
        verify('sha256', Buffer.from(input, 'latin1'), key.key, signature);
    case 'ES256': {
      // JWS carries ES256 signatures as r||s, not DER.
      const ec: { key: KeyObject; dsaEncoding: 'ieee-p1363' } = {
        key: key.key,
        dsaEncoding: 'ieee-p1363',
      };
      return (input, signature) => verify('sha256', Buffer.from(input, 'latin1'), ec, signature);
    }
    case 'EdDSA':
      return (input, signature) => verify(null, Buffer.from(input, 'latin1'), key.key, signature);
  }
}
