/**
 * Phases `ingest`, `agg` and `keys`: each runs its worker (bench/workers/, compiled by
 * bench/start.mjs with the gateway's modules from dist/) as a bounded child and reads its JSON lines.
 */
import fs from 'node:fs';
import path from 'node:path';
import { CFG, COMPILED, ROOT, TMP, log, note, pinFor } from '../lib/config.ts';
import { runCmd } from '../lib/procs.ts';
import { pgDatabase } from '../lib/services.ts';

const worker = (name: string) => path.join(COMPILED, 'workers', `${name}.js`);

/** UsageWriter alone: durable events/s at 50 and 1,000 waiting requests (SQLite, and PostgreSQL when reachable). */
export async function phaseIngest() {
  const out: Array<Record<string, unknown>> = [];
  const kinds: Array<[string, () => Promise<string | null>]> = [
    ['sqlite', async () => path.join(TMP, 'ingest-{c}.db')],
    ['postgres', async () => (await pgDatabase())?.url ?? null],
  ];
  for (const [kind, urlOf] of kinds) {
    const url = await urlOf();
    if (!url) continue;
    const opts = { databaseUrl: url, concurrency: CFG.ingestConcurrency, seconds: CFG.ingestSeconds };
    const r = await runCmd(process.execPath, [worker('ingest'), JSON.stringify(opts)], {
      cwd: ROOT,
      cpus: pinFor('proxy'),
      timeoutMs: CFG.ingestConcurrency.length * (CFG.ingestSeconds + 40) * 1000 + 30_000,
    });
    const lines = r.out.split('\n').filter((l) => l.startsWith('INGESTJSON '));
    if (lines.length < CFG.ingestConcurrency.length) note(`ingest ${kind} failed (code ${r.code}${r.timedOut ? ', timed out' : ''}): ${r.err.slice(0, 300)}`);
    for (const line of lines) {
      const j = JSON.parse(line.slice(11));
      out.push(j);
      log(
        `ingest ${kind} concurrency ${j.concurrency}: ${j.events_per_s} events/s durable, p50 ${j.durable_latency_ms.p50} ms, p99 ${j.durable_latency_ms.p99} ms, ${j.process_cpu_us_per_event} µs CPU/event`,
      );
    }
  }
  return out;
}

/** The dashboard's aggregate over 10M (quick: 1M) events, on the rollups and from raw events. */
export async function phaseAgg() {
  const dir = path.join(TMP, 'agg');
  const opts = { dir, rows: CFG.aggRows, orgs: 100, days: 30, models: 10, allOrgs: CFG.aggAllOrgs };
  log(`agg: generating ${CFG.aggRows.toLocaleString('en-US')} usage events (100 orgs × 30 days × 10 models)…`);
  const r = await runCmd(process.execPath, [worker('agg'), JSON.stringify(opts)], { cwd: ROOT, timeoutMs: 400_000 });
  fs.rmSync(dir, { recursive: true, force: true });
  const line = r.out.split('\n').find((l) => l.startsWith('AGGJSON '));
  if (!line) throw new Error(`agg failed (code ${r.code}${r.timedOut ? ', timed out' : ''}): ${r.err.slice(-500)}`);
  const j = JSON.parse(line.slice(8));
  log(
    `agg: usageByDay (rollups) ${j.rollup_usageByDay_ms.median} ms vs raw events ${j.raw_events_ms.median} ms (median of ${j.raw_events_ms.reps}); results match: ${j.results_match}`,
  );
  return j;
}

/** The key cache: memory per key, start-up load, hot and miss paths, incremental reload. */
export async function phaseKeys() {
  const dir = path.join(TMP, 'keys');
  const opts = { dir, counts: CFG.keysCounts };
  log(`keys: key cache with ${CFG.keysCounts.map((n) => n.toLocaleString('en-US')).join(' and ')} keys…`);
  const r = await runCmd(process.execPath, ['--expose-gc', worker('keys'), JSON.stringify(opts)], { cwd: ROOT, timeoutMs: 600_000 });
  fs.rmSync(dir, { recursive: true, force: true });
  const out = r.out
    .split('\n')
    .filter((l) => l.startsWith('KEYSJSON '))
    .map((l) => JSON.parse(l.slice(9)));
  if (out.length < CFG.keysCounts.length) note(`keys failed (code ${r.code}${r.timedOut ? ', timed out' : ''}): ${r.err.slice(-300)}`);
  for (const j of out)
    log(
      `keys ${j.keys}: ${j.heap_bytes_per_key} B/key, load ${j.load_ms} ms, hot auth ${j.hot_auth_ns} ns, miss ${j.miss_lookup_us.p50} µs, incremental reload ${j.incremental_reload_us.p50} µs p50`,
    );
  return out;
}
