import { Accounts } from './accounts/accounts.js';
import { noMailer } from './accounts/mailer.js';
import { Recovery } from './accounts/recovery.js';
import { AuditLog } from './audit/audit-log.js';
import { Clients } from './clients/clients.js';
import { Consents } from './consents/consents.js';
import { KeyRing } from './keys/keyring.js';
import { SecretBox } from './keys/secret-box.js';
import { AccessTokens } from './oauth/access-tokens.js';
import { Authorization } from './oauth/authorize/authorization.js';
import { AuthorizationCodes } from './oauth/authorize/codes.js';
import { CodeExchange } from './oauth/code-exchange.js';
import { Logout } from './oauth/logout.js';
import { boundHashing, defaultHashBound } from './passwords/hash.js';
import { RefreshFamilies } from './oauth/refresh-families.js';
import { TokenService } from './oauth/token-service.js';
import { RevocationFeed } from './revocation/feed.js';
import { LiveRevocations } from './revocation/live-state.js';
import { Revocations } from './revocation/revocations.js';
import { UserRevoker } from './revocation/revoke-user.js';
import { SessionNearCache, soloChannel } from './sessions/near-cache.js';
import { Sessions } from './sessions/sessions.js';
import type { InvalidationChannel } from './sessions/near-cache.js';
import type { Mailer } from './accounts/mailer.js';
import type { AuditLogOptions } from './audit/audit-log.js';
import type { RequestContext } from './audit/context.js';
import type { Clock } from './clock.js';
import type { CoreDeps } from './deps.js';
import type { Policy } from './policy.js';
import type { Stores } from '../stores/ports.js';

/** The core services, wired to one set of stores, one clock and one policy. */
export interface Core {
  deps: CoreDeps;
  /** The security events: recorded by every service, listed by the pages and `tessera audit`. */
  audit: AuditLog;
  accounts: Accounts;
  /** Password reset and email verification links. */
  recovery: Recovery;
  sessions: Sessions;
  nearCache: SessionNearCache;
  clients: Clients;
  keyRing: KeyRing;
  revocations: Revocations;
  feed: RevocationFeed;
  /** The bearer check's in-memory revocations; trusted once the bus reports up (instances.ts). */
  liveRevocations: LiveRevocations;
  families: RefreshFamilies;
  accessTokens: AccessTokens;
  tokenService: TokenService;
  /** GET /oauth/authorize and the consent form's answer. */
  authorization: Authorization;
  /** grant_type=authorization_code. */
  codeExchange: CodeExchange;
  /** RP-initiated logout (GET /oauth/logout and its confirmation). */
  logout: Logout;
  /** The consents users gave clients (the account page lists and revokes them). */
  consents: Consents;
  /**
   * Deletes expired sessions, families, authorization codes, revocations and counters, and writes down key changes
   * that time has made (a planned key now signing, rotated-out keys retired); forgets audit events
   * older than the retention.
   */
  sweep(): Promise<void>;
}

/**
 * Builds the core over `stores` with `policy` (server/policy.ts derives it from a Config), loads
 * the signing keys (creating the first one on first start) and makes sure the first-party client
 * exists.
 */
export async function createCore(options: {
  stores: Stores;
  clock: Clock;
  policy: Policy;
  /** How session invalidations reach other instances; in-process only when absent. */
  channel?: InvalidationChannel;
  /** The audit log's sink (the server's structured log) and queue tuning. */
  audit?: Omit<AuditLogOptions, 'store' | 'clock' | 'context'>;
  /** The current request's facts (ip, user agent, request id, actor) for audit events. */
  context?: RequestContext;
  /** Sends reset and verification links; none are sent when absent. */
  mailer?: Mailer;
}): Promise<Core> {
  const { stores, clock, policy } = options;
  boundHashing(policy.hashing ?? defaultHashBound());
  const audit = new AuditLog({
    ...options.audit,
    store: stores.audit,
    clock,
    ...(options.context ? { context: options.context } : {}),
  });
  const deps: CoreDeps = { stores, clock, policy, audit };
  const auditRetentionMs = policy.audit?.retentionMs ?? 90 * 24 * 60 * 60 * 1000;
  const t = policy.tokens;
  // An access token can be presented until exp + skew; revocations must outlive that.
  const horizonMs = (t.accessTtlSeconds + t.clockSkewSeconds) * 1000;
  const nearCache = new SessionNearCache(options.channel ?? soloChannel, policy.session.touchMs);
  const revocations = new Revocations(
    stores,
    clock,
    horizonMs,
    t.clockSkewSeconds * 1000,
    nearCache,
  );
  const feed = new RevocationFeed(stores.revocations, clock);
  const liveRevocations = new LiveRevocations(feed, clock);
  revocations.follow(liveRevocations);
  revocations.subscribe(() => feed.notify());
  const families = new RefreshFamilies(
    stores,
    revocations,
    clock,
    {
      lifetimeMs: t.refreshLifetimeMs,
      graceMs: t.refreshGraceMs,
    },
    audit,
  );
  const sessions = new Sessions(deps, nearCache, revocations);
  const revoker = new UserRevoker(sessions, families, revocations);
  const recovery = new Recovery(deps, revoker, options.mailer ?? noMailer);
  const accounts = new Accounts(deps, revoker, recovery);
  const clients = new Clients(stores.clients, clock, stores.consents, audit);
  const keys = new KeyRing(
    stores.signingKeys,
    new SecretBox(t.secret),
    clock,
    {
      alg: t.alg,
      hs256Secret: t.hs256Secret,
      verifyOnlyMs: horizonMs,
    },
    audit,
  );
  await keys.load();
  await clients.ensureFirstParty(t.firstPartyScopes, [t.audience]);
  const accessTokens = new AccessTokens(keys, revocations, clock, {
    issuer: t.issuer,
    ttlSeconds: t.accessTtlSeconds,
    clockSkewSeconds: t.clockSkewSeconds,
  });
  const tokens = new TokenService(
    accounts,
    clients,
    accessTokens,
    families,
    {
      firstPartyScopes: t.firstPartyScopes,
      passwordTokens: t.passwordTokens,
      audience: t.audience,
    },
    audit,
  );
  const codes = new AuthorizationCodes(stores.authorizationCodes, clock);
  const authorization = new Authorization({
    clients,
    consents: stores.consents,
    codes,
    clock,
    issuer: t.issuer,
    audit,
  });
  const codeExchange = new CodeExchange({
    codes,
    accounts,
    accessTokens,
    families,
    revocations,
    keyRing: keys,
    clock,
    issuer: t.issuer,
    audience: t.audience,
    idTokenTtlSeconds: t.accessTtlSeconds,
  });
  const logout = new Logout({ clients, keyRing: keys, sessions, families, issuer: t.issuer });
  const consents = new Consents(stores.consents, clients, families, audit);
  return {
    deps,
    audit,
    accounts,
    recovery,
    sessions,
    nearCache,
    clients,
    keyRing: keys,
    revocations,
    feed,
    liveRevocations,
    families,
    accessTokens,
    tokenService: tokens,
    authorization,
    codeExchange,
    logout,
    consents,
    async sweep() {
      await sessions.sweep();
      await families.sweep();
      await codes.sweep();
      await revocations.sweep();
      await stores.rateLimits.deleteExpired(clock.now());
      await stores.oneTimeTokens.deleteExpired(clock.now());
      await keys.settle();
      await stores.audit.deleteBefore(clock.now() - auditRetentionMs);
    },
  };
}
