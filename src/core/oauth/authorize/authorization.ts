/**
 * The authorization endpoint's decisions (RFC 6749 §4.1, RFC 9700, OpenID Connect Core §3.1.2):
 * whom to answer, whether the user must sign in or consent first, and the code. Bad input is an
 * outcome, never a throw: an error page when the client or its redirect URI cannot be trusted,
 * otherwise a redirect carrying the error, `state` and `iss` (RFC 9207).
 */
import type { Audit } from '../../audit/audit.js';
import { entryOf } from '../../error-registry.js';
import { TesseraError } from '../../errors.js';
import { AUTH_AFTER, checkRequest, checkTarget } from './request.js';
import type { AuthorizeRequest, Target } from './request.js';
import type { AuthorizeOutcome, AuthorizeParams, SignedIn } from './outcome.js';
import type { AuthorizationCodes } from './codes.js';
import type { Clients } from '../../clients/clients.js';
import type { Clock } from '../../clock.js';
import type { ConsentStore } from '../../../stores/ports.js';

/** What the authorization endpoint is built from. */
export interface AuthorizationDeps {
  clients: Pick<Clients, 'find'>;
  consents: ConsentStore;
  codes: AuthorizationCodes;
  clock: Clock;
  /** The `iss` of every authorization response (RFC 9207). */
  issuer: string;
  /** Records consent.given. */
  audit?: Audit;
}

/** GET /oauth/authorize and the consent form's answer. */
export class Authorization {
  constructor(private readonly deps: AuthorizationDeps) {}

  /** Decides what GET /oauth/authorize does for `params` and whoever is signed in. */
  async authorize(
    params: AuthorizeParams,
    signedIn: SignedIn | undefined,
  ): Promise<AuthorizeOutcome> {
    return this.answer(params, async (request) => {
      const none = request.prompt.has('none');
      if (signedIn === undefined || this.mustSignIn(request, signedIn)) {
        if (none) throw new TesseraError('login_required', 'the user must sign in');
        return { kind: 'login', params: this.loginParams(params) };
      }
      if (await this.mustConsent(request, signedIn)) {
        if (none) throw new TesseraError('consent_required', 'the user must allow the client');
        return { kind: 'consent', client: request.client, scopes: request.scopes, params };
      }
      return this.success(request, signedIn);
    });
  }

  /**
   * The consent form's answer: the parameters are checked again (the form may have been
   * tampered with); Deny sends `access_denied`, Allow remembers the consent and issues the code.
   */
  async decide(
    params: AuthorizeParams,
    signedIn: SignedIn,
    allow: boolean,
  ): Promise<AuthorizeOutcome> {
    return this.answer(params, async (request) => {
      if (!allow) throw new TesseraError('access_denied', 'the user denied the request');
      if (!request.client.firstParty) {
        await this.deps.consents.grant(
          signedIn.userId,
          request.client.id,
          request.scopes,
          this.deps.clock.now(),
        );
        this.deps.audit?.record('consent.given', {
          subjectId: signedIn.userId,
          details: { clientId: request.client.id, scopes: request.scopes.join(' ') },
        });
      }
      return this.success(request, signedIn);
    });
  }

  /**
   * Runs the checks, then `next`; turns any TesseraError after the target is trusted into an
   * error redirect (RFC 6749 §4.1.2.1).
   */
  private async answer(
    params: AuthorizeParams,
    next: (request: AuthorizeRequest) => Promise<AuthorizeOutcome>,
  ): Promise<AuthorizeOutcome> {
    const clientId = params.client_id;
    const client =
      clientId === undefined || clientId === ''
        ? undefined
        : await this.deps.clients.find(clientId);
    const target = checkTarget(params, client);
    if (target instanceof TesseraError) {
      return { kind: 'error-page', error: entryOf(target.code).oauth, description: target.message };
    }
    try {
      return await next(checkRequest(params, target));
    } catch (error) {
      if (!(error instanceof TesseraError) || error.status >= 500) throw error;
      return this.redirect(target, {
        error: entryOf(error.code).oauth,
        error_description: error.message,
      });
    }
  }

  /** `prompt=login`, `max_age` passed, or a sign-in older than the AUTH_AFTER marker. */
  private mustSignIn(request: AuthorizeRequest, signedIn: SignedIn): boolean {
    const now = this.deps.clock.now();
    if (request.prompt.has('login')) return true;
    if (request.maxAge !== undefined && now - signedIn.authTime > request.maxAge * 1000) {
      return true;
    }
    // A marker from the future (forged) cannot demand more than a sign-in from now on.
    const after = request.authAfter === undefined ? undefined : Math.min(request.authAfter, now);
    return after !== undefined && signedIn.authTime < after;
  }

  /**
   * The parameters to come back with after signing in: `prompt=login` and `max_age` have done
   * their job once the user signs in after now, which AUTH_AFTER says instead (no loop).
   */
  private loginParams(params: AuthorizeParams): AuthorizeParams {
    const next: Record<string, string> = {};
    for (const [name, value] of Object.entries(params)) {
      if (name === 'max_age' || name === AUTH_AFTER) continue;
      if (name === 'prompt') {
        const rest = value.split(' ').filter((item) => item !== '' && item !== 'login');
        if (rest.length > 0) next.prompt = rest.join(' ');
        continue;
      }
      next[name] = value;
    }
    next[AUTH_AFTER] = String(this.deps.clock.now());
    return next;
  }

  /** First-party clients never ask; others when asked to or when consent does not cover it. */
  private async mustConsent(request: AuthorizeRequest, signedIn: SignedIn): Promise<boolean> {
    if (request.client.firstParty) return false;
    if (request.prompt.has('consent')) return true;
    const consent = await this.deps.consents.find(signedIn.userId, request.client.id);
    return (
      consent === undefined || !request.scopes.every((scope) => consent.scopes.includes(scope))
    );
  }

  private async success(request: AuthorizeRequest, signedIn: SignedIn): Promise<AuthorizeOutcome> {
    const code = await this.deps.codes.issue({
      clientId: request.client.id,
      userId: signedIn.userId,
      redirectUri: request.redirectUri,
      scope: request.scopes.join(' '),
      codeChallenge: request.codeChallenge,
      nonce: request.nonce,
      sessionId: signedIn.sessionId,
      authTime: signedIn.authTime,
    });
    return this.redirect(request, { code });
  }

  /** A redirect to the client with `fields`, `state` when sent, and `iss` (RFC 9207). */
  private redirect(target: Target, fields: Record<string, string>): AuthorizeOutcome {
    const query = new URLSearchParams(fields);
    if (target.state !== undefined) query.set('state', target.state);
    query.set('iss', this.deps.issuer);
    // Appended to the registered URI as it is (its own query kept, RFC 6749 §3.1.2): no parsing
    // and re-serialising that could change what was matched.
    const separator = target.redirectUri.includes('?') ? '&' : '?';
    return { kind: 'redirect', to: `${target.redirectUri}${separator}${query.toString()}` };
  }
}
