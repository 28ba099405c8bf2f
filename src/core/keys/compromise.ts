/**
 * `tessera keys rotate --now`: the answer to a compromised key. The key ring retires every key
 * but a new one at once (this process and, through `onRotate` and their reloads, the other
 * instances stop trusting them); verifiers hold a cached JWKS that may still list them for up to
 * its max-age, so each retired kid is also revoked through the revocation feed, which reaches
 * them within about a second.
 */
import { jwksMaxAgeSeconds, activationMarginMs } from './schedule.js';
import type { EmergencyRotation, KeyRing } from './keyring.js';
import type { Revocations } from '../revocation/revocations.js';

/** Replaces every signing key at once and revokes the old kids at every verifier. */
export async function replaceCompromisedKeys(
  keys: KeyRing,
  revocations: Revocations,
): Promise<EmergencyRotation> {
  const rotation = await keys.rotateNow();
  // Until every verifier's cached JWKS has been refetched without the retired keys.
  const keepMs = jwksMaxAgeSeconds * 1000 + activationMarginMs;
  for (const kid of rotation.retired) await revocations.revokeKey(kid, keepMs);
  return rotation;
}
