/** Per-org billing settings: auto-reload and the low-balance alert level. */
import type { Kysely } from 'kysely';
import type { Dialect } from '../connect.ts';

export async function up(db: Kysely<any>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('billing_settings')
    .addColumn('org_id', 'text', (c) => c.primaryKey())
    /** Reload when the balance falls below this (pico-USD); null = auto-reload off. */
    .addColumn('reload_below', 'bigint')
    /** How much to buy per reload (pico-USD). */
    .addColumn('reload_amount', 'bigint')
    /** Alert when the balance falls below this (pico-USD); null = default. */
    .addColumn('low_balance', 'bigint')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
}
