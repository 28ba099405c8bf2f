import type { Kysely, Migration } from 'kysely';

/**
 * The hash of the secret every refresh token of a family carries, so a token of any earlier
 * generation is recognised as a replay (core/oauth/refresh-token.ts); nullable, since families
 * started before have none until their next rotation. It is only read by family id: no index.
 * And whether the last rotation was a concurrent refresh inside the grace window, which tells a
 * straggler of that race from a replay.
 */
export const refreshFamilySecret: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .alterTable('refresh_families')
      .addColumn('family_secret_hash', 'text')
      .execute();
    await db.schema
      .alterTable('refresh_families')
      .addColumn('rotated_in_grace', 'integer', (column) => column.notNull().defaultTo(0))
      .execute();
  },

  async down(db: Kysely<unknown>) {
    await db.schema.alterTable('refresh_families').dropColumn('rotated_in_grace').execute();
    await db.schema.alterTable('refresh_families').dropColumn('family_secret_hash').execute();
  },
};
