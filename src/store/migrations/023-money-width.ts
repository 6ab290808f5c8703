/**
 * Money columns hold any amount a real business reaches: NUMERIC(38,0) on PostgreSQL, a column
 * without type affinity on SQLite (see src/store/wide-money.ts), plus the exact `bigsum`
 * aggregate on PostgreSQL (SQLite registers its own on every connection). Tables created by
 * later migrations declare their money columns wide themselves; this converts them when an
 * existing database already has them as bigint.
 */
import { type Kysely, sql } from 'kysely';
import type { Dialect } from '../connect.ts';

/** Every money column: [table, column, not null]. */
export const MONEY_COLUMNS: Array<[string, string, boolean]> = [
  ['usage_events', 'cost', true],
  ['usage_events', 'upstream_cost', true],
  ['usage_daily', 'cost', true],
  ['usage_daily', 'upstream_cost', true],
  ['ledger_entries', 'amount', true],
  ['spend_limits', 'monthly', false],
  ['spend_limits', 'tenant_monthly', false],
  ['billing_settings', 'reload_below', false],
  ['billing_settings', 'reload_amount', false],
  ['billing_settings', 'low_balance', false],
  ['alerts', 'amount', true],
  ['alerts', 'limit_amount', false],
  ['alerts', 'balance', false],
  ['payments', 'amount', true],
  ['payment_reversals', 'amount', true],
  ['invoices', 'subtotal_exact', true],
  ['invoices', 'subtotal_cents', true],
  ['invoices', 'tax_cents', true],
  ['invoices', 'total_cents', true],
  ['invoices', 'credited_cents', true],
  ['usage_upstream_daily', 'cost', true],
  ['usage_upstream_daily', 'upstream_cost', true],
  ['invoice_lines', 'amount_exact', true],
  ['invoice_lines', 'amount_cents', true],
];

export async function up(db: Kysely<any>, dialect: Dialect): Promise<void> {
  if (dialect === 'postgres') {
    await sql`drop aggregate if exists bigsum(numeric)`.execute(db);
    await sql`create aggregate bigsum(numeric) (sfunc = numeric_add, stype = numeric, initcond = '0')`.execute(db);
  }
  await widenMoneyColumns(db, dialect);
}

/** Converts every existing money column still declared as a 64-bit integer. */
export async function widenMoneyColumns(db: Kysely<any>, dialect: Dialect): Promise<void> {
  for (const [table, col, notNull] of MONEY_COLUMNS) {
    if (dialect === 'postgres') {
      const r = await sql<{ data_type: string }>`select data_type from information_schema.columns
        where table_schema = current_schema() and table_name = ${table} and column_name = ${col}`.execute(db);
      if (r.rows[0]?.data_type !== 'bigint') continue;
      await sql`alter table ${sql.table(table)} alter column ${sql.ref(col)} type numeric(38, 0)`.execute(db);
      continue;
    }
    const info = await sql<{ name: string; type: string }>`select name, type from pragma_table_info(${table})`.execute(db);
    const c = info.rows.find((x) => x.name === col);
    if (c?.type.toLowerCase() !== 'bigint') continue;
    const tmp = `${col}__wide`;
    await sql.raw(`alter table "${table}" add column "${tmp}" blob${notNull ? ' not null default 0' : ''}`).execute(db);
    await sql.raw(`update "${table}" set "${tmp}" = "${col}"`).execute(db);
    await sql.raw(`alter table "${table}" drop column "${col}"`).execute(db);
    await sql.raw(`alter table "${table}" rename column "${tmp}" to "${col}"`).execute(db);
  }
}
