/**
 * What the SQL event buses share: the handlers of each channel, the status listeners, and the
 * checks on what a message may be. The transport (NOTIFY, a table) is each adapter's own.
 */
import { TesseraError } from '../../core/errors.js';
import type { BusHandler, BusStatus } from '../ports.js';

/**
 * The largest serialized message, in bytes. PostgreSQL refuses NOTIFY payloads of 8000 bytes
 * or more; the SQLite bus keeps the same bound so a message that works on one works on both.
 */
export const MAX_MESSAGE_BYTES = 7900;

/** A message as JSON, refused (a bug of the caller, never user input) when it is too large. */
export function serialize(message: object): string {
  const json = JSON.stringify(message);
  if (Buffer.byteLength(json) > MAX_MESSAGE_BYTES) {
    throw new TesseraError('internal', `a bus message must stay under ${MAX_MESSAGE_BYTES} bytes`);
  }
  return json;
}

/** JSON text parsed, or undefined for anything else (not from Tessera: every publish sends JSON). */
export function parse(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return undefined;
  }
}

/** Handlers per channel and status listeners, each called in isolation from the others. */
export class BusFanout {
  #up = false;
  readonly #channels = new Map<string, Set<{ handler: BusHandler }>>();
  readonly #listeners = new Set<(status: BusStatus) => void>();

  get up(): boolean {
    return this.#up;
  }

  /** Whether any handler listens on any channel. */
  get listening(): boolean {
    return this.#channels.size > 0;
  }

  /** Adds `handler` to `channel`; returns the function that removes it. */
  add(channel: string, handler: BusHandler): () => void {
    const entry = { handler };
    let handlers = this.#channels.get(channel);
    if (!handlers) {
      handlers = new Set();
      this.#channels.set(channel, handlers);
    }
    handlers.add(entry);
    return () => {
      const current = this.#channels.get(channel);
      if (current?.delete(entry) && current.size === 0) this.#channels.delete(channel);
    };
  }

  /** Delivers a parsed message to the handlers of `channel`. */
  deliver(channel: string, message: unknown): void {
    const handlers = this.#channels.get(channel);
    if (!handlers || message === undefined) return;
    for (const { handler } of [...handlers]) {
      try {
        handler(message);
      } catch {
        // One failing handler must not keep the message from the others.
      }
    }
  }

  onStatus(listener: (status: BusStatus) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Records the status and tells the listeners when it changed. */
  setUp(up: boolean): void {
    if (this.#up === up) return;
    this.#up = up;
    for (const listener of [...this.#listeners]) {
      try {
        listener(up ? 'up' : 'down');
      } catch {
        // A failing listener must not keep the news from the others.
      }
    }
  }
}
