/**
 * Console accounts: users (email + scrypt password hash), their memberships in orgs with a role,
 * sessions (only the SHA-256 of the cookie value is stored), single-use link tokens (verify,
 * reset), invitations, the once-per-address free-credit claims and the server's HMAC secret.
 * See docs/accounts.md.
 */
import type { Kysely } from 'kysely';
import type { Dialect } from '../connect.ts';

export async function up(db: Kysely<any>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('users')
    .addColumn('id', 'text', (c) => c.primaryKey())
    /** Normalised address (unique): trimmed, lower-cased, gmail dots/+tags dropped. */
    .addColumn('email_norm', 'text', (c) => c.notNull().unique())
    /** The address as typed (trimmed): where mail goes. */
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('verified_at', 'bigint')
    .addColumn('operator', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('disabled_at', 'bigint')
    .execute();
  await db.schema.createIndex('users_created').on('users').columns(['created_at', 'id']).execute();

  await db.schema
    .createTable('memberships')
    .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    /** owner | admin | developer | billing | viewer */
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('memberships_pk', ['org_id', 'user_id'])
    .execute();
  await db.schema.createIndex('memberships_user').on('memberships').column('user_id').execute();

  await db.schema
    .createTable('sessions')
    /** SHA-256 (hex) of the cookie value. */
    .addColumn('id', 'text', (c) => c.primaryKey())
    /** Shown to the user (list / revoke one), never the cookie value. */
    .addColumn('public_id', 'text', (c) => c.notNull().unique())
    /** Null for an operator session opened with TOLLGATE_ADMIN_TOKEN. */
    .addColumn('user_id', 'text')
    .addColumn('operator', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('current_org_id', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('revoked_at', 'bigint')
    .addColumn('client_ip', 'text')
    .addColumn('user_agent', 'text')
    .execute();
  await db.schema.createIndex('sessions_user').on('sessions').column('user_id').execute();

  await db.schema
    .createTable('account_tokens')
    /** SHA-256 (hex) of the token's random id. */
    .addColumn('id', 'text', (c) => c.primaryKey())
    /** verify | reset | invite */
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text')
    .addColumn('invitation_id', 'text')
    .addColumn('email_norm', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('used_at', 'bigint')
    .execute();

  await db.schema
    .createTable('invitations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('email_norm', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('invited_by', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('accepted_at', 'bigint')
    .addColumn('accepted_by', 'text')
    .addColumn('revoked_at', 'bigint')
    .execute();
  await db.schema.createIndex('invitations_org').on('invitations').columns(['org_id', 'created_at']).execute();

  await db.schema
    .createTable('free_credit_claims')
    .addColumn('email_norm', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('claimed_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('account_secrets')
    .addColumn('name', 'text', (c) => c.primaryKey())
    /** base64 of 32 random bytes. */
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
}
