/**
 * Usage-event ingestion microbench: Tollgate's own UsageWriter (group commit, rollups) on a fresh
 * database, driven by `concurrency` simulated requests that each wait for their event to be durable
 * before sending the next one (exactly what a request does in respond-json / respond-stream).
 *
 *   node bench/.compiled/workers/ingest.js '{"databaseUrl":"/tmp/x-{c}.db","concurrency":[50,1000],"seconds":3}'
 *   (`npm run bench` compiles this file to bench/.compiled/ with the gateway's modules from dist/.)
 *
 * `{c}` in the URL is replaced by the concurrency (a fresh SQLite file per run). Prints one line per
 * concurrency: INGESTJSON {...}. Bounded: `seconds` per run plus a 30 s drain limit each.
 */
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import { openStore } from '../../src/store/connect.ts';
import { migrate } from '../../src/store/migrate.ts';
import { UsageWriter, type UsageEventRow } from '../../src/usage/writer.ts';

interface Opts {
  databaseUrl: string;
  concurrency: number[];
  seconds: number;
  warmupSeconds?: number;
  orgs?: number;
  models?: number;
}

const o = JSON.parse(process.argv[2]!) as Opts;
const orgs = o.orgs ?? 20;
const models = o.models ?? 5;
const prefix = `ing_${process.pid.toString(36)}_${Date.now().toString(36)}_`;
let seq = 0;
function row(): UsageEventRow {
  const i = seq++;
  const org = i % orgs;
  const now = Date.now();
  const d = new Date(now).toISOString();
  return {
    id: prefix + i.toString(36),
    org_id: `org_bench_${org}`,
    workspace_id: `wrkspc_bench_${org}`,
    key_id: `apikey_bench_${org}`,
    model: `claude-bench-${i % models}`,
    upstream: 'anthropic',
    surface: 'anthropic',
    status: 200n,
    outcome: 'ok',
    stream: 0n,
    input_tokens: 200n,
    output_tokens: 128n,
    cache_write_5m_tokens: 0n,
    cache_write_1h_tokens: 0n,
    cache_read_tokens: 0n,
    web_search_requests: 0n,
    cost: 2_520_000_000n,
    upstream_cost: 2_520_000_000n,
    price_id: 1n,
    estimated: 0n,
    created_at: BigInt(now),
    month: d.slice(0, 7),
    day: d.slice(0, 10),
    latency_ms: 1n,
    ttft_ms: null,
    idempotency_key: null,
  };
}

/** One measurement: `concurrency` simulated requests, each awaiting durability before the next. */
async function run(databaseUrl: string, concurrency: number) {
  const store = await openStore(databaseUrl);
  await migrate(store);
  const writer = new UsageWriter(store, pino({ level: 'silent' }));
  const warm = o.warmupSeconds ?? 0.5;
  const t0 = performance.now();
  const tMeas = t0 + warm * 1000;
  const tEnd = tMeas + o.seconds * 1000;
  let measured = 0;
  let failures = 0;
  const lat: number[] = [];
  let cpuAtMeas: NodeJS.CpuUsage | null = null;
  let writtenAtMeas = 0;
  async function worker() {
    for (;;) {
      const s = performance.now();
      if (s >= tEnd) return;
      if (!cpuAtMeas && s >= tMeas) {
        cpuAtMeas = process.cpuUsage();
        writtenAtMeas = writer.written;
      }
      try {
        await writer.record(row());
      } catch {
        failures++;
        continue;
      }
      const e = performance.now();
      if (s >= tMeas && e <= tEnd) {
        measured++;
        lat.push(e - s);
      }
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  const cpu = process.cpuUsage(cpuAtMeas ?? undefined);
  const writtenInWindow = writer.written - writtenAtMeas;
  await writer.close();
  await store.close();
  lat.sort((a, b) => a - b);
  const p = (q: number) => (lat.length ? +lat[Math.min(lat.length - 1, Math.ceil((q / 100) * lat.length) - 1)]!.toFixed(3) : null);
  return {
    database: store.dialect,
    concurrency,
    seconds: o.seconds,
    // Events whose commit completed inside the window, per second.
    events_per_s: +(measured / o.seconds).toFixed(0),
    durable_latency_ms: { p50: p(50), p99: p(99), max: lat.length ? +lat[lat.length - 1]!.toFixed(3) : null },
    failures,
    // CPU of this process (writer + the trivial simulated requests) per event written in the window.
    process_cpu_us_per_event: +((cpu.user + cpu.system) / Math.max(1, writtenInWindow)).toFixed(1),
  };
}

const limit = setTimeout(
  () => {
    console.error('ingest: time limit reached');
    process.exit(3);
  },
  o.concurrency.length * ((o.warmupSeconds ?? 0.5) + o.seconds + 30) * 1000,
);
limit.unref();
for (const c of o.concurrency) {
  const url = o.databaseUrl.includes('{c}') ? o.databaseUrl.replace('{c}', String(c)) : o.databaseUrl;
  process.stdout.write('INGESTJSON ' + JSON.stringify(await run(url, c)) + '\n');
}
process.exit(0);
