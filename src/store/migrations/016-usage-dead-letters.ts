/**
 * Usage events the database refused (a constraint, a value that does not fit): kept whole, as
 * JSON, so one bad row never blocks the others and nothing is lost. `tollgate usage dead-letters
 * --replay` writes them again once the cause is fixed; `replayed_at` records when one went through.
 */
import type { Kysely } from 'kysely';
import type { Dialect } from '../connect.ts';

export async function up(db: Kysely<any>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('usage_dead_letters')
    /** The usage event's id (the request id). */
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull())
    /** The whole event, bigints as decimal strings. */
    .addColumn('event', 'text', (c) => c.notNull())
    /** Why the database refused it (the driver's message). */
    .addColumn('error', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('replayed_at', 'bigint')
    .execute();
  await db.schema.createIndex('usage_dead_letters_open').on('usage_dead_letters').columns(['replayed_at', 'created_at']).execute();
}
