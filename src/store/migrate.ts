/** Runs the ordered migrations once each; the same migrations serve SQLite and PostgreSQL. */
import { sql } from 'kysely';
import type { Store } from './connect.ts';
import * as m001 from './migrations/001-initial.ts';
import * as m002 from './migrations/002-alerts.ts';
import * as m003 from './migrations/003-billing-settings.ts';
import * as m004 from './migrations/004-upstreams.ts';
import * as m010 from './migrations/010-usage-premium.ts';
import * as m011 from './migrations/011-price-variants.ts';
import * as m015 from './migrations/015-usage-anomalies.ts';
import * as m016 from './migrations/016-usage-dead-letters.ts';
import * as m020 from './migrations/020-key-scopes.ts';
import * as m021 from './migrations/021-limit-ceilings.ts';
import * as m022 from './migrations/022-audit-log.ts';
import * as m023 from './migrations/023-money-width.ts';
import * as m017 from './migrations/017-usage-anomaly-rollups.ts';
import * as m024 from './migrations/024-usage-report-columns.ts';
import * as m030 from './migrations/030-accounts.ts';
import * as m031 from './migrations/031-usage-logs-index.ts';
import * as m032 from './migrations/032-usage-errors-index.ts';
import * as m040 from './migrations/040-payments.ts';
import * as m041 from './migrations/041-invoices.ts';
import * as m042 from './migrations/042-invoice-payments.ts';
import * as m043 from './migrations/043-billing-mode-changes.ts';
import * as m045 from './migrations/045-idempotency-keys.ts';
import * as m050 from './migrations/050-pools.ts';

const MIGRATIONS: Array<{ name: string; up: typeof m001.up }> = [
  { name: '001-initial', up: m001.up },
  { name: '002-alerts', up: m002.up },
  { name: '003-billing-settings', up: m003.up },
  { name: '004-upstreams', up: m004.up },
  { name: '010-usage-premium', up: m010.up },
  { name: '011-price-variants', up: m011.up },
  { name: '015-usage-anomalies', up: m015.up },
  { name: '016-usage-dead-letters', up: m016.up },
  { name: '017-usage-anomaly-rollups', up: m017.up },
  { name: '020-key-scopes', up: m020.up },
  { name: '021-limit-ceilings', up: m021.up },
  { name: '022-audit-log', up: m022.up },
  { name: '023-money-width', up: m023.up },
  { name: '024-usage-report-columns', up: m024.up },
  { name: '030-accounts', up: m030.up },
  { name: '031-usage-logs-index', up: m031.up },
  { name: '032-usage-errors-index', up: m032.up },
  { name: '040-payments', up: m040.up },
  { name: '041-invoices', up: m041.up },
  { name: '042-invoice-payments', up: m042.up },
  { name: '043-billing-mode-changes', up: m043.up },
  { name: '045-idempotency-keys', up: m045.up },
  { name: '050-pools', up: m050.up },
];

/** Migrations this build knows that the database has not applied (readiness). */
export async function missingMigrations(store: Store): Promise<string[]> {
  // biome-ignore lint/suspicious/noExplicitAny: migrations run against every past schema (untyped Kysely, https://kysely.dev/docs/migrations)
  const done = new Set<string>((await (store.db as any).selectFrom('tollgate_migrations').select('name').execute()).map((r: any) => r.name));
  return MIGRATIONS.filter((m) => !done.has(m.name)).map((m) => m.name);
}

export async function migrate(store: Store): Promise<string[]> {
  // biome-ignore lint/suspicious/noExplicitAny: migrations run against every past schema (untyped Kysely, https://kysely.dev/docs/migrations)
  const db = store.db as any;
  await db.schema
    .createTable('tollgate_migrations')
    .ifNotExists()
    // biome-ignore lint/suspicious/noExplicitAny: migrations run against every past schema (untyped Kysely, https://kysely.dev/docs/migrations)
    .addColumn('name', 'text', (c: any) => c.primaryKey())
    // biome-ignore lint/suspicious/noExplicitAny: migrations run against every past schema (untyped Kysely, https://kysely.dev/docs/migrations)
    .addColumn('applied_at', 'bigint', (c: any) => c.notNull())
    .execute();
  // biome-ignore lint/suspicious/noExplicitAny: migrations run against every past schema (untyped Kysely, https://kysely.dev/docs/migrations)
  const done = new Set<string>((await db.selectFrom('tollgate_migrations').select('name').execute()).map((r: any) => r.name));
  const applied: string[] = [];
  for (const m of MIGRATIONS) {
    if (done.has(m.name)) continue;
    // biome-ignore lint/suspicious/noExplicitAny: migrations run against every past schema (untyped Kysely, https://kysely.dev/docs/migrations)
    await db.transaction().execute(async (trx: any) => {
      if (store.dialect === 'postgres') await sql`select pg_advisory_xact_lock(727274)`.execute(trx);
      const again = await trx.selectFrom('tollgate_migrations').select('name').where('name', '=', m.name).executeTakeFirst();
      if (again) return;
      await m.up(trx, store.dialect);
      await trx.insertInto('tollgate_migrations').values({ name: m.name, applied_at: Date.now() }).execute();
      applied.push(m.name);
    });
  }
  // Money columns a later migration created as 64-bit integers are widened too (idempotent).
  // biome-ignore lint/suspicious/noExplicitAny: migrations run against every past schema (untyped Kysely, https://kysely.dev/docs/migrations)
  if (applied.length) await db.transaction().execute((trx: any) => m023.widenMoneyColumns(trx, store.dialect));
  return applied;
}
