/**
 * The client of Tessera's revocation feed (`GET /auth/revocations`, API.md "Revocation feed"):
 * a JSON snapshot to catch up, then the SSE stream over fetch, resumed with `Last-Event-ID`
 * after every reconnect. The snapshot on each (re)connect is what tells the verifier it is
 * current again at once — the stream alone only says so at its next heartbeat — and since the
 * stream resumes from the snapshot's last id, no event falls between the two.
 */
import { TesseraError } from '../core/errors.js';
import { Backoff, sleep, type BackoffOptions } from './backoff.js';
import { parseFeedEvent, toRevocation } from './feed-event.js';
import {
  basicAuthorization,
  errorSummary,
  HttpStatusError,
  requestJson,
  type ClientCredentials,
  type Fetch,
} from './http.js';
import { SseParser, type SseMessage } from './sse-parser.js';
import type { RevocationSource } from './revocation-source.js';
import type { RevocationState } from './revocation-state.js';

/** Default: a stream silent for this long is presumed dead (the server beats every 5 s). */
export const defaultFeedIdleTimeoutMs = 15_000;

/** How the feed client reaches the feed. */
export interface FeedClientOptions {
  /** `${issuer}/auth/revocations`. */
  url: string;
  credentials: ClientCredentials;
  fetch: Fetch;
  /** Deadline of the snapshot request and of the stream's response headers. */
  timeoutMs: number;
  idleTimeoutMs: number;
  backoff: BackoffOptions;
  state: RevocationState;
}

/** Reads the SSE revocation feed into a RevocationState. */
export class FeedClient implements RevocationSource {
  readonly kind = 'feed';
  lastAliveMonotonicMs: number | undefined;
  position: string | undefined;
  connected = false;
  reconnects = 0;
  lastError: string | undefined;
  private readonly stopped = new AbortController();
  private readonly backoff: Backoff;
  private readonly authorization: string;
  private loop: Promise<void> | undefined;

  constructor(private readonly options: FeedClientOptions) {
    this.backoff = new Backoff(options.backoff);
    this.authorization = basicAuthorization(options.credentials);
  }

  async start(): Promise<void> {
    try {
      await this.snapshot();
    } catch (error) {
      this.lastError = errorSummary(error);
      const refused = error instanceof HttpStatusError && [401, 403].includes(error.httpStatus);
      throw new TesseraError(
        refused ? 'invalid_config' : 'revocation_unavailable',
        refused
          ? `the revocation feed refused the client (${error.httpStatus}); it needs the scope tessera:revocations`
          : `the revocation feed could not be read (${this.lastError})`,
      );
    }
    this.loop = this.run();
  }

  async close(): Promise<void> {
    this.stopped.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    let caughtUp = true; // start() has just taken a snapshot
    while (!this.stopped.signal.aborted) {
      try {
        if (!caughtUp) await this.snapshot();
        await this.stream();
        this.lastError = 'the feed stream ended';
      } catch (error) {
        if (this.stopped.signal.aborted) break;
        this.lastError = errorSummary(error);
      }
      this.connected = false;
      caughtUp = false;
      await sleep(this.backoff.next(), this.stopped.signal);
      if (!this.stopped.signal.aborted) this.reconnects += 1;
    }
  }

  /** Applies every live event after `position` and proves the state current as of the request. */
  private async snapshot(): Promise<void> {
    const asked = performance.now();
    const body = await requestJson(
      this.options.fetch,
      this.options.url,
      { method: 'GET', headers: this.headers('application/json') },
      this.options.timeoutMs,
      'revocation_unavailable',
    );
    const { events, lastEventId } = body;
    if (!Array.isArray(events) || typeof lastEventId !== 'string' || !/^\d+$/.test(lastEventId)) {
      throw new TesseraError('revocation_unavailable', 'the feed snapshot is malformed');
    }
    for (const event of events as unknown[]) this.options.state.apply(toRevocation(event));
    this.position = lastEventId;
    this.lastAliveMonotonicMs = asked;
  }

  /** Reads the event stream until it ends, fails, goes silent or the client is closed. */
  private async stream(): Promise<void> {
    const abort = new AbortController();
    const stop = () => abort.abort();
    this.stopped.signal.addEventListener('abort', stop, { once: true });
    const headersDue = setTimeout(
      () => abort.abort(new Error('the feed did not answer in time')),
      this.options.timeoutMs,
    );
    let lastByte = performance.now();
    const { idleTimeoutMs } = this.options;
    const watchdog = setInterval(
      () => {
        if (performance.now() - lastByte > idleTimeoutMs) {
          abort.abort(new Error(`the feed was silent for more than ${idleTimeoutMs} ms`));
        }
      },
      Math.max(50, Math.min(1_000, idleTimeoutMs / 4)),
    );
    watchdog.unref();
    headersDue.unref();
    try {
      const response = await this.options.fetch(this.options.url, {
        method: 'GET',
        headers: { ...this.headers('text/event-stream'), 'cache-control': 'no-cache' },
        redirect: 'error',
        signal: abort.signal,
      });
      clearTimeout(headersDue);
      const type = response.headers.get('content-type') ?? '';
      if (!response.ok || !type.startsWith('text/event-stream') || response.body === null) {
        await response.body?.cancel().catch(() => undefined);
        throw new HttpStatusError('revocation_unavailable', this.options.url, response.status);
      }
      this.connected = true;
      lastByte = performance.now();
      const parser = new SseParser();
      const reader = response.body.getReader();
      try {
        for (;;) {
          const { done, value } = await untilAborted(reader.read(), abort.signal);
          if (done) return;
          lastByte = performance.now();
          for (const message of parser.push(value)) this.handle(message);
        }
      } finally {
        reader.cancel().catch(() => undefined);
      }
    } finally {
      clearTimeout(headersDue);
      clearInterval(watchdog);
      this.stopped.signal.removeEventListener('abort', stop);
      this.connected = false;
    }
  }

  private handle(message: SseMessage): void {
    if (message.event === 'revocation') {
      const revocation = parseFeedEvent(message.data);
      this.options.state.apply(revocation);
      this.position = message.id ?? String(revocation.seq);
      this.lastAliveMonotonicMs = performance.now();
      this.backoff.reset();
    } else if (message.event === 'heartbeat') {
      this.lastAliveMonotonicMs = performance.now();
      this.backoff.reset();
    }
  }

  private headers(accept: string): Record<string, string> {
    return {
      accept,
      authorization: this.authorization,
      ...(this.position === undefined ? {} : { 'last-event-id': this.position }),
    };
  }
}

/**
 * `promise`, or a rejection as soon as `signal` aborts. An aborted fetch does not always settle a
 * body read that is already pending, so the read is not trusted to end on its own.
 */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error as Error);
      },
    );
  });
}
