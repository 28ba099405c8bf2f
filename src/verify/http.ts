/**
 * The few HTTP needs of the verifier: a bounded request through the injected `fetch`, and the
 * `client_secret_basic` header of a confidential client.
 */
import { TesseraError, type ErrorCode } from '../core/errors.js';

/** The `fetch` the toolkit calls; injectable for tests, proxies and instrumentation. */
export type Fetch = typeof fetch;

/** Default deadline of one request (not of a stream, which lives as long as it is healthy). */
export const defaultRequestTimeoutMs = 5_000;

/** A confidential client's credentials. */
export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
}

/**
 * RFC 6749 §2.3.1: id and secret are form-urlencoded before they are joined and base64-encoded,
 * so a colon or a non-ASCII character in either survives the trip.
 */
export function basicAuthorization({ clientId, clientSecret }: ClientCredentials): string {
  const pair = `${formEncode(clientId)}:${formEncode(clientSecret)}`;
  return `Basic ${Buffer.from(pair, 'utf8').toString('base64')}`;
}

function formEncode(value: string): string {
  return encodeURIComponent(value).replaceAll('%20', '+');
}

/**
 * GETs or POSTs `url` and parses a JSON object from a 2xx answer. Every failure — network,
 * timeout, status, body — becomes a TesseraError with `code`, and the message never carries a
 * response body (it could hold anything).
 */
export async function requestJson(
  fetchImpl: Fetch,
  url: string,
  init: RequestInit,
  timeoutMs: number,
  code: ErrorCode,
): Promise<Record<string, unknown>> {
  let response: Response;
  try {
    response = await fetchImpl(url, {
      ...init,
      redirect: 'error',
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    throw new TesseraError(code, `${url} could not be fetched (${errorSummary(error)})`);
  }
  if (!response.ok) {
    await response.body?.cancel().catch(() => undefined);
    throw new HttpStatusError(code, url, response.status);
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    throw new TesseraError(code, `${url} did not answer with JSON`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new TesseraError(code, `${url} did not answer with a JSON object`);
  }
  return body as Record<string, unknown>;
}

/** A non-2xx answer; the status is kept so callers can tell refused credentials from outages. */
export class HttpStatusError extends TesseraError {
  constructor(
    code: ErrorCode,
    url: string,
    readonly httpStatus: number,
  ) {
    super(code, `${url} answered ${httpStatus}`);
  }
}

/** A short, safe description of a thrown value (no stack, no body). */
export function errorSummary(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    const detail = cause instanceof Error ? `: ${cause.message}` : '';
    return `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}${detail}`;
  }
  return String(error);
}
