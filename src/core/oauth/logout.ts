/**
 * RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0): the end-session endpoint's
 * decisions. An `id_token_hint` we signed proves which client asks and for which sign-in; the
 * `post_logout_redirect_uri` must be registered for that client, exactly, or nothing is
 * redirected to. Ending a session also revokes the refresh families of its sign-ins, and with
 * them their access tokens.
 */
import { TesseraError } from '../errors.js';
import { verifyIdTokenHint, type IdTokenHint } from '../tokens/id-token.js';
import type { Clients } from '../clients/clients.js';
import type { KeyRing } from '../keys/keyring.js';
import type { Sessions } from '../sessions/sessions.js';
import type { RefreshFamilies } from './refresh-families.js';
import type { LogoutOutcome, LogoutParams, SignedIn } from './authorize/outcome.js';
import type { ClientRecord } from '../../stores/ports.js';

/** What logout is built from. */
export interface LogoutDeps {
  clients: Pick<Clients, 'find'>;
  keyRing: Pick<KeyRing, 'keySet'>;
  sessions: Pick<Sessions, 'revoke'>;
  families: Pick<RefreshFamilies, 'revokeAllForSession'>;
  issuer: string;
}

/** A logout request that passed its checks. */
interface Checked {
  hint: IdTokenHint | undefined;
  client: ClientRecord | undefined;
  redirectTo: string | undefined;
}

const REASON = 'logout';

/** GET /oauth/logout and its confirmation form. */
export class Logout {
  constructor(private readonly deps: LogoutDeps) {}

  /**
   * Decides GET /oauth/logout: `done` (the session ended) when a valid hint names the current
   * session or nobody is signed in; `confirm` when a session exists that nothing proves the
   * client speaks for.
   */
  async request(params: LogoutParams, signedIn: SignedIn | undefined): Promise<LogoutOutcome> {
    const checked = await this.check(params);
    if (checked instanceof TesseraError) return errorPage(checked);
    const { hint } = checked;
    if (signedIn !== undefined) {
      const proven =
        hint !== undefined && hint.sid === signedIn.sessionId && hint.sub === signedIn.userId;
      if (!proven) return { kind: 'confirm', params, clientName: checked.client?.name };
    }
    return this.end(checked, signedIn);
  }

  /** The confirmation form's POST (its CSRF token checked by the route): always ends the session. */
  async confirm(params: LogoutParams, signedIn: SignedIn | undefined): Promise<LogoutOutcome> {
    const checked = await this.check(params);
    if (checked instanceof TesseraError) return errorPage(checked);
    return this.end(checked, signedIn);
  }

  private async end(checked: Checked, signedIn: SignedIn | undefined): Promise<LogoutOutcome> {
    if (signedIn !== undefined) {
      try {
        await this.deps.sessions.revoke(signedIn.userId, signedIn.sessionId);
      } catch (error) {
        // Already gone (another tab logged out): its families are still revoked below.
        if (!(error instanceof TesseraError) || error.code !== 'not_found') throw error;
      }
      await this.deps.families.revokeAllForSession(signedIn.sessionId, REASON);
    }
    const hinted = checked.hint?.sid;
    // The hint's session may be gone already (expired, logged out elsewhere): its sign-in's
    // tokens still end.
    if (hinted !== undefined && hinted !== signedIn?.sessionId) {
      await this.deps.families.revokeAllForSession(hinted, REASON);
    }
    return { kind: 'done', redirectTo: checked.redirectTo };
  }

  /** Verifies the hint, finds the client, checks the post-logout URI. */
  private async check(params: LogoutParams): Promise<Checked | TesseraError> {
    let hint: IdTokenHint | undefined;
    const token = params.id_token_hint;
    if (token !== undefined && token !== '') {
      try {
        hint = verifyIdTokenHint(token, this.deps.keyRing.keySet(), this.deps.issuer);
      } catch (error) {
        if (!(error instanceof TesseraError)) throw error;
        return new TesseraError('invalid_request', `id_token_hint is not valid: ${error.message}`);
      }
    }
    const clientId = params.client_id === '' ? undefined : params.client_id;
    if (hint !== undefined && clientId !== undefined && clientId !== hint.clientId) {
      return new TesseraError('invalid_request', 'client_id is not the audience of id_token_hint');
    }
    const id = hint?.clientId ?? clientId;
    const client = id === undefined ? undefined : await this.deps.clients.find(id);
    if (id !== undefined && client === undefined) {
      return new TesseraError('invalid_redirect_uri', 'the client is not registered here');
    }
    const uri = params.post_logout_redirect_uri;
    if (uri === undefined || uri === '') return { hint, client, redirectTo: undefined };
    if (client === undefined) {
      return new TesseraError(
        'invalid_redirect_uri',
        'post_logout_redirect_uri needs id_token_hint or client_id to name the client',
      );
    }
    if (!client.postLogoutRedirectUris.includes(uri)) {
      return new TesseraError(
        'invalid_redirect_uri',
        'post_logout_redirect_uri is not one registered for this client',
      );
    }
    const state = params.state;
    const redirectTo =
      state === undefined
        ? uri
        : `${uri}${uri.includes('?') ? '&' : '?'}${new URLSearchParams({ state }).toString()}`;
    return { hint, client, redirectTo };
  }
}

function errorPage(error: TesseraError): LogoutOutcome {
  return { kind: 'error-page', error: 'invalid_request', description: error.message };
}
