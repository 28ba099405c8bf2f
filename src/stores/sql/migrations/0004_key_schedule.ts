import { sql, type Kysely, type Migration } from 'kysely';
import type { SqlCapabilities } from '../dialects/capabilities.js';

/**
 * Planned key rotation and key revocation: signing keys get `activates_at` and the state `next`
 * (at most one, like `active`), and revocations accept the kind `kid`. A dialect that can replace a
 * CHECK swaps the constraints in place; SQLite cannot alter a CHECK, so it rebuilds both tables.
 */
export function keySchedule({ replaceCheck }: SqlCapabilities): Migration {
  return {
    async up(db: Kysely<unknown>) {
      if (replaceCheck) await upInPlace(db, replaceCheck);
      else await upByRebuild(db);
      await db.schema
        .createIndex('signing_keys_one_next')
        .on('signing_keys')
        .column('state')
        .unique()
        .where(sql.ref('state'), '=', 'next')
        .execute();
    },

    async down(db: Kysely<unknown>) {
      // Down is for development databases: a pending key or a kid revocation is dropped.
      await db.schema.dropIndex('signing_keys_one_next').execute();
      await sql`delete from signing_keys where state = 'next'`.execute(db);
      await sql`delete from revocations where kind = 'kid'`.execute(db);
      await sql`alter table signing_keys drop column activates_at`.execute(db);
      if (replaceCheck) {
        await replaceCheck(db, 'signing_keys', 'state', sql`('active', 'verify-only', 'retired')`);
        await replaceCheck(db, 'revocations', 'kind', sql`('jti', 'sid', 'user')`);
      }
    },
  };
}

async function upInPlace(
  db: Kysely<unknown>,
  replaceCheck: NonNullable<SqlCapabilities['replaceCheck']>,
): Promise<void> {
  await sql`alter table signing_keys add column activates_at bigint`.execute(db);
  // A key stored before this migration started signing when it was made.
  await sql`update signing_keys set activates_at = created_at`.execute(db);
  await sql`alter table signing_keys alter column activates_at set not null`.execute(db);
  await replaceCheck(
    db,
    'signing_keys',
    'state',
    sql`('next', 'active', 'verify-only', 'retired')`,
  );
  await replaceCheck(db, 'revocations', 'kind', sql`('jti', 'sid', 'user', 'kid')`);
}

// SQLite's rebuild (its sqlite_sequence keeps the AUTOINCREMENT high-water mark).
async function upByRebuild(db: Kysely<unknown>): Promise<void> {
  await sql`create table signing_keys_new (
    kid text primary key,
    alg text not null,
    public_jwk text,
    private_key text not null,
    state text not null check (state in ('next', 'active', 'verify-only', 'retired')),
    created_at bigint not null,
    activates_at bigint not null,
    rotated_at bigint
  )`.execute(db);
  await sql`insert into signing_keys_new
    select kid, alg, public_jwk, private_key, state, created_at, created_at, rotated_at
    from signing_keys`.execute(db);
  await sql`drop table signing_keys`.execute(db);
  await sql`alter table signing_keys_new rename to signing_keys`.execute(db);
  await db.schema
    .createIndex('signing_keys_one_active')
    .on('signing_keys')
    .column('state')
    .unique()
    .where(sql.ref('state'), '=', 'active')
    .execute();

  // The sequence must survive the rebuild: a seq is never reused, even after a sweep.
  await sql`create table revocations_new (
    seq integer primary key autoincrement,
    kind text not null check (kind in ('jti', 'sid', 'user', 'kid')),
    value text not null,
    at bigint not null,
    expires_at bigint not null
  )`.execute(db);
  await sql`insert into revocations_new select seq, kind, value, at, expires_at from revocations`.execute(
    db,
  );
  const { rows } = await sql<{ last: number | null }>`select max(seq) as last from (
      select seq from sqlite_sequence where name = 'revocations'
      union all select max(seq) from revocations
    )`.execute(db);
  await sql`delete from sqlite_sequence where name = 'revocations_new'`.execute(db);
  await sql`insert into sqlite_sequence (name, seq) values ('revocations_new', ${rows[0]?.last ?? 0})`.execute(
    db,
  );
  await sql`drop table revocations`.execute(db);
  await sql`alter table revocations_new rename to revocations`.execute(db);
  await db.schema
    .createIndex('revocations_kind_value_idx')
    .on('revocations')
    .columns(['kind', 'value'])
    .execute();
  await db.schema
    .createIndex('revocations_expires_at_idx')
    .on('revocations')
    .column('expires_at')
    .execute();
}
