/**
 * Every option of Tessera in one place: its name, environment variable, flag, default, validation
 * and documentation. The README's configuration table is generated from `options` (see
 * `tessera help config`), so the docs cannot drift from the code.
 */
import { isIP } from 'node:net';
import { TesseraError } from './core/errors.js';
import { parseRedisUrl } from './redis-connect/url.js';

/** The validated configuration every part of the server reads; frozen, arrays included. */
export interface Config {
  readonly host: string;
  readonly port: number;
  readonly issuer: string;
  readonly databaseUrl: string;
  readonly redisUrl: string | undefined;
  readonly redisPrefix: string;
  readonly secret: string | undefined;
  readonly allowedOrigins: readonly string[];
  readonly sessionIdleMinutes: number;
  readonly sessionAbsoluteHours: number;
  readonly sessionTouchSeconds: number;
  readonly auditRetentionDays: number;
  readonly loginAccountLimit: number;
  readonly loginIpLimit: number;
  readonly loginWindowMinutes: number;
  readonly signupIpLimit: number;
  readonly signupWindowMinutes: number;
  readonly argon2MemoryKiB: number;
  readonly argon2Iterations: number;
  readonly argon2Parallelism: number;
  readonly hashConcurrency: number;
  readonly hashQueue: number;
  readonly hashNice: number;
  readonly bodyLimitBytes: number;
  readonly signingAlg: 'RS256' | 'ES256' | 'EdDSA' | 'HS256';
  readonly hs256Secret: string | undefined;
  readonly accessTokenMinutes: number;
  readonly refreshTokenDays: number;
  readonly refreshGraceSeconds: number;
  readonly clockSkewSeconds: number;
  readonly audience: string;
  readonly firstPartyScopes: readonly string[];
  readonly passwordTokens: boolean;
  readonly requireVerifiedEmail: boolean;
  /** Where mail goes (smtp:// or smtps://, credentials in the URL); unset: links go to the log. */
  readonly smtpUrl: string | undefined;
  readonly mailFrom: string;
  /** The proxies in front of Tessera: none, a hop count, or their addresses and CIDRs. */
  readonly trustProxy: false | number | readonly string[];
  readonly logLevel: string;
  readonly logRequests: boolean;
}

interface OptionSpec<K extends keyof Config> {
  key: K;
  env: string;
  flag: string;
  /** The default, or a function of the options parsed so far. */
  fallback: Config[K] | ((partial: Partial<Config>) => Config[K]);
  parse: (raw: string, name: string) => Config[K];
  /** How a list given in code is joined into the text `parse` reads (lists only). */
  separator?: ',' | ' ';
  doc: string;
}

type AnyOption = { [K in keyof Config]: OptionSpec<K> }[keyof Config];

function invalid(name: string, expected: string, raw: string): TesseraError {
  // A URL's credentials never reach a log or a terminal through an error message.
  const shown = raw.replace(/\/\/[^/@]*@/, '//***@');
  return new TesseraError('invalid_config', `${name} must be ${expected} (got "${shown}")`);
}

function integer(min: number, max: number) {
  return (raw: string, name: string): number => {
    const value = Number(raw);
    if (!/^-?\d+$/.test(raw.trim()) || value < min || value > max) {
      throw invalid(name, `an integer from ${min} to ${max}`, raw);
    }
    return value;
  };
}

function text(raw: string): string {
  return raw;
}

function optionalText(raw: string): string | undefined {
  return raw === '' ? undefined : raw;
}

function boolean(raw: string, name: string): boolean {
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw invalid(name, 'true or false', raw);
}

function url(protocols: string[]) {
  return (raw: string, name: string): string => {
    let parsed: URL;
    try {
      parsed = new URL(raw);
    } catch {
      throw invalid(name, `a URL (${protocols.join(', ')})`, raw);
    }
    if (!protocols.includes(parsed.protocol)) {
      throw invalid(name, `a URL with scheme ${protocols.join(' or ')}`, raw);
    }
    return raw;
  };
}

function issuer(raw: string, name: string): string {
  const value = url(['http:', 'https:'])(raw, name);
  const parsed = new URL(value);
  if (parsed.search || parsed.hash) throw invalid(name, 'a URL without query or fragment', raw);
  // RFC 8414 §2: the issuer has no trailing slash ambiguity; we keep it without one.
  return value.replace(/\/+$/, '');
}

function databaseUrl(raw: string, name: string): string {
  if (raw.startsWith('sqlite:')) return raw;
  return url(['postgres:', 'postgresql:'])(raw, name);
}

function origins(raw: string, name: string): readonly string[] {
  const list = raw
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  for (const item of list) {
    const parsed = (() => {
      try {
        return new URL(item);
      } catch {
        throw invalid(name, 'a comma-separated list of origins like https://app.example.com', raw);
      }
    })();
    if (parsed.origin !== item) {
      throw invalid(name, `origins only (scheme://host[:port]); "${item}" is not one`, raw);
    }
  }
  return list;
}

function signingAlg(raw: string, name: string): Config['signingAlg'] {
  if (raw === 'RS256' || raw === 'ES256' || raw === 'EdDSA' || raw === 'HS256') return raw;
  throw invalid(name, 'one of RS256, ES256, EdDSA, HS256', raw);
}

function hs256Secret(raw: string, name: string): string | undefined {
  if (raw === '') return undefined;
  // RFC 7518 §3.2: an HS256 key has at least 256 bits; ask for them encoded, not as a password.
  if (!/^[A-Za-z0-9+/_-]+=*$/.test(raw) || Buffer.from(raw, 'base64').length < 32) {
    throw invalid(name, 'at least 32 random bytes, base64-encoded (openssl rand -base64 32)', '…');
  }
  return raw;
}

function scopes(raw: string, name: string): readonly string[] {
  const list = raw.split(' ').filter(Boolean);
  // RFC 6749 §3.3: scope tokens are printable ASCII without space, quote or backslash.
  if (list.length === 0 || !list.every((scope) => /^[\x21\x23-\x5b\x5d-\x7e]+$/.test(scope))) {
    throw invalid(name, 'a space-separated list of scope names', raw);
  }
  return list;
}

function redisUrl(raw: string, name: string): string | undefined {
  if (raw === '') return undefined;
  try {
    // The parser the stores and verifiers connect with: it knows the Sentinel and Cluster forms.
    parseRedisUrl(raw);
  } catch {
    throw invalid(
      name,
      'redis://, rediss://, redis+sentinel:// or redis+cluster:// (docs/redis.md)',
      raw,
    );
  }
  return raw;
}

function smtpUrl(raw: string, name: string): string | undefined {
  if (raw === '') return undefined;
  return url(['smtp:', 'smtps:'])(raw, name);
}

// proxy-addr's (Fastify's) named ranges: 127.0.0.1/8 and ::1, link-local, unique-local.
const namedRanges = ['loopback', 'linklocal', 'uniquelocal'];

function trustProxy(raw: string, name: string): Config['trustProxy'] {
  const value = raw.trim();
  if (/^(0|false|no|off)$/i.test(value)) return false;
  if (/^(true|yes|on)$/i.test(value)) {
    // The left-most X-Forwarded-For entry is whatever the client wrote: trusting every entry
    // lets one client be any number of addresses to the per-IP limits.
    throw new TesseraError(
      'invalid_config',
      `${name}=${value} trusts every X-Forwarded-For entry, which the client can write itself; set the number of proxies in front of Tessera (e.g. 1) or their addresses and CIDRs (e.g. 10.0.0.0/8,192.168.1.10)`,
    );
  }
  const expected =
    'false, a number of proxies (1–16), or a comma-separated list of proxy addresses and CIDRs (10.0.0.0/8, loopback)';
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    if (hops > 16) throw invalid(name, expected, raw);
    return hops;
  }
  const list = value.split(',').map((item) => item.trim());
  if (!list.every((item) => namedRanges.includes(item) || isCidr(item))) {
    throw invalid(name, expected, raw);
  }
  return list;
}

/** An IP address, or an IP address with a prefix length that fits its family. */
function isCidr(item: string): boolean {
  const [address = '', prefix, ...rest] = item.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

function level(raw: string, name: string): string {
  const levels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
  if (!levels.includes(raw)) throw invalid(name, `one of ${levels.join(', ')}`, raw);
  return raw;
}

/** Every option, in the order the README documents them. */
export const options: readonly AnyOption[] = [
  {
    key: 'host',
    env: 'TESSERA_HOST',
    flag: 'host',
    fallback: '127.0.0.1',
    parse: text,
    doc: 'Address the server listens on.',
  },
  {
    key: 'port',
    env: 'TESSERA_PORT',
    flag: 'port',
    fallback: 8080,
    parse: integer(0, 65535),
    doc: 'Port the server listens on (0 picks a free one).',
  },
  {
    key: 'issuer',
    env: 'TESSERA_ISSUER',
    flag: 'issuer',
    fallback: (p) => `http://localhost:${p.port ?? 8080}`,
    parse: issuer,
    doc: 'Public base URL: the `iss` of tokens, the base of metadata URLs; `https://` turns on `Secure` and `__Host-` cookies.',
  },
  {
    key: 'databaseUrl',
    env: 'TESSERA_DATABASE_URL',
    flag: 'database-url',
    fallback: 'sqlite:./tessera.db',
    parse: databaseUrl,
    doc: '`sqlite:<path>` (embedded default) or `postgres://…`.',
  },
  {
    key: 'redisUrl',
    env: 'TESSERA_REDIS_URL',
    flag: 'redis-url',
    fallback: undefined,
    parse: redisUrl,
    doc: '`redis://…`, `rediss://…`, `redis+sentinel://…` or `redis+cluster://…` (docs/redis.md); unset means no Redis.',
  },
  {
    key: 'redisPrefix',
    env: 'TESSERA_REDIS_PREFIX',
    flag: 'redis-prefix',
    fallback: 'tessera:',
    parse: (raw, name) => {
      if (!/^[A-Za-z0-9:_-]{1,64}$/.test(raw))
        throw invalid(name, 'letters, digits, ":", "_" or "-"', raw);
      return raw;
    },
    doc: 'Prefix of every Redis key and channel, so several deployments can share one Redis.',
  },
  {
    key: 'secret',
    env: 'TESSERA_SECRET',
    flag: 'secret',
    fallback: undefined,
    parse: optionalText,
    doc: 'Encrypts private signing keys at rest; unset stores them unencrypted, with a warning.',
  },
  {
    key: 'allowedOrigins',
    env: 'TESSERA_ALLOWED_ORIGINS',
    flag: 'allowed-origins',
    fallback: (p) => [new URL(p.issuer ?? 'http://localhost:8080').origin],
    parse: origins,
    separator: ',',
    doc: "Comma-separated origins trusted by the browser rules: they may send cookie-authenticated writes and call /auth and /oauth cross-origin with credentials (CORS); defaults to the issuer's origin.",
  },
  {
    key: 'sessionIdleMinutes',
    env: 'TESSERA_SESSION_IDLE_MINUTES',
    flag: 'session-idle-minutes',
    fallback: 30,
    parse: integer(1, 60 * 24 * 30),
    doc: 'A session unused this long ends (NIST SP 800-63B AAL2: 30 minutes).',
  },
  {
    key: 'sessionAbsoluteHours',
    env: 'TESSERA_SESSION_ABSOLUTE_HOURS',
    flag: 'session-absolute-hours',
    fallback: 12,
    parse: integer(1, 24 * 90),
    doc: 'A session ends this long after login whatever the activity (NIST SP 800-63B AAL2: 12 hours).',
  },
  {
    key: 'sessionTouchSeconds',
    env: 'TESSERA_SESSION_TOUCH_SECONDS',
    flag: 'session-touch-seconds',
    fallback: 60,
    parse: integer(0, 3600),
    doc: 'Last-seen is written at most this often per session, so reads do not write on every request.',
  },
  {
    key: 'auditRetentionDays',
    env: 'TESSERA_AUDIT_RETENTION_DAYS',
    flag: 'audit-retention-days',
    fallback: 90,
    parse: integer(1, 36500),
    doc: 'Audit events older than this are deleted by the periodic sweep.',
  },
  {
    key: 'loginAccountLimit',
    env: 'TESSERA_LOGIN_ACCOUNT_LIMIT',
    flag: 'login-account-limit',
    fallback: 10,
    parse: integer(1, 100000),
    doc: 'Failed logins allowed per account per window before 429.',
  },
  {
    key: 'loginIpLimit',
    env: 'TESSERA_LOGIN_IP_LIMIT',
    flag: 'login-ip-limit',
    fallback: 100,
    parse: integer(1, 1000000),
    doc: 'Login attempts allowed per client IP per window before 429.',
  },
  {
    key: 'loginWindowMinutes',
    env: 'TESSERA_LOGIN_WINDOW_MINUTES',
    flag: 'login-window-minutes',
    fallback: 15,
    parse: integer(1, 24 * 60),
    doc: 'Length of the login rate-limit window.',
  },
  {
    key: 'signupIpLimit',
    env: 'TESSERA_SIGNUP_IP_LIMIT',
    flag: 'signup-ip-limit',
    fallback: 20,
    parse: integer(1, 1000000),
    doc: 'Sign-ups allowed per client IP per window before 429.',
  },
  {
    key: 'signupWindowMinutes',
    env: 'TESSERA_SIGNUP_WINDOW_MINUTES',
    flag: 'signup-window-minutes',
    fallback: 60,
    parse: integer(1, 24 * 60),
    doc: 'Length of the sign-up rate-limit window.',
  },
  {
    key: 'argon2MemoryKiB',
    env: 'TESSERA_ARGON2_MEMORY_KIB',
    flag: 'argon2-memory-kib',
    fallback: 19456,
    parse: integer(1024, 4 * 1024 * 1024),
    doc: 'argon2id memory cost (OWASP: 19 MiB with 2 iterations).',
  },
  {
    key: 'argon2Iterations',
    env: 'TESSERA_ARGON2_ITERATIONS',
    flag: 'argon2-iterations',
    fallback: 2,
    parse: integer(1, 100),
    doc: 'argon2id time cost.',
  },
  {
    key: 'argon2Parallelism',
    env: 'TESSERA_ARGON2_PARALLELISM',
    flag: 'argon2-parallelism',
    fallback: 1,
    parse: integer(1, 16),
    doc: 'argon2id lanes.',
  },
  {
    key: 'hashConcurrency',
    env: 'TESSERA_HASH_CONCURRENCY',
    flag: 'hash-concurrency',
    fallback: 0,
    parse: integer(0, 1024),
    doc: 'Password hashes run at once, process-wide; 0: the core count − 1 (at least 1), keeping a core for other requests.',
  },
  {
    key: 'hashQueue',
    env: 'TESSERA_HASH_QUEUE',
    flag: 'hash-queue',
    fallback: 32,
    parse: integer(0, 100000),
    doc: 'Password hashes waiting for a turn; past it sign-in, sign-up and password changes answer 503 `busy`.',
  },
  {
    key: 'hashNice',
    env: 'TESSERA_HASH_NICE',
    flag: 'hash-nice',
    fallback: 10,
    parse: integer(0, 19),
    doc: 'Nice value of the password-hashing threads (Linux; elsewhere they keep normal priority), so other requests get the CPU first during a burst of sign-ins; 0: normal priority.',
  },
  {
    key: 'bodyLimitBytes',
    env: 'TESSERA_BODY_LIMIT_BYTES',
    flag: 'body-limit-bytes',
    fallback: 16384,
    parse: integer(1024, 1024 * 1024),
    doc: 'Largest request body accepted; larger ones get 413 before parsing.',
  },
  {
    key: 'signingAlg',
    env: 'TESSERA_SIGNING_ALG',
    flag: 'signing-alg',
    fallback: 'RS256',
    parse: signingAlg,
    doc: 'Algorithm of new signing keys: RS256 (RFC 9068’s mandatory one, verified everywhere), ES256 or EdDSA (smaller tokens), or HS256 (shared secret; only with TESSERA_HS256_SECRET).',
  },
  {
    key: 'hs256Secret',
    env: 'TESSERA_HS256_SECRET',
    flag: 'hs256-secret',
    fallback: undefined,
    parse: hs256Secret,
    doc: 'The HS256 key, at least 32 random bytes in base64; every verifier needs it, which is why asymmetric keys are the default.',
  },
  {
    key: 'accessTokenMinutes',
    env: 'TESSERA_ACCESS_TOKEN_MINUTES',
    flag: 'access-token-minutes',
    fallback: 10,
    parse: integer(1, 24 * 60),
    doc: 'Lifetime of access tokens (1 minute to 24 hours).',
  },
  {
    key: 'refreshTokenDays',
    env: 'TESSERA_REFRESH_TOKEN_DAYS',
    flag: 'refresh-token-days',
    fallback: 30,
    parse: integer(1, 365),
    doc: 'Absolute lifetime of a refresh-token family; rotation never extends it.',
  },
  {
    key: 'refreshGraceSeconds',
    env: 'TESSERA_REFRESH_GRACE_SECONDS',
    flag: 'refresh-grace-seconds',
    fallback: 10,
    parse: integer(0, 300),
    doc: 'A just-rotated refresh token still refreshes for this long (two tabs, a retried request); later re-use revokes the family.',
  },
  {
    key: 'clockSkewSeconds',
    env: 'TESSERA_CLOCK_SKEW_SECONDS',
    flag: 'clock-skew-seconds',
    fallback: 30,
    parse: integer(0, 300),
    doc: 'Clock skew tolerated when checking exp, nbf and iat.',
  },
  {
    key: 'audience',
    env: 'TESSERA_AUDIENCE',
    flag: 'audience',
    fallback: (p) => p.issuer ?? 'http://localhost:8080',
    parse: text,
    doc: 'The `aud` of first-party access tokens; defaults to the issuer.',
  },
  {
    key: 'firstPartyScopes',
    env: 'TESSERA_FIRST_PARTY_SCOPES',
    flag: 'first-party-scopes',
    fallback: ['account'],
    parse: scopes,
    separator: ' ',
    doc: 'Scopes of tokens from /auth/token (the built-in first-party client).',
  },
  {
    key: 'passwordTokens',
    env: 'TESSERA_PASSWORD_TOKENS',
    flag: 'password-tokens',
    fallback: true,
    parse: boolean,
    doc: '`POST /auth/token` with a password, for the first-party apps only (RFC 9700 §2.4); `off` leaves them the session and the authorization code flow.',
  },
  {
    key: 'requireVerifiedEmail',
    env: 'TESSERA_REQUIRE_VERIFIED_EMAIL',
    flag: 'require-verified-email',
    fallback: false,
    parse: boolean,
    doc: 'Refuse sign-in (`email_unverified`, 403) until the user followed the link of the verification mail (valid 24 hours; a password reset link, valid 30 minutes, also verifies).',
  },
  {
    key: 'smtpUrl',
    env: 'TESSERA_SMTP_URL',
    flag: 'smtp-url',
    fallback: undefined,
    parse: smtpUrl,
    doc: 'The mail server for password reset and verification mails: `smtp://user:pass@host:587` (STARTTLS when offered) or `smtps://…:465`. Unset, the links are written to the server log at warn level instead.',
  },
  {
    key: 'mailFrom',
    env: 'TESSERA_MAIL_FROM',
    flag: 'mail-from',
    fallback: (p) => `Tessera <no-reply@${new URL(p.issuer ?? 'http://localhost:8080').hostname}>`,
    parse: text,
    doc: 'The From of mails; defaults to `Tessera <no-reply@ISSUER-HOST>`.',
  },
  {
    key: 'trustProxy',
    env: 'TESSERA_TRUST_PROXY',
    flag: 'trust-proxy',
    fallback: false,
    parse: trustProxy,
    separator: ',',
    doc: 'The proxies in front of Tessera, whose X-Forwarded-For entries are believed: their number (e.g. `1`) or their addresses and CIDRs (e.g. `10.0.0.0/8,192.168.1.10`); the client IP is the right-most address they did not add. `true` is refused: it would believe what the client writes.',
  },
  {
    key: 'logLevel',
    env: 'TESSERA_LOG_LEVEL',
    flag: 'log-level',
    fallback: 'info',
    parse: level,
    doc: 'pino log level.',
  },
  {
    key: 'logRequests',
    env: 'TESSERA_LOG_REQUESTS',
    flag: 'log-requests',
    fallback: true,
    parse: boolean,
    doc: 'Log one line per request and response (info level); `false` keeps warnings and errors only.',
  },
];

/** Where raw option values come from: environment variables and `--flag value` pairs. */
export interface ConfigSources {
  env?: Record<string, string | undefined>;
  flags?: Record<string, string | undefined>;
}

/**
 * Builds and validates the configuration, once: every value, whether from a flag, the
 * environment or `overrides` (values given in code, which win), goes through the option's own
 * parser, and the result is frozen. Throws a TesseraError naming the bad variable.
 */
export function loadConfig(sources: ConfigSources = {}, overrides: Partial<Config> = {}): Config {
  const env = sources.env ?? {};
  const flags = sources.flags ?? {};
  const partial: Partial<Config> = {};
  for (const option of options) {
    const fromFlag = flags[option.flag];
    const fromEnv = env[option.env];
    let raw = fromFlag ?? fromEnv;
    let name = fromFlag !== undefined ? `--${option.flag}` : option.env;
    if (option.key in overrides) {
      name = `${option.env} (given in code as ${option.key})`;
      raw = asText(overrides[option.key], name, option.separator);
    }
    let value: unknown;
    if (raw !== undefined) value = option.parse(raw, name);
    else value = typeof option.fallback === 'function' ? option.fallback(partial) : option.fallback;
    (partial as Record<string, unknown>)[option.key] = Array.isArray(value)
      ? Object.freeze([...(value as unknown[])])
      : value;
  }
  const config = partial as Config;
  if (config.sessionIdleMinutes > config.sessionAbsoluteHours * 60) {
    throw new TesseraError(
      'invalid_config',
      'TESSERA_SESSION_IDLE_MINUTES must not exceed TESSERA_SESSION_ABSOLUTE_HOURS × 60',
    );
  }
  if (config.signingAlg === 'HS256' && config.hs256Secret === undefined) {
    throw new TesseraError(
      'invalid_config',
      'TESSERA_SIGNING_ALG=HS256 needs TESSERA_HS256_SECRET (at least 32 random bytes, base64)',
    );
  }
  return Object.freeze(config);
}

/** A value given in code, as the text its option's parser reads (unset is the empty text). */
function asText(value: unknown, name: string, separator = ','): string {
  if (value === undefined) return '';
  if (!Array.isArray(value)) return String(value);
  const items = value.map(String);
  // Joined, an item holding the separator would read as two: refuse it rather than split it.
  if (items.some((item) => item.trim() === '' || item.includes(separator))) {
    throw invalid(name, `a list of non-empty items without "${separator}"`, items.join(separator));
  }
  return items.join(separator);
}

/** True when cookies must be `Secure` and `__Host-` prefixed (the issuer is https). */
export function isSecureIssuer(config: Pick<Config, 'issuer'>): boolean {
  return new URL(config.issuer).protocol === 'https:';
}
