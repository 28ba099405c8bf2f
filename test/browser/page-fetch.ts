/** fetch() run inside a page, as the page's own script would run it, with bounded waits. */
import assert from 'node:assert/strict';
import { BROWSER_TIMEOUT_MS } from './chromium.js';
import type { Page } from 'playwright-core';

/** What a fetch() in a page ended with: a response, or the error the page saw. */
export type Outcome =
  { ok: true; status: number; type: string; body: string } | { ok: false; error: string };

/** The serializable part of RequestInit that tests use. */
export interface FetchInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  mode?: 'cors' | 'no-cors' | 'same-origin';
  credentials?: 'include' | 'same-origin' | 'omit';
}

/** Runs fetch() inside `page`, as the page's own script would; bounded by a timeout. */
export function fetchIn(page: Page, url: string, init: FetchInit = {}): Promise<Outcome> {
  return page.evaluate(
    async ({ url, init, timeout }) => {
      try {
        const response = await fetch(url, {
          ...(init as RequestInit),
          signal: AbortSignal.timeout(timeout),
        });
        return {
          ok: true as const,
          status: response.status,
          type: response.type,
          body: await response.text(),
        };
      } catch (error) {
        return { ok: false as const, error: String(error) };
      }
    },
    { url, init, timeout: BROWSER_TIMEOUT_MS },
  );
}

/** A same-origin JSON call from a page on Tessera's origin. */
export function callJson(
  page: Page,
  method: string,
  path: string,
  body?: unknown,
  csrfToken?: string,
) {
  // Content-Type only with a body: Fastify refuses an empty body declared as JSON.
  const headers: Record<string, string> =
    body === undefined ? {} : { 'content-type': 'application/json' };
  if (csrfToken !== undefined) headers['x-csrf-token'] = csrfToken;
  return fetchIn(page, path, {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

/** Asserts that the fetch got an answer with `status`, and returns its body. */
export function expectResponse(outcome: Outcome, status: number): string {
  assert.ok(outcome.ok, `expected a response, got ${outcome.ok ? '' : outcome.error}`);
  assert.equal(outcome.status, status, outcome.body);
  return outcome.body;
}
