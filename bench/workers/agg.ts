/**
 * Dashboard aggregate at scale: bulk-generates `rows` usage events (orgs × days × models) into a fresh
 * SQLite database created with Tollgate's own schema (`openStore` + `migrate`), builds the daily
 * rollups `usage_daily` from them, then times the query the dashboard/CLI uses (`usageByDay` with
 * groupByModel, one org, one month — it reads the rollups) against the same aggregate computed from
 * the raw events, and checks that both give the same numbers.
 *
 *   node bench/.compiled/workers/agg.js '{"dir":"/tmp/x","rows":10000000,"orgs":100,"days":30,"models":10}'
 *   (`npm run bench` compiles this file to bench/.compiled/ with the gateway's modules from dist/.)
 *
 * Prints one line: AGGJSON {...}.
 */
import path from 'node:path';
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { sql } from 'kysely';
import { openStore } from '../../src/store/connect.ts';
import { migrate } from '../../src/store/migrate.ts';
import { usageByDay } from '../../src/usage/report.ts';
import { usdToPico } from '../../src/core/money.ts';

interface Opts {
  dir: string;
  rows: number;
  orgs?: number;
  days?: number;
  models?: number;
  reps?: number;
  allOrgs?: boolean;
}
const o = JSON.parse(process.argv[2]!) as Opts;
const ORGS = o.orgs ?? 100,
  DAYS = o.days ?? 30,
  MODELS = o.models ?? 10,
  N = o.rows,
  REPS = o.reps ?? 5;
const file = path.join(o.dir, 'agg.db');
fs.mkdirSync(o.dir, { recursive: true });
const log = (m: string) => console.error(`[agg] ${m}`);
const ms = (t: number) => +(performance.now() - t).toFixed(2);

// 1. Schema, exactly as Tollgate creates it.
{
  const store = await openStore(file);
  await migrate(store);
  await store.close();
}

// 2. Bulk load, one transaction, pure SQL (a recursive CTE joined to three tiny lookup tables), org-major and
//    time-ordered so every index insert is an append. The fixture is throwaway: no journal while loading.
const day0 = Date.UTC(2026, 9, 1); // 2026-10-01; the 30 days fall in one calendar month (October)
const perOrg = Math.floor(N / ORGS);
const perDay = Math.max(1, Math.floor(perOrg / DAYS));
const step = Math.floor(86_400_000 / perDay);
const total = perOrg * ORGS;
const pad = (n: number, w: number) => String(n).padStart(w, '0');
const raw = new Database(file);
raw.pragma('journal_mode = OFF');
raw.pragma('synchronous = OFF');
raw.pragma('cache_size = -262144'); // 256 MiB
raw.exec(
  'CREATE TEMP TABLE g_org(n INTEGER PRIMARY KEY, org TEXT, ws TEXT, k TEXT); CREATE TEMP TABLE g_day(n INTEGER PRIMARY KEY, day TEXT, month TEXT); CREATE TEMP TABLE g_model(n INTEGER PRIMARY KEY, model TEXT);',
);
{
  const a = raw.prepare('INSERT INTO g_org VALUES (?, ?, ?, ?)');
  for (let i = 0; i < ORGS; i++) a.run(i, `org_${pad(i, 3)}`, `wrkspc_${pad(i, 3)}`, `apikey_${pad(i, 3)}`);
  const b = raw.prepare('INSERT INTO g_day VALUES (?, ?, ?)');
  for (let d = 0; d < DAYS; d++) {
    const iso = new Date(day0 + d * 86_400_000).toISOString();
    b.run(d, iso.slice(0, 10), iso.slice(0, 7));
  }
  const c = raw.prepare('INSERT INTO g_model VALUES (?, ?)');
  for (let m = 0; m < MODELS; m++) c.run(m, `claude-bench-${pad(m, 2)}`);
}
// Row i: org = i / perOrg; j = i % perOrg; day = min(j / perDay, DAYS-1); model = j % MODELS; tokens pseudo-random in i.
const inpOf = (i: number) => 200 + ((i * 7919) % 1800);
const outOf = (i: number) => 50 + ((i * 104729) % 700);
let t = performance.now();
raw.exec(`
  INSERT INTO usage_events (id, org_id, workspace_id, key_id, model, upstream, surface, status, outcome, stream,
    input_tokens, output_tokens, cache_write_5m_tokens, cache_write_1h_tokens, cache_read_tokens, web_search_requests,
    cost, upstream_cost, price_id, estimated, created_at, month, day, latency_ms, ttft_ms, idempotency_key)
  WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i < ${total - 1}),
  h AS (SELECT i, i / ${perOrg} AS o, i % ${perOrg} AS j, min((i % ${perOrg}) / ${perDay}, ${DAYS - 1}) AS d,
               (i % ${perOrg}) % ${MODELS} AS m, 200 + (i * 7919) % 1800 AS inp, 50 + (i * 104729) % 700 AS outp FROM seq)
  SELECT 'req_' || (10000000000 + i), g_org.org, g_org.ws, g_org.k, g_model.model, 'anthropic', 'anthropic', 200, 'ok', i % 3 = 0,
    inp, outp, 0, 0, (i % 5) * 100, 0, inp * 3000000 + outp * 15000000, inp * 3000000 + outp * 15000000, 1, 0,
    ${day0} + d * 86400000 + (j % ${perDay}) * ${step}, g_day.month, g_day.day, 20 + i % 300, NULL, NULL
  FROM h JOIN g_org ON g_org.n = h.o JOIN g_day ON g_day.n = h.d JOIN g_model ON g_model.n = h.m`);
const loadMs = ms(t);
log(`loaded ${total} events in ${(loadMs / 1000).toFixed(1)} s`);

// 3. The daily rollups, generated from the same formulas (what UsageWriter maintains incrementally); the
//    query comparison below checks them against the raw events.
t = performance.now();
const G = ORGS * DAYS * MODELS;
const req = new Float64Array(G),
  inp = new Float64Array(G),
  outp = new Float64Array(G),
  cr = new Float64Array(G),
  cost = new Float64Array(G);
for (let i = 0; i < total; i++) {
  const org = Math.floor(i / perOrg),
    j = i % perOrg,
    d = Math.min(Math.floor(j / perDay), DAYS - 1),
    m = j % MODELS;
  const g = (org * DAYS + d) * MODELS + m,
    a = inpOf(i),
    b = outOf(i);
  req[g]! += 1;
  inp[g]! += a;
  outp[g]! += b;
  cr[g]! += (i % 5) * 100;
  cost[g]! += a * 3_000_000 + b * 15_000_000;
}
{
  const ins = raw.prepare(`INSERT INTO usage_daily (day, month, org_id, workspace_id, key_id, model, requests, input_tokens, output_tokens,
    cache_write_5m_tokens, cache_write_1h_tokens, cache_read_tokens, cost, upstream_cost) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, ?, ?, ?)`);
  raw.transaction(() => {
    for (let org = 0; org < ORGS; org++)
      for (let d = 0; d < DAYS; d++)
        for (let m = 0; m < MODELS; m++) {
          const g = (org * DAYS + d) * MODELS + m;
          if (!req[g]) continue;
          const iso = new Date(day0 + d * 86_400_000).toISOString();
          ins.run(
            iso.slice(0, 10),
            iso.slice(0, 7),
            `org_${pad(org, 3)}`,
            `wrkspc_${pad(org, 3)}`,
            `apikey_${pad(org, 3)}`,
            `claude-bench-${pad(m, 2)}`,
            req[g],
            inp[g],
            outp[g],
            cr[g],
            BigInt(cost[g]!),
            BigInt(cost[g]!),
          );
        }
  })();
}
const rollupMs = ms(t);
const dailyRows = Number((raw.prepare('SELECT count(*) AS n FROM usage_daily').get() as { n: number }).n);
log(`generated ${dailyRows} usage_daily rows in ${(rollupMs / 1000).toFixed(1)} s`);
raw.pragma('analysis_limit = 1000');
raw.exec('ANALYZE');
raw.close();
const fileMb = +(fs.statSync(file).size / 2 ** 20).toFixed(0);

// 4. The timed queries, through Tollgate's own store (WAL, safe integers) and report code.
const store = await openStore(file);
const db = store.db;
const orgId = `org_${String(Math.floor(ORGS / 2)).padStart(3, '0')}`;
const since = new Date(day0).toISOString().slice(0, 10),
  until = '2026-11-01';
const big = (col: string) => sql<bigint>`cast(coalesce(sum(${sql.ref(col)}), 0) as bigint)`;
async function rawByDay(org: string | null) {
  let b = db
    .selectFrom('usage_events')
    .where('created_at', '>=', BigInt(Date.parse(since)))
    .where('created_at', '<', BigInt(Date.parse(until)));
  if (org) b = b.where('org_id', '=', org);
  const rows = await b
    .select([
      'day',
      'model',
      sql<bigint>`count(*)`.as('requests'),
      big('input_tokens').as('input_tokens'),
      big('output_tokens').as('output_tokens'),
      big('cache_write_5m_tokens').as('cw5'),
      big('cache_write_1h_tokens').as('cw1'),
      big('cache_read_tokens').as('cache_read'),
      big('cost').as('cost'),
      big('upstream_cost').as('upstream_cost'),
      // biome-ignore lint/suspicious/noExplicitAny: bench driver: JSON read back from child processes and tools, shapes not worth a type
    ] as any)
    .groupBy(['day', 'model'])
    .orderBy('day')
    .orderBy('model')
    .execute();
  // biome-ignore lint/suspicious/noExplicitAny: bench driver: JSON read back from child processes and tools, shapes not worth a type
  return rows.map((r: any) => ({
    day: r.day,
    model: r.model,
    requests: Number(r.requests),
    input_tokens: Number(r.input_tokens),
    output_tokens: Number(r.output_tokens),
    cost: String(r.cost),
  }));
}
async function rollupByDay(org: string | null) {
  const rows = await usageByDay(db, { ...(org ? { orgId: org } : {}), since, until, groupByModel: true });
  return (
    rows
      // biome-ignore lint/suspicious/noExplicitAny: bench driver: JSON read back from child processes and tools, shapes not worth a type
      .map((r: any) => ({ day: r.day, model: r.model, requests: r.requests, input_tokens: r.input_tokens, output_tokens: r.output_tokens, cost: r.cost_usd }))
      .sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : a.model < b.model ? -1 : a.model > b.model ? 1 : 0))
  );
}
async function timeIt<T>(fn: () => Promise<T>, reps: number): Promise<{ first_ms: number; median_ms: number; result: T }> {
  const times: number[] = [];
  let result!: T;
  for (let i = 0; i < reps; i++) {
    const s = performance.now();
    result = await fn();
    times.push(performance.now() - s);
  }
  const sorted = [...times].sort((a, b) => a - b);
  return { first_ms: +times[0]!.toFixed(2), median_ms: +sorted[Math.floor(sorted.length / 2)]!.toFixed(2), result };
}
const a = await timeIt(() => rollupByDay(orgId), REPS);
const b = await timeIt(() => rawByDay(orgId), REPS);
// Same numbers? (cost: rollup gives USD, raw gives pico-USD.)
const same =
  a.result.length === b.result.length &&
  a.result.every((r, i) => {
    const x = b.result[i]!;
    return (
      r.day === x.day &&
      r.model === x.model &&
      r.requests === x.requests &&
      r.input_tokens === x.input_tokens &&
      r.output_tokens === x.output_tokens &&
      usdToPico(r.cost) === BigInt(x.cost)
    );
  });
const out: Record<string, unknown> = {
  events: total,
  orgs: ORGS,
  days: DAYS,
  models: MODELS,
  usage_daily_rows: dailyRows,
  db_file_mib: fileMb,
  load_s: +(loadMs / 1000).toFixed(1),
  rollup_generate_s: +(rollupMs / 1000).toFixed(1),
  query: { org: orgId, since, until, group_by: 'day, model', result_rows: a.result.length, events_scanned_raw: b.result.reduce((s, r) => s + r.requests, 0) },
  rollup_usageByDay_ms: { first: a.first_ms, median: a.median_ms, reps: REPS },
  raw_events_ms: { first: b.first_ms, median: b.median_ms, reps: REPS },
  results_match: same,
};
if (o.allOrgs) {
  const c = await timeIt(() => rollupByDay(null), 2);
  const d = await timeIt(() => rawByDay(null), 1);
  out.all_orgs = { rollup_usageByDay_ms: c.median_ms, raw_events_ms: d.first_ms, result_rows: c.result.length };
}
await store.close();
process.stdout.write('AGGJSON ' + JSON.stringify(out) + '\n');
process.exit(0);
