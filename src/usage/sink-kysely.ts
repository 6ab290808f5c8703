/** The portable (PostgreSQL) write path for usage events: one multi-row insert and one upsert per batch. */
import type { Kysely } from 'kysely';
import type { DB } from '../store/schema.ts';
import { rollup, rollupByUpstream, ROLLUP_SUM_COLUMNS } from './rollup.ts';
import { withPremiumDefaults, type UsageEventRow } from './event-row.ts';

export function kyselyUsageSink(db: Kysely<DB>): (rows: UsageEventRow[]) => Promise<UsageEventRow[]> {
  return (rows) =>
    db.transaction().execute(async (trx) => {
      const ids = await trx
        .insertInto('usage_events')
        .values(rows.map(withPremiumDefaults))
        .onConflict((oc) => oc.doNothing())
        .returning('id')
        .execute();
      const got = new Set(ids.map((r) => r.id));
      const inserted = got.size === rows.length ? rows : rows.filter((r) => got.has(r.id));
      const aggs = rollup(inserted);
      for (let i = 0; i < aggs.length; i += 200) {
        await trx
          .insertInto('usage_daily')
          .values(aggs.slice(i, i + 200))
          .onConflict((oc) =>
            oc
              .columns(['org_id', 'day', 'workspace_id', 'key_id', 'model'])
              // biome-ignore lint/suspicious/noExplicitAny: update set built from the column list at run time, which Kysely cannot type
              .doUpdateSet((eb) => Object.fromEntries(ROLLUP_SUM_COLUMNS.map((c) => [c, eb(`usage_daily.${c}`, '+', eb.ref(`excluded.${c}`))])) as any),
          )
          .execute();
      }
      const ups = rollupByUpstream(inserted);
      for (let i = 0; i < ups.length; i += 200) {
        await trx
          .insertInto('usage_upstream_daily')
          .values(ups.slice(i, i + 200))
          .onConflict((oc) =>
            oc.columns(['org_id', 'day', 'upstream']).doUpdateSet((eb) => ({
              requests: eb('usage_upstream_daily.requests', '+', eb.ref('excluded.requests')),
              attempts: eb('usage_upstream_daily.attempts', '+', eb.ref('excluded.attempts')),
              input_tokens: eb('usage_upstream_daily.input_tokens', '+', eb.ref('excluded.input_tokens')),
              output_tokens: eb('usage_upstream_daily.output_tokens', '+', eb.ref('excluded.output_tokens')),
              cost: eb('usage_upstream_daily.cost', '+', eb.ref('excluded.cost')),
              upstream_cost: eb('usage_upstream_daily.upstream_cost', '+', eb.ref('excluded.upstream_cost')),
            })),
          )
          .execute();
      }
      return inserted;
    });
}
