// better-auth over HTTP, for bench/routes.ts and routes-latency.ts (the load side): its server
// runs in its own process (bench/better-auth-target.ts), and this file loads nothing of
// better-auth, so the load side's process stays free of its AsyncLocalStorage.

/** The better-auth configurations served, by the path prefix of their routes. */
export const betterAuthConfigs = ['default', 'cached', 'short'] as const;
export type BetterAuthConfig = (typeof betterAuthConfigs)[number];

/** What bench/better-auth-target.ts prints once it serves. */
export interface BetterAuthChild {
  port: number;
  email: string;
  password: string;
  /** Seconds the cookie cache keeps a session: the throughput row's, the revocation row's. */
  maxAge: { cached: number; short: number };
}

/** Signs in by email through better-auth's HTTP endpoint; resolves with the Cookie header. */
export async function betterAuthSignIn(
  target: Pick<BetterAuthChild, 'port' | 'email' | 'password'>,
  config: BetterAuthConfig,
): Promise<string> {
  const basePath = config === 'default' ? '/api/auth' : `/api/auth-${config}`;
  const response = await fetch(`http://127.0.0.1:${target.port}${basePath}/sign-in/email`, {
    method: 'POST',
    // As a browser would: better-auth refuses a sign-in without an Origin.
    headers: { 'content-type': 'application/json', origin: `http://127.0.0.1:${target.port}` },
    body: JSON.stringify({ email: target.email, password: target.password }),
  });
  if (response.status !== 200) {
    throw new Error(
      `better-auth sign-in (${config}) answered ${response.status} ${await response.text()}`,
    );
  }
  return response.headers
    .getSetCookie()
    .map((cookie) => cookie.split(';')[0])
    .join('; ');
}

/** Signs the session of `cookie` out through better-auth's HTTP endpoint. */
export async function betterAuthSignOut(
  target: Pick<BetterAuthChild, 'port'>,
  config: BetterAuthConfig,
  cookie: string,
): Promise<void> {
  const basePath = config === 'default' ? '/api/auth' : `/api/auth-${config}`;
  const response = await fetch(`http://127.0.0.1:${target.port}${basePath}/sign-out`, {
    method: 'POST',
    headers: {
      cookie,
      'content-type': 'application/json',
      origin: `http://127.0.0.1:${target.port}`,
    },
    body: '{}',
  });
  await response.body?.cancel();
  if (response.status !== 200) {
    throw new Error(`better-auth sign-out (${config}) answered ${response.status}`);
  }
}
