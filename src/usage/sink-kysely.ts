/** The portable (PostgreSQL) write path for usage events: one multi-row insert and one upsert per batch. */
import type { Kysely } from 'kysely';
import type { DB } from '../store/schema.ts';
import { rollup, ROLLUP_SUM_COLUMNS } from './rollup.ts';
import { withPremiumDefaults, type UsageEventRow } from './writer.ts';

export function kyselyUsageSink(db: Kysely<DB>): (rows: UsageEventRow[]) => Promise<UsageEventRow[]> {
  return (rows) => db.transaction().execute(async (trx) => {
    const ids = await trx.insertInto('usage_events').values(rows.map(withPremiumDefaults)).onConflict((oc) => oc.doNothing()).returning('id').execute();
    const got = new Set(ids.map((r) => r.id));
    const inserted = got.size === rows.length ? rows : rows.filter((r) => got.has(r.id));
    const aggs = rollup(inserted);
    for (let i = 0; i < aggs.length; i += 200) {
      await trx.insertInto('usage_daily').values(aggs.slice(i, i + 200))
        .onConflict((oc) => oc.columns(['org_id', 'day', 'workspace_id', 'key_id', 'model']).doUpdateSet((eb) => Object.fromEntries(ROLLUP_SUM_COLUMNS.map((c) => [c, eb(`usage_daily.${c}`, '+', eb.ref(`excluded.${c}`))])) as any)).execute();
    }
    return inserted;
  });
}
