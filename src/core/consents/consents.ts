/**
 * What a user has allowed third-party clients (the consent page), and taking it back: revoking a
 * consent also revokes every refresh family of that client for the user, and with them the
 * access tokens they issued (DESIGN.md "consents").
 */
import { silentAudit } from '../audit/audit-log.js';
import type { Audit } from '../audit/audit.js';
import type { Clients } from '../clients/clients.js';
import type { RefreshFamilies } from '../oauth/refresh-families.js';
import type { ConsentRecord, ConsentStore } from '../../stores/ports.js';

/** A consent with the name of its client, for the account page. */
export interface ConsentView extends ConsentRecord {
  clientName: string;
}

/** Lists and revokes consents. */
export class Consents {
  constructor(
    private readonly store: ConsentStore,
    private readonly clients: Pick<Clients, 'find'>,
    private readonly families: RefreshFamilies,
    private readonly audit: Audit = silentAudit,
  ) {}

  /** The user's consents, most recently changed first; a deleted client's are left out. */
  async list(userId: string): Promise<ConsentView[]> {
    const views: ConsentView[] = [];
    for (const consent of await this.store.listByUser(userId)) {
      const client = await this.clients.find(consent.clientId);
      if (client !== undefined) views.push({ ...consent, clientName: client.name });
    }
    return views;
  }

  /**
   * Withdraws the user's consent to `clientId` and revokes every token of that client for the
   * user (also when no consent was stored: "revoke access" always ends the access). Returns
   * whether a consent existed.
   */
  async revoke(userId: string, clientId: string): Promise<boolean> {
    const existed = await this.store.revoke(userId, clientId);
    await this.families.revokeAllForClient(userId, clientId, 'consent_revoked');
    this.audit.record('consent.revoked', { subjectId: userId, details: { clientId } });
    return existed;
  }
}
