/**
 * What a finance report needs from the daily rollups (issue 9, item 8): how many requests were
 * billed on estimated usage and what they cost, server-tool counts (web search, web fetch, code
 * execution), and the simulator's requests and cost (never revenue). Backfilled from the events.
 */
import { type Kysely, sql } from 'kysely';
import type { Dialect } from '../connect.ts';
import { moneyType } from '../wide-money.ts';

export const REPORT_COUNT_COLUMNS = [
  'estimated_requests',
  'web_search_requests',
  'web_fetch_requests',
  'code_execution_requests',
  'simulated_requests',
] as const;
export const REPORT_MONEY_COLUMNS = ['estimated_cost', 'simulated_cost'] as const;

export async function up(db: Kysely<any>, dialect: Dialect): Promise<void> {
  for (const c of REPORT_COUNT_COLUMNS)
    await db.schema
      .alterTable('usage_daily')
      .addColumn(c, 'bigint', (b) => b.notNull().defaultTo(0))
      .execute();
  for (const c of REPORT_MONEY_COLUMNS)
    await db.schema
      .alterTable('usage_daily')
      .addColumn(c, moneyType(dialect), (b) => b.notNull().defaultTo(0))
      .execute();
  const sum = (expr: string) =>
    sql.raw(`(select ${dialect === 'postgres' ? `coalesce(sum(${expr}), 0)` : `bigsum(${expr})`} from usage_events e
    where e.org_id = usage_daily.org_id and e.day = usage_daily.day and e.workspace_id = usage_daily.workspace_id and e.key_id = usage_daily.key_id and e.model = usage_daily.model)`);
  const sim = "e.upstream in ('simulator', 'simulator-openai')";
  await db
    .updateTable('usage_daily')
    .set({
      estimated_requests: sum('case when e.estimated <> 0 then 1 else 0 end'),
      estimated_cost: sum('case when e.estimated <> 0 then e.cost else 0 end'),
      web_search_requests: sum('e.web_search_requests'),
      web_fetch_requests: sum('e.web_fetch_requests'),
      code_execution_requests: sum('e.code_execution_requests'),
      simulated_requests: sum(`case when ${sim} then 1 else 0 end`),
      simulated_cost: sum(`case when ${sim} then e.cost else 0 end`),
    })
    .execute();
}
