import type { Kysely, Migration } from 'kysely';
import type { SqlCapabilities } from '../dialects/capabilities.js';

/**
 * Account administration and the audit log (Step 8): users get a role, a disabled time and an
 * email-verified time (existing users: role 'user', enabled, unverified), and their email column
 * byte-order comparison so the admin console's prefix search and paging by email run on the
 * unique email index in both dialects. Two tables: audit_events, read newest first overall, by
 * subject and by actor; and one_time_tokens, one live token per user and purpose.
 */
export function accountsAudit(dialect: SqlCapabilities): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .alterTable('users')
        .addColumn('role', 'text', (column) => column.notNull().defaultTo('user'))
        .execute();
      await db.schema.alterTable('users').addColumn('disabled_at', 'bigint').execute();
      await db.schema.alterTable('users').addColumn('email_verified_at', 'bigint').execute();
      await dialect.makeBinaryText(db, 'users', 'email');

      await db.schema
        .createTable('audit_events')
        .addColumn('id', 'text', (column) => dialect.binaryText(column).primaryKey())
        .addColumn('at', 'bigint', (column) => column.notNull())
        .addColumn('kind', 'text', (column) => column.notNull())
        .addColumn('actor_id', 'text')
        .addColumn('subject_id', 'text')
        .addColumn('ip', 'text')
        .addColumn('user_agent', 'text')
        .addColumn('request_id', 'text')
        .addColumn('reason', 'text')
        .addColumn('details', 'text', (column) => column.notNull().defaultTo('{}'))
        .execute();
      // Each page is a backward scan of one of these from the (at, id) cursor: newest first
      // overall (and deleteBefore's range), for one subject, for one actor.
      await db.schema
        .createIndex('audit_events_at_idx')
        .on('audit_events')
        .columns(['at', 'id'])
        .execute();
      await db.schema
        .createIndex('audit_events_subject_idx')
        .on('audit_events')
        .columns(['subject_id', 'at', 'id'])
        .execute();
      await db.schema
        .createIndex('audit_events_actor_idx')
        .on('audit_events')
        .columns(['actor_id', 'at', 'id'])
        .execute();

      await db.schema
        .createTable('one_time_tokens')
        .addColumn('hash', 'text', (column) => column.primaryKey())
        .addColumn('user_id', 'text', (column) => column.notNull())
        .addColumn('purpose', 'text', (column) => column.notNull())
        .addColumn('created_at', 'bigint', (column) => column.notNull())
        .addColumn('expires_at', 'bigint', (column) => column.notNull())
        .execute();
      // The index, not a delete before the insert, keeps one live link per user and purpose.
      await db.schema
        .createIndex('one_time_tokens_user_purpose_key')
        .on('one_time_tokens')
        .columns(['user_id', 'purpose'])
        .unique()
        .execute();
      await db.schema
        .createIndex('one_time_tokens_expires_at_idx')
        .on('one_time_tokens')
        .column('expires_at')
        .execute();
    },

    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('one_time_tokens').execute();
      await db.schema.dropTable('audit_events').execute();
      await db.schema.alterTable('users').dropColumn('email_verified_at').execute();
      await db.schema.alterTable('users').dropColumn('disabled_at').execute();
      await db.schema.alterTable('users').dropColumn('role').execute();
    },
  };
}
