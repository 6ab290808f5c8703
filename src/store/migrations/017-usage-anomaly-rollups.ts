/**
 * Usage anomalies in the daily rollups (issue 9, item 8): how many requests were billed at a bound
 * because the upstream's usage could not be believed (`usage_events.anomaly`, migration 015), and
 * what they cost — so reports show them without reading the events. Backfilled from the events.
 */
import { type Kysely, sql } from 'kysely';
import type { Dialect } from '../connect.ts';
import { moneyType } from '../wide-money.ts';

export async function up(db: Kysely<any>, dialect: Dialect): Promise<void> {
  await db.schema
    .alterTable('usage_daily')
    .addColumn('anomaly_requests', 'bigint', (b) => b.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable('usage_daily')
    .addColumn('anomaly_cost', moneyType(dialect), (b) => b.notNull().defaultTo(0))
    .execute();
  const sum = (expr: string) =>
    sql.raw(`(select ${dialect === 'postgres' ? `coalesce(sum(${expr}), 0)` : `bigsum(${expr})`} from usage_events e
    where e.org_id = usage_daily.org_id and e.day = usage_daily.day and e.workspace_id = usage_daily.workspace_id and e.key_id = usage_daily.key_id and e.model = usage_daily.model)`);
  await db
    .updateTable('usage_daily')
    .set({
      anomaly_requests: sum('case when e.anomaly is not null then 1 else 0 end'),
      anomaly_cost: sum('case when e.anomaly is not null then e.cost else 0 end'),
    })
    .execute();
}
