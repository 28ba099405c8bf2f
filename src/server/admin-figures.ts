/**
 * The key figures of the admin console's live view: sign-ins and their failures per minute,
 * revocations per minute and the p99 of session checks, kept in a small ring of one-minute
 * buckets in this process. Prometheus (`/metrics`) keeps counters since start; a person looking
 * at the console wants the last half hour by minute, which a counter cannot give without a
 * Prometheus server to query, so this ring keeps just that (30 buckets, a few KB).
 */
import type { Core } from '../core/tessera.js';
import type { FastifyInstance, FastifyRequest } from 'fastify';

/** How many one-minute buckets the ring keeps. */
export const FIGURE_MINUTES = 30;

const MINUTE_MS = 60_000;
// Session-check durations kept per minute: enough for a p99, bounded whatever the traffic.
const SAMPLES_PER_MINUTE = 1_000;

/** One minute of figures. */
export interface MinuteFigures {
  /** The start of the minute (ms). */
  start: number;
  logins: number;
  failures: number;
  revocations: number;
  /** Session checks seen in the minute. */
  checks: number;
}

interface Bucket extends MinuteFigures {
  samples: number[];
}

/** A sign-in answered: by the JSON API or the sign-in page. */
const LOGIN_ROUTES = new Set(['POST /auth/session', 'POST /login']);
/** Refusals of a right password: the account may not sign in. */
const REFUSED_ACCOUNTS = new Set(['account_disabled', 'email_unverified']);
/** The session check of API.md (`GET /auth/session`): what the benchmark measures too. */
const SESSION_CHECK_ROUTE = 'GET /auth/session';

/** The ring of minute buckets of one server. */
export class AdminFigures {
  private readonly buckets: Bucket[] = [];

  constructor(private readonly now: () => number) {}

  /** Counts a sign-in that succeeded or failed (wrong credentials, rate limit, disabled). */
  login(succeeded: boolean): void {
    const bucket = this.current();
    if (succeeded) bucket.logins += 1;
    else bucket.failures += 1;
  }

  /** Counts one revocation (a token, session, family, user cutoff or key). */
  revocation(): void {
    this.current().revocations += 1;
  }

  /** Records how long one session check took (ms); a uniform sample once the bucket is full. */
  sessionCheck(ms: number): void {
    const bucket = this.current();
    bucket.checks += 1;
    if (bucket.samples.length < SAMPLES_PER_MINUTE) bucket.samples.push(ms);
    else {
      // Reservoir sampling (Vitter's algorithm R): every check of the minute equally likely kept.
      const slot = Math.floor(Math.random() * bucket.checks);
      if (slot < SAMPLES_PER_MINUTE) bucket.samples[slot] = ms;
    }
  }

  /** The last FIGURE_MINUTES minutes, oldest first, the current (partial) minute last. */
  minutes(): MinuteFigures[] {
    const currentStart = minuteOf(this.now());
    const byStart = new Map(this.buckets.map((bucket) => [bucket.start, bucket]));
    const result: MinuteFigures[] = [];
    for (let index = FIGURE_MINUTES - 1; index >= 0; index -= 1) {
      const start = currentStart - index * MINUTE_MS;
      const bucket = byStart.get(start);
      result.push({
        start,
        logins: bucket?.logins ?? 0,
        failures: bucket?.failures ?? 0,
        revocations: bucket?.revocations ?? 0,
        checks: bucket?.checks ?? 0,
      });
    }
    return result;
  }

  /** The 99th percentile of session-check durations over the last `minutes` minutes (ms). */
  sessionCheckP99(minutes = 5): number | undefined {
    const since = minuteOf(this.now()) - (minutes - 1) * MINUTE_MS;
    const samples = this.buckets
      .filter((bucket) => bucket.start >= since)
      .flatMap((bucket) => bucket.samples)
      .sort((a, b) => a - b);
    if (samples.length === 0) return undefined;
    return samples[Math.min(samples.length - 1, Math.ceil(samples.length * 0.99) - 1)];
  }

  private current(): Bucket {
    const start = minuteOf(this.now());
    const last = this.buckets.at(-1);
    if (last?.start === start) return last;
    const bucket: Bucket = {
      start,
      logins: 0,
      failures: 0,
      revocations: 0,
      checks: 0,
      samples: [],
    };
    this.buckets.push(bucket);
    const oldest = start - (FIGURE_MINUTES - 1) * MINUTE_MS;
    while ((this.buckets[0]?.start ?? oldest) < oldest) this.buckets.shift();
    return bucket;
  }
}

function minuteOf(ms: number): number {
  return Math.floor(ms / MINUTE_MS) * MINUTE_MS;
}

// One ring per core: the page routes find it from the core they are given.
const rings = new WeakMap<Core, AdminFigures>();

/** The figures kept for `core` (created on first use). */
export function adminFigures(core: Core): AdminFigures {
  let figures = rings.get(core);
  if (figures === undefined) {
    figures = new AdminFigures(() => core.deps.clock.now());
    rings.set(core, figures);
  }
  return figures;
}

/**
 * Feeds the ring: sign-in answers and session checks from every response of `app`, revocations
 * from the core as they are recorded here.
 */
export function installAdminFigures(app: FastifyInstance, core: Core): void {
  const figures = adminFigures(core);
  core.revocations.subscribe(() => figures.revocation());
  // The error code of a refused sign-in, when a route threw one (the status alone cannot tell
  // a disabled account's 403 from a foreign form's).
  const codes = new WeakMap<FastifyRequest, string>();
  app.addHook('onError', async (request, _reply, error) => {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string') codes.set(request, code);
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = `${request.method} ${request.routeOptions.url ?? ''}`;
    if (route === SESSION_CHECK_ROUTE) figures.sessionCheck(reply.elapsedTime);
    else if (LOGIN_ROUTES.has(route)) {
      const status = reply.statusCode;
      // Wrong credentials (401), the rate limit (429) and an account that may not sign in are
      // failed sign-ins; a refused form (400 bad input, 403 a foreign origin) never reached
      // the credentials check.
      if (status < 400) figures.login(true);
      else if (status === 401 || status === 429 || REFUSED_ACCOUNTS.has(codes.get(request) ?? '')) {
        figures.login(false);
      }
    }
  });
}
