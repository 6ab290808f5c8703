/**
 * Idempotency keys, shared by every instance: one row per (API key, Idempotency-Key) with the
 * fingerprint of the request that first used it (a hash of surface and body, never the body),
 * whether it is still running or done, and which request it was. A repeat with another body is a
 * 422 on any instance and after a restart; a repeat while the first runs is a 409 everywhere.
 * Rows older than a day are pruned (`store/housekeeping.ts`).
 */
import type { Kysely } from 'kysely';
import type { Dialect } from '../connect.ts';

export async function up(db: Kysely<any>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('idempotency_keys')
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('idem_key', 'text', (c) => c.notNull())
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    /** 'pending' while the first request runs, then 'done'. */
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('request_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('idempotency_keys_pk', ['key_id', 'idem_key'])
    .execute();
  await db.schema.createIndex('idempotency_keys_updated').on('idempotency_keys').column('updated_at').execute();
}
