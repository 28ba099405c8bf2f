import { sql } from 'kysely';
import type { EventBus, Stores } from '../ports.js';
import { openDatabase, databaseUnavailable, type SqlStoreOptions } from './connect.js';
import { createSqlAuditStore } from './audit.js';
import { createSqlAuthorizationCodeStore } from './authorization-codes.js';
import { createSqlClientStore } from './clients.js';
import { createSqlConsentStore } from './consents.js';
import { migrateToLatest } from './migrate.js';
import { createSqlOneTimeTokenStore } from './one-time-tokens.js';
import { createSqlRateLimitStore } from './rate-limits.js';
import { createSqlRefreshFamilyStore } from './refresh-families.js';
import { createSqlRevocationStore } from './revocations.js';
import { createSqlSessionStore } from './sessions.js';
import { createSqlSigningKeyStore } from './signing-keys.js';
import { createSqlUserStore } from './users.js';

export type { SqlStoreOptions } from './connect.js';

/** The SQL stores and the event bus between the processes that share the database. */
export interface SqlStores extends Stores {
  /**
   * Opens nothing until its first subscription (a command that only publishes opens no
   * listener); closed with the stores.
   */
  bus: EventBus;
}

/** Every store over SQLite or PostgreSQL, migrated to the latest schema before it is returned. */
export async function createSqlStores(options: SqlStoreOptions): Promise<SqlStores> {
  const { db, dialect } = openDatabase(options);
  let schema: string | undefined;
  try {
    schema = await dialect.migrationSchema(db, options.schema);
    await migrateToLatest(db, dialect, schema);
  } catch (error) {
    // The migration error is the one worth reporting; a failure to close after it is not.
    await db.destroy().catch(() => {});
    throw error;
  }

  const bus = dialect.openBus(db, options, schema ?? '');
  return {
    bus,
    users: createSqlUserStore(db),
    sessions: createSqlSessionStore(db),
    rateLimits: createSqlRateLimitStore(db),
    signingKeys: createSqlSigningKeyStore(db, dialect),
    clients: createSqlClientStore(db),
    refreshFamilies: createSqlRefreshFamilyStore(db),
    revocations: createSqlRevocationStore(db, dialect),
    consents: createSqlConsentStore(db, dialect),
    authorizationCodes: createSqlAuthorizationCodeStore(db),
    audit: createSqlAuditStore(db),
    oneTimeTokens: createSqlOneTimeTokenStore(db),
    async ping() {
      try {
        await sql`select 1`.execute(db);
      } catch (cause) {
        throw databaseUnavailable(cause);
      }
    },
    async close() {
      await bus.close();
      await db.destroy();
    },
  };
}
