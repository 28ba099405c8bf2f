import type { CoreDeps } from '../deps.js';
import type { UserRevoker } from '../revocation/revoke-user.js';
import type { UserRecord } from '../../stores/ports.js';

/**
 * Deletes an account and what hangs on it: sessions, refresh families, consents and one-time
 * links, then the user row. The user cutoff goes out on the revocation feed first, so verifiers
 * drop the user's access tokens. Audit events stay, naming the user by id only.
 */
export async function deleteAccount(
  deps: CoreDeps,
  revoker: UserRevoker,
  user: UserRecord,
): Promise<void> {
  const { stores, clock, audit } = deps;
  // Disabled first: a sign-in racing the deletion fails instead of making a new session.
  await stores.users.setDisabledAt(user.id, user.disabledAt ?? clock.now());
  await revoker.revokeEverything(user.id, 'account_deleted');
  await stores.refreshFamilies.deleteAllForUser(user.id);
  await stores.consents.deleteAllForUser(user.id);
  await stores.oneTimeTokens.deleteAllForUser(user.id);
  await stores.users.delete(user.id);
  audit.record('user.deleted', { subjectId: user.id });
  // Events still queued would land after the forgetting and keep their IP: write them first.
  await (audit as { flush?: () => Promise<void> }).flush?.();
  await stores.audit.forgetPersonalData(user.id);
}
