/**
 * HTTP against running instances, as a browser and as an app would talk to them, with every
 * request bounded in time. A request that gets no answer is status 0, not an exception, so a
 * test can state what it expects of it.
 */
import { randomBytes } from 'node:crypto';

/** The one service the instances form; every instance runs with it as TESSERA_ISSUER. */
export const ISSUER = 'http://tessera.test';
/** The Origin a browser on the dashboard sends. */
export const ORIGIN = ISSUER;
/** The session cookie's name when the issuer is http (no __Host- prefix). */
const SESSION_COOKIE = 'tessera_session';
/** The built-in first-party public client (the client_id of tokens from /auth/token). */
export const FIRST_PARTY_CLIENT = 'tessera';

/** What came back: status 0 when nothing did (refused, reset, timed out). */
export interface Answer {
  status: number;
  headers: Headers;
  body: unknown;
  /** Why nothing came back, when status is 0. */
  error?: string;
}

/** How to send one request. */
export interface Send {
  method?: string;
  json?: unknown;
  form?: Record<string, string>;
  cookie?: string;
  csrf?: string;
  bearer?: string;
  origin?: string;
  timeoutMs?: number;
}

/** Sends one request to `base + path`. */
export async function call(base: string, path: string, send: Send = {}): Promise<Answer> {
  const headers: Record<string, string> = {};
  let body: string | undefined;
  if (send.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(send.json);
  } else if (send.form !== undefined) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(send.form).toString();
  }
  if (send.cookie !== undefined) headers.cookie = send.cookie;
  if (send.csrf !== undefined) headers['x-csrf-token'] = send.csrf;
  if (send.bearer !== undefined) headers.authorization = `Bearer ${send.bearer}`;
  if (send.origin !== undefined) headers.origin = send.origin;
  try {
    const response = await fetch(base + path, {
      method: send.method ?? (body === undefined ? 'GET' : 'POST'),
      headers,
      ...(body === undefined ? {} : { body }),
      signal: AbortSignal.timeout(send.timeoutMs ?? 5000),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      // Not JSON (metrics): keep the text.
    }
    return { status: response.status, headers: response.headers, body: parsed };
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const reason = cause?.code ?? cause?.message ?? (error as Error).name;
    return { status: 0, headers: new Headers(), body: undefined, error: reason };
  }
}

/** A readable summary of an answer, for assertion messages. */
export function show(answer: Answer): string {
  return answer.status === 0
    ? `no answer (${answer.error ?? '?'})`
    : `${answer.status} ${JSON.stringify(answer.body)}`;
}

/** A fresh email address no other run uses. */
export function newEmail(tag = 'user'): string {
  return `${tag}-${randomBytes(6).toString('hex')}@example.com`;
}

/** A password the policy accepts. */
export function newPassword(): string {
  return `correct horse ${randomBytes(8).toString('hex')} staple`;
}

/** A browser's session: the cookie header and the CSRF token that goes with it. */
export interface BrowserSession {
  cookie: string;
  csrf: string;
  /** The public handle of the session (for DELETE /auth/sessions/{id}). */
  id: string;
}

/** The session cookie set by `answer`, as a Cookie header; undefined when none was set. */
export function sessionCookie(answer: Answer): string | undefined {
  for (const line of answer.headers.getSetCookie()) {
    const [pair = ''] = line.split(';');
    const [name, value] = pair.split('=');
    if (name === SESSION_COOKIE && value) return `${name}=${value}`;
  }
  return undefined;
}

function field<T>(value: unknown, ...path: string[]): T {
  let current = value;
  for (const key of path) current = (current as Record<string, unknown> | undefined)?.[key];
  return current as T;
}

/** Signs up; throws unless the answer is 201. */
export async function signup(base: string, email: string, password: string): Promise<void> {
  const answer = await call(base, '/auth/signup', { json: { email, password }, origin: ORIGIN });
  if (answer.status !== 201) throw new Error(`signup: ${show(answer)}`);
}

/** Signs up a new account on `base`. */
export async function newAccount(base: string): Promise<{ email: string; password: string }> {
  const account = { email: newEmail(), password: newPassword() };
  await signup(base, account.email, account.password);
  return account;
}

/** Logs in for a session cookie; throws unless the answer is 200. */
export async function login(
  base: string,
  email: string,
  password: string,
): Promise<BrowserSession> {
  const answer = await call(base, '/auth/session', { json: { email, password }, origin: ORIGIN });
  const cookie = sessionCookie(answer);
  if (answer.status !== 200 || cookie === undefined) throw new Error(`login: ${show(answer)}`);
  return {
    cookie,
    csrf: field<string>(answer.body, 'csrfToken'),
    id: field<string>(answer.body, 'session', 'id'),
  };
}

/** An app's tokens from /auth/token with the refresh token in the body. */
export interface AppTokens {
  access: string;
  refresh: string;
}

/** Logs in for tokens; throws unless the answer is 200. */
export async function tokenLogin(
  base: string,
  email: string,
  password: string,
): Promise<AppTokens> {
  const answer = await call(base, '/auth/token', { json: { email, password, refresh: 'body' } });
  if (answer.status !== 200) throw new Error(`token login: ${show(answer)}`);
  return {
    access: field<string>(answer.body, 'access_token'),
    refresh: field<string>(answer.body, 'refresh_token'),
  };
}

/** The status of GET /auth/session with `session`'s cookie. */
export async function sessionStatus(base: string, session: BrowserSession): Promise<number> {
  return (await call(base, '/auth/session', { cookie: session.cookie })).status;
}

/** The status of GET /auth/me with a bearer token. */
export async function bearerStatus(base: string, token: string): Promise<number> {
  return (await call(base, '/auth/me', { bearer: token })).status;
}

/** A cookie-authenticated unsafe request, with the Origin and CSRF token a browser page sends. */
export function asBrowser(session: BrowserSession, send: Send = {}): Send {
  return { ...send, cookie: session.cookie, csrf: session.csrf, origin: ORIGIN };
}

/** The `kid` in a JWT's header. */
export function kidOf(token: string): string {
  const [header = ''] = token.split('.');
  return field<string>(JSON.parse(Buffer.from(header, 'base64url').toString()), 'kid');
}

/** The kids a JWKS answer lists. */
export function kidsOf(answer: Answer): string[] {
  return (field<{ kid: string }[] | undefined>(answer.body, 'keys') ?? []).map((key) => key.kid);
}

/** A gauge or counter from Prometheus text (the sum over its label sets). */
export async function metric(base: string, name: string): Promise<number> {
  const answer = await call(base, '/metrics');
  const text = typeof answer.body === 'string' ? answer.body : '';
  let sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name} `) || line.startsWith(`${name}{`)) {
      sum += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return sum;
}
