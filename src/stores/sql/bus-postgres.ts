/**
 * The event bus of instances sharing one PostgreSQL database, without Redis: LISTEN/NOTIFY.
 *
 * Every message of one deployment goes through one PostgreSQL channel named after its schema
 * (NOTIFY reaches every session of the database, so two deployments in two schemas must not
 * share it), as JSON `{c: <bus channel>, m: <message>}`. NOTIFY is sent through the pool;
 * LISTEN needs a session that stays, so the bus opens one `pg` client of its own, on the first
 * subscription only (a CLI command that just publishes never opens it).
 *
 * It reports 'down' as soon as that client fails or ends, and 'up' only after a new one has
 * confirmed LISTEN: notifications sent in between are lost, and callers that keep a cache fresh
 * by them stop trusting it meanwhile. It redials with a doubling backoff, and a heartbeat query
 * notices a link that died without closing.
 */
import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import { BusFanout, parse, serialize } from './bus-fanout.js';
import type { Database } from './database.js';
import type { BusHandler, BusStatus, EventBus } from '../ports.js';

/** Where and how the LISTEN session connects. */
export interface PostgresBusOptions {
  /** The same connection URL as the pool's. */
  url: string;
  /** Tells deployments in one database apart: the schema the tables are in. */
  namespace: string;
  /** How long one connection attempt may take (default 5000 ms). */
  connectTimeoutMs?: number;
  /** How often the LISTEN session is checked (default 1000 ms); it must answer within as long. */
  heartbeatMs?: number;
  /** The first and the longest pause before redialling (default 100 ms and 5000 ms). */
  backoff?: { initialMs?: number; maxMs?: number };
}

/**
 * What `pg_stat_activity` shows for the LISTEN session of a namespace, so operators (and tests)
 * can tell it from the pool's `tessera` sessions; cut to PostgreSQL's 63 bytes.
 */
export function listenApplicationName(namespace: string): string {
  return Buffer.from(`tessera-bus:${namespace}`).subarray(0, 63).toString();
}

// NAMEDATALEN - 1: PostgreSQL truncates longer identifiers, which could merge two channels.
const MAX_CHANNEL_BYTES = 63;

/** The PostgreSQL channel of a namespace: readable when it fits, a digest when it does not. */
export function postgresChannel(namespace: string): string {
  const readable = `tessera:${namespace}`;
  if (Buffer.byteLength(readable) <= MAX_CHANNEL_BYTES) return readable;
  return `tessera:${createHash('sha256').update(namespace).digest('hex').slice(0, 40)}`;
}

/** An identifier quoted for SQL: LISTEN takes a name, not a parameter. */
function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** An EventBus over PostgreSQL LISTEN/NOTIFY. */
export class PostgresEventBus implements EventBus {
  readonly #fanout = new BusFanout();
  readonly #channel: string;
  readonly #heartbeatMs: number;
  readonly #initialMs: number;
  readonly #maxMs: number;
  #client: pg.Client | undefined;
  // Bumped for every new LISTEN session and on close, so a late event of an old one is ignored.
  #generation = 0;
  #delayMs: number;
  #started: Promise<void> | undefined;
  #retry: NodeJS.Timeout | undefined;
  #heartbeat: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly options: PostgresBusOptions,
  ) {
    this.#channel = postgresChannel(options.namespace);
    this.#heartbeatMs = options.heartbeatMs ?? 1000;
    this.#initialMs = options.backoff?.initialMs ?? 100;
    this.#maxMs = options.backoff?.maxMs ?? 5000;
    this.#delayMs = this.#initialMs;
  }

  get connected(): boolean {
    return this.#fanout.up;
  }

  async publish(channel: string, message: object): Promise<void> {
    const payload = serialize({ c: channel, m: message });
    await sql`select pg_notify(${this.#channel}, ${payload})`.execute(this.db);
  }

  async subscribe(channel: string, handler: BusHandler): Promise<() => Promise<void>> {
    const remove = this.#fanout.add(channel, handler);
    // One LISTEN carries every bus channel: only the first subscription has to wait for it.
    if (!this.#started) {
      this.#heartbeat = setInterval(() => void this.beat(), this.#heartbeatMs);
      this.#heartbeat.unref();
      this.#started = this.listen();
    }
    await this.#started;
    return () => Promise.resolve(remove());
  }

  onStatus(listener: (status: BusStatus) => void): () => void {
    return this.#fanout.onStatus(listener);
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#generation += 1;
    clearInterval(this.#heartbeat);
    clearTimeout(this.#retry);
    this.#fanout.setUp(false);
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => {});
  }

  // Opens a LISTEN session; on failure reports 'down' and tries again after the backoff.
  private async listen(): Promise<void> {
    if (this.#closed) return;
    const generation = ++this.#generation;
    const client = new pg.Client({
      connectionString: this.options.url,
      connectionTimeoutMillis: this.options.connectTimeoutMs ?? 5000,
      application_name: listenApplicationName(this.options.namespace),
    });
    this.#client = client;
    // Without a listener an error of an idle client would crash the process.
    client.on('error', () => this.lost(generation));
    client.on('end', () => this.lost(generation));
    client.on('notification', ({ channel, payload }) => {
      if (generation === this.#generation && channel === this.#channel) this.receive(payload);
    });
    try {
      await client.connect();
      await client.query(`listen ${quoteIdentifier(this.#channel)}`);
    } catch {
      this.lost(generation);
      return;
    }
    if (generation !== this.#generation || this.#closed) return;
    this.#delayMs = this.#initialMs;
    this.#fanout.setUp(true);
  }

  // Once per session: report 'down', drop the client, and dial again after the backoff.
  private lost(generation: number): void {
    if (generation !== this.#generation || this.#closed) return;
    this.#generation += 1;
    this.#fanout.setUp(false);
    const client = this.#client;
    this.#client = undefined;
    void client?.end().catch(() => {});
    const delay = this.#delayMs;
    this.#delayMs = Math.min(this.#delayMs * 2, this.#maxMs);
    this.#retry = setTimeout(() => void this.listen(), delay);
    this.#retry.unref();
  }

  // A link that died without closing (a partition) answers nothing: no answer within a
  // heartbeat and the session counts as lost.
  private async beat(): Promise<void> {
    const client = this.#client;
    if (!client || !this.#fanout.up) return;
    const generation = this.#generation;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        client.query('select 1'),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('no answer')), this.#heartbeatMs);
        }),
      ]);
    } catch {
      this.lost(generation);
    } finally {
      clearTimeout(timer);
    }
  }

  private receive(payload: string | undefined): void {
    const envelope = parse(payload ?? '') as { c?: unknown; m?: unknown } | undefined;
    if (typeof envelope?.c !== 'string') return;
    this.#fanout.deliver(envelope.c, envelope.m);
  }
}
