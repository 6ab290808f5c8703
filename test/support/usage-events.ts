/**
 * Usage events for billing tests: on SQLite through the gateway's own durable sink (events and
 * daily rollups in one transaction per batch of 2,000); on PostgreSQL the same rows in one
 * `INSERT … SELECT FROM unnest(…)` per 10,000 (one array per column) plus the same rollup upsert,
 * an order of magnitude faster than 26 bound parameters per row: three models, every token kind, web
 * search, several workspaces, one model at a reseller discount; deterministic (xorshift32).
 */
import { sql } from 'kysely';
import { dayKey, monthKey } from '../../src/core/clock.ts';
import { WEB_SEARCH_PICO } from '../../src/pricing/cost.ts';
import { adjust } from '../../src/pricing/price-book.ts';
import { TOKEN_KINDS } from '../../src/pricing/types.ts';
import { rollup } from '../../src/usage/rollup.ts';
import { sqliteUsageSink } from '../../src/usage/sink-sqlite.ts';
import type { UsageEventRow } from '../../src/usage/writer.ts';
import type { TestGateway } from './gateway.ts';

/** Deterministic pseudo-random integers (xorshift32). */
function rng(seed: number) {
  let x = seed >>> 0 || 1;
  return (n: number) => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x % n;
  };
}

let seq = 0;
/** Writes usage events through the gateway's own durable sink (events + daily rollups), in big batches. */
export async function insertEvents(
  tg: TestGateway,
  orgId: string,
  n: number,
  at: (i: number) => number,
  opts: { workspaces: string[]; keyId: string; seed: number; discounted: string },
) {
  const rt = tg.gw.rt;
  const sink = tg.gw.store.sqlite ? sqliteUsageSink(tg.gw.store.sqlite) : unnestSink(tg);
  const size = tg.gw.store.sqlite ? 2000 : 10_000;
  const models = ['claude-sonnet-4-5', 'claude-haiku-4-5', 'gpt-4o'].map((m) => rt.models().resolve(m)!.id);
  const r = rng(opts.seed);
  let total = 0n;
  let batch: UsageEventRow[] = [];
  for (let i = 0; i < n; i++) {
    const model = models[r(models.length)]!;
    const t = at(i);
    const price = rt.prices().resolve(model, null, t)!;
    const p = model === opts.discounted ? adjust(price.prices, -2000) : price.prices;
    const tok = {
      input: BigInt(r(5000)),
      output: BigInt(r(2000)),
      cache_write_5m: BigInt(r(4) === 0 ? r(3000) : 0),
      cache_write_1h: BigInt(r(9) === 0 ? r(3000) : 0),
      cache_read: BigInt(r(3) === 0 ? r(8000) : 0),
    };
    const web = BigInt(r(20) === 0 ? 1 + r(3) : 0);
    const cost = TOKEN_KINDS.reduce((s, k) => s + tok[k] * p[k], 0n) + web * WEB_SEARCH_PICO;
    total += cost;
    batch.push({
      id: `req_test_${opts.seed}_${seq++}`,
      org_id: orgId,
      workspace_id: opts.workspaces[r(opts.workspaces.length)]!,
      key_id: opts.keyId,
      model,
      upstream: 'anthropic',
      surface: 'anthropic',
      status: 200n,
      outcome: 'ok',
      stream: 0n,
      input_tokens: tok.input,
      output_tokens: tok.output,
      cache_write_5m_tokens: tok.cache_write_5m,
      cache_write_1h_tokens: tok.cache_write_1h,
      cache_read_tokens: tok.cache_read,
      web_search_requests: web,
      cost,
      upstream_cost: cost,
      price_id: price.row.id,
      estimated: 0n,
      created_at: BigInt(t),
      month: monthKey(t),
      day: dayKey(t),
      latency_ms: 100n,
      ttft_ms: null,
      idempotency_key: null,
    });
    if (batch.length === size) {
      await sink(batch);
      batch = [];
    }
  }
  if (batch.length) await sink(batch);
  return total;
}

export const eventsSum = async (tg: TestGateway, orgId: string, month: string) => {
  const r: any = await tg.gw.store.db
    .selectFrom('usage_events')
    .select([sql<bigint>`cast(coalesce(sum(cost), 0) as bigint)`.as('cost'), sql<bigint>`cast(count(*) as bigint)`.as('n')])
    .where('org_id', '=', orgId)
    .where('month', '=', month)
    .executeTakeFirst();
  return { cost: BigInt(r.cost), n: Number(r.n) };
};

const EVENT_COLUMNS: Array<[keyof UsageEventRow, string]> = [
  ['id', 'text'],
  ['org_id', 'text'],
  ['workspace_id', 'text'],
  ['key_id', 'text'],
  ['model', 'text'],
  ['upstream', 'text'],
  ['surface', 'text'],
  ['status', 'int8'],
  ['outcome', 'text'],
  ['stream', 'int8'],
  ['input_tokens', 'int8'],
  ['output_tokens', 'int8'],
  ['cache_write_5m_tokens', 'int8'],
  ['cache_write_1h_tokens', 'int8'],
  ['cache_read_tokens', 'int8'],
  ['web_search_requests', 'int8'],
  ['cost', 'int8'],
  ['upstream_cost', 'int8'],
  ['price_id', 'int8'],
  ['estimated', 'int8'],
  ['created_at', 'int8'],
  ['month', 'text'],
  ['day', 'text'],
  ['latency_ms', 'int8'],
  ['ttft_ms', 'int8'],
  ['idempotency_key', 'text'],
];

/** PostgreSQL: events by unnest (one statement per batch), rollups upserted like the gateway's sink does. */
function unnestSink(tg: TestGateway) {
  const db = tg.gw.store.db;
  return async (rows: UsageEventRow[]) => {
    await db.transaction().execute(async (trx) => {
      const arrays = EVENT_COLUMNS.map(([c, t]) => sql`${rows.map((r) => (r[c] == null ? null : String(r[c])))}::${sql.raw(t)}[]`);
      await sql`insert into usage_events (${sql.join(EVENT_COLUMNS.map(([c]) => sql.ref(c)))}) select * from unnest(${sql.join(arrays)}) on conflict do nothing`.execute(
        trx,
      );
      for (const a of rollup(rows)) {
        await trx
          .insertInto('usage_daily')
          .values(a)
          .onConflict((oc) =>
            oc.columns(['org_id', 'day', 'workspace_id', 'key_id', 'model']).doUpdateSet((eb) => ({
              requests: eb('usage_daily.requests', '+', eb.ref('excluded.requests')),
              input_tokens: eb('usage_daily.input_tokens', '+', eb.ref('excluded.input_tokens')),
              output_tokens: eb('usage_daily.output_tokens', '+', eb.ref('excluded.output_tokens')),
              cache_write_5m_tokens: eb('usage_daily.cache_write_5m_tokens', '+', eb.ref('excluded.cache_write_5m_tokens')),
              cache_write_1h_tokens: eb('usage_daily.cache_write_1h_tokens', '+', eb.ref('excluded.cache_write_1h_tokens')),
              cache_read_tokens: eb('usage_daily.cache_read_tokens', '+', eb.ref('excluded.cache_read_tokens')),
              cost: eb('usage_daily.cost', '+', eb.ref('excluded.cost')),
              upstream_cost: eb('usage_daily.upstream_cost', '+', eb.ref('excluded.upstream_cost')),
            })),
          )
          .execute();
      }
    });
    return rows;
  };
}
