/**
 * The Logs API at scale: seeds N usage events (default 1,000,000; `ROWS=10000000` for 10M) spread
 * over 20 orgs and 30 days into a fresh database — a temp SQLite file, or PostgreSQL when
 * DATABASE_URL names one — then times the Logs API's query (`queryLogs`, the one the endpoint
 * runs): the first page, a page 90 % deep through a cursor, and filtered pages; and prints the
 * query plan, which must be a range scan of `usage_events_org_time_id`.
 *
 *   node --import tsx bench/logs-keyset.ts            # 1M rows, SQLite
 *   ROWS=10000000 node --import tsx bench/logs-keyset.ts
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres node --import tsx bench/logs-keyset.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { openStore } from '../src/store/connect.ts';
import { migrate } from '../src/store/migrate.ts';
import { encodeCursor, queryLogs } from '../src/usage/logs.ts';

const ROWS = Number(process.env.ROWS ?? 1_000_000);
const ORGS = 20;
const T0 = Date.UTC(2026, 9, 1);
const SPAN = 30 * 86_400_000;
const MODELS = ['claude-sonnet-4-5-20250929', 'claude-haiku-4-5-20251001', 'gpt-4o'];

async function main() {
  const pgUrl = /^postgres/.test(process.env.DATABASE_URL ?? '') ? process.env.DATABASE_URL! : undefined;
  let url: string;
  let cleanup: () => Promise<void>;
  if (pgUrl) {
    const name = `tg_bench_logs_${process.pid}`;
    const admin = new pg.Client({ connectionString: pgUrl });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    const u = new URL(pgUrl);
    u.pathname = `/${name}`;
    url = u.toString();
    cleanup = async () => {
      const c = new pg.Client({ connectionString: pgUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    };
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-bench-logs-'));
    url = join(dir, 'bench.db');
    cleanup = async () => rmSync(dir, { recursive: true, force: true });
  }
  const store = await openStore(url);
  try {
    await migrate(store);
    const seedStart = performance.now();
    if (store.sqlite) {
      const ins =
        store.sqlite.prepare(`insert into usage_events (id, org_id, workspace_id, key_id, model, upstream, surface, status, outcome, stream, input_tokens, output_tokens,
        cache_write_5m_tokens, cache_write_1h_tokens, cache_read_tokens, web_search_requests, cost, upstream_cost, price_id, estimated, created_at, month, day, latency_ms, ttft_ms, idempotency_key)
        values (?, ?, ?, ?, ?, 'anthropic', 'anthropic', ?, 'ok', 0, ?, ?, 0, 0, 0, 0, ?, ?, null, 0, ?, '2026-10', '2026-10-01', 100, null, null)`);
      const batch = store.sqlite.transaction((from: number, to: number) => {
        for (let i = from; i < to; i++) {
          const org = i % ORGS;
          ins.run(
            `req_${i.toString().padStart(9, '0')}`,
            `org_${org}`,
            `ws_${org}_${i % 3}`,
            `key_${org}_${i % 7}`,
            MODELS[i % 3],
            i % 50 === 0 ? 429 : 200,
            BigInt(i % 5000),
            BigInt(i % 2000),
            BigInt(i * 1000),
            BigInt(i * 1000),
            BigInt(T0 + Math.floor((i / ROWS) * SPAN)),
          );
        }
      });
      for (let i = 0; i < ROWS; i += 50_000) batch(i, Math.min(ROWS, i + 50_000));
      store.sqlite.exec('analyze');
    } else {
      for (let i = 0; i < ROWS; i += 500_000) {
        const n = Math.min(500_000, ROWS - i);
        await sql`insert into usage_events (id, org_id, workspace_id, key_id, model, upstream, surface, status, outcome, stream, input_tokens, output_tokens,
          cache_write_5m_tokens, cache_write_1h_tokens, cache_read_tokens, web_search_requests, cost, upstream_cost, price_id, estimated, created_at, month, day, latency_ms, ttft_ms, idempotency_key)
          select 'req_' || lpad(g::text, 9, '0'), 'org_' || (g % ${ORGS}::int), 'ws_' || (g % ${ORGS}::int) || '_' || (g % 3), 'key_' || (g % ${ORGS}::int) || '_' || (g % 7),
            (array[${MODELS[0]}, ${MODELS[1]}, ${MODELS[2]}])[g % 3 + 1], 'anthropic', 'anthropic', case when g % 50 = 0 then 429 else 200 end, 'ok', 0, g % 5000, g % 2000,
            0, 0, 0, 0, g::bigint * 1000, g::bigint * 1000, null, 0, ${T0}::bigint + floor(g::float8 / ${ROWS}::float8 * ${SPAN}::float8)::bigint, '2026-10', '2026-10-01', 100, null, null
          from generate_series(${i}::int, ${i + n - 1}::int) g`.execute(store.db);
      }
      await sql`analyze usage_events`.execute(store.db);
    }
    const seedMs = performance.now() - seedStart;
    console.log(`seeded ${ROWS.toLocaleString('en')} events (${ORGS} orgs) on ${store.dialect} in ${(seedMs / 1000).toFixed(1)} s`);

    const time = async (label: string, q: Parameters<typeof queryLogs>[1]) => {
      await queryLogs(store.db, q); // warm
      const runs: number[] = [];
      let n = 0;
      for (let i = 0; i < 20; i++) {
        const t = performance.now();
        n = (await queryLogs(store.db, q)).rows.length;
        runs.push(performance.now() - t);
      }
      runs.sort((a, b) => a - b);
      console.log(`| ${label} | ${n} | ${runs[10]!.toFixed(2)} ms | ${runs[18]!.toFixed(2)} ms |`);
    };
    const org = 'org_7';
    const deep = await store.db
      .selectFrom('usage_events')
      .select(['created_at', 'id'])
      .where('org_id', '=', org)
      .orderBy('created_at')
      .orderBy('id')
      .offset(Math.floor((ROWS / ORGS) * 0.1))
      .limit(1)
      .executeTakeFirstOrThrow();
    console.log(`\n| query (org with ${(ROWS / ORGS).toLocaleString('en')} events, page of 100) | rows | p50 | p95 |\n|---|---|---|---|`);
    await time('first page', { orgId: org, limit: 100 });
    await time('page 90 % deep (cursor)', { orgId: org, limit: 100, cursor: encodeCursor(deep.created_at, deep.id) });
    await time('one day (from/to)', { orgId: org, limit: 100, fromMs: T0 + 10 * 86_400_000, toMs: T0 + 11 * 86_400_000 });
    await time('model filter', { orgId: org, limit: 100, model: MODELS[1] });
    await time('status=error (2 % of rows)', { orgId: org, limit: 100, status: 'error' });

    const c = encodeCursor(deep.created_at, deep.id);
    const compiled = (await import('../src/usage/logs.ts')).decodeCursor(c);
    const plan = store.sqlite
      ? store.sqlite
          .prepare(`explain query plan select * from usage_events where org_id = ? and (created_at, id) < (?, ?) order by created_at desc, id desc limit 101`)
          .all(org, compiled.at, compiled.id)
      : (
          await sql`explain select * from usage_events where org_id = ${org} and (created_at, id) < (${compiled.at}, ${compiled.id}) order by created_at desc, id desc limit 101`.execute(
            store.db,
          )
        ).rows;
    console.log('\nplan of the cursor page:');
    // biome-ignore lint/suspicious/noExplicitAny: bench driver: JSON read back from child processes and tools, shapes not worth a type
    for (const r of plan as any[]) console.log(`  ${r.detail ?? r['QUERY PLAN']}`);
  } finally {
    await store.close();
    await cleanup();
  }
}

await main();
