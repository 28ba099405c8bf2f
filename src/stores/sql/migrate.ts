import { Migrator, type Kysely, type Migration } from 'kysely';
import type { Database } from './database.js';
import type { SqlCapabilities } from './dialects/capabilities.js';
import { initial } from './migrations/0001_initial.js';
import { tokenTables } from './migrations/0002_tokens.js';
import { refreshFamilySecret } from './migrations/0003_refresh_family_secret.js';
import { keySchedule } from './migrations/0004_key_schedule.js';
import { bus } from './migrations/0005_bus.js';
import { clientGrants } from './migrations/0006_client_grants.js';
import { authorizationCodeFlow } from './migrations/0007_authorization_code_flow.js';
import { accountsAudit } from './migrations/0008_accounts_audit.js';

// Listed in code rather than read from a folder, so the migrations ship inside dist/ and run
// from any working directory. Names sort in the order they must run.
function migrations(dialect: SqlCapabilities): Record<string, Migration> {
  return {
    '0001_initial': initial,
    '0002_tokens': tokenTables(dialect),
    '0003_refresh_family_secret': refreshFamilySecret,
    '0004_key_schedule': keySchedule(dialect),
    '0005_bus': bus(dialect),
    '0006_client_grants': clientGrants,
    '0007_authorization_code_flow': authorizationCodeFlow,
    '0008_accounts_audit': accountsAudit(dialect),
  };
}

/**
 * Brings the schema to the latest migration. `schema` (PostgreSQL) names where Kysely keeps its
 * bookkeeping tables: without it Kysely would find them in any schema and skip creating its own.
 */
export async function migrateToLatest(
  db: Kysely<Database>,
  dialect: SqlCapabilities,
  schema?: string,
): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations(dialect) },
    ...(schema === undefined ? {} : { migrationTableSchema: schema }),
  });
  const { error } = await migrator.migrateToLatest();
  if (error !== undefined) {
    throw error instanceof Error ? error : new Error('migration failed', { cause: error });
  }
}
