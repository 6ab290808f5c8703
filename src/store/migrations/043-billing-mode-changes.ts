/**
 * Billing-mode changes (issue 12): a change asked for in the middle of a month is stored as
 * pending and applied at the next month boundary (or at once with `--now`). Applied changes stay
 * as the org's mode history: invoice close bills only the usage admitted while the org was
 * post-paid. Owned by src/billing/mode (types in src/billing/invoices/schema.ts).
 */
import type { Kysely } from 'kysely';
import type { Dialect } from '../connect.ts';

export async function up(db: Kysely<any>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('billing_mode_changes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('from_mode', 'text', (c) => c.notNull())
    .addColumn('to_mode', 'text', (c) => c.notNull())
    .addColumn('requested_at', 'bigint', (c) => c.notNull())
    /** The instant the new mode takes effect (a month boundary, or the request instant with --now). */
    .addColumn('effective_at', 'bigint', (c) => c.notNull())
    /** 'pending' | 'applied' | 'cancelled' */
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('applied_at', 'bigint')
    .execute();
  await db.schema.createIndex('billing_mode_changes_org').on('billing_mode_changes').columns(['org_id', 'effective_at']).execute();
}
