/**
 * `npm run bench` — Tollgate's overhead against the physical limit, with governance on.
 *
 * Starts the mock upstream, the bare undici proxy and Tollgate (fresh SQLite database in a temp
 * dir), creates a generous customer with the CLI, smoke-checks every target, warms up, then runs
 * the targets INTERLEAVED (order reversed on every other rep) for each scenario:
 *   throughput at fixed concurrency (closed loop), latency at fixed open-loop rates (coordinated-
 *   omission corrected), time to first byte for streams, proxy CPU µs per request from /proc.
 * Then the separate, bounded phases: RSS with 1,000 open streams, usage-event ingestion, SQLite
 * vs PostgreSQL, and the dashboard aggregate over 10M events. Prints one markdown table (plus an
 * "also measured" table) and writes bench/results/<stamp>.json and bench/results/latest.md.
 *
 * Also `keys`: the key cache at 1M keys (memory per key, start-up load, hot and miss paths, the
 * cost of an incremental reload).
 *
 * Tollgate runs compiled (dist/main.js, as `npm start` runs it; built first when stale). `scale`: three
 * instances on Redis + PostgreSQL (aggregate throughput, the shared limiter's CPU per request).
 *
 * Knobs (env): QUICK=1, PHASES=core,pg,scale,rss,ingest,agg,keys[,prof], KEYS_COUNTS=1000,1000000, REPS, SAT_SECONDS, RATE_SECONDS,
 * RATE_WARMUP, RATES, CONNS, WARMUP, SCENARIOS, LOADGEN=auto|wrk|node, PIN=auto|1|0, ... (see README).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import pg from 'pg';
import {
  freePort, hasCommand, machineBusyPct, machineCpu, procCpuMs, procMem, procSockets, runCmd, sleep, startChild, stopAllChildren,
  stopChild, waitHttp, type Child,
} from './lib/procs.ts';
import { body, checkReply, headers, isStream, pathOf, SCENARIO_LABEL, type Scenario } from './lib/workload.ts';
import { fmt, matrixTable, TARGETS, type RunRecord, type Target } from './lib/report.ts';
import { summarizeProfile, type ProfileSummary } from './lib/profile.ts';
import { build, stale } from '../scripts/build.mjs';

// ------------------------------------------------------------------ configuration
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BENCH = path.join(ROOT, 'bench');
const env = process.env;
const QUICK = env.QUICK === '1';
const num = (k: string, d: number) => (env[k] !== undefined && env[k] !== '' ? Number(env[k]) : d);
const list = (k: string, d: string) => (env[k] || d).split(',').map((s) => s.trim()).filter(Boolean);
const CORES = os.cpus().length;
const canPin = hasCommand('taskset') && CORES >= 2;
// Pinning is opt-in (PIN=1): on this shared 2-core box it did not make the comparison steadier (README, "Pinning").
const pinWanted = env.PIN === '1';
const CFG = {
  quick: QUICK,
  phases: list('PHASES', 'core,pg,scale,rss,ingest,agg,keys'),
  keysCounts: list('KEYS_COUNTS', '1000,1000000').map(Number).filter((x) => x > 0),
  reps: num('REPS', QUICK ? 1 : 2),
  conns: num('CONNS', 50),
  satSeconds: num('SAT_SECONDS', QUICK ? 2 : 5),
  rateSeconds: num('RATE_SECONDS', QUICK ? 2 : 4),
  rateWarmup: num('RATE_WARMUP', 1),
  rates: list('RATES', '200,1000').map(Number).filter((x) => x > 0),
  warmup: num('WARMUP', QUICK ? 1 : 2),
  scenarios: list('SCENARIOS', 'messages,chat,messages-stream') as Scenario[],
  loadgen: (env.LOADGEN ?? 'auto') === 'auto' ? (hasCommand('wrk') ? 'wrk' : 'node') : (env.LOADGEN as 'wrk' | 'node'),
  pin: pinWanted && canPin,
  genCpus: env.GEN_CPUS ?? '0',
  mockCpus: env.MOCK_CPUS ?? '0',
  proxyCpus: env.PROXY_CPUS ?? String(Math.min(1, CORES - 1)),
  rssStreams: num('RSS_STREAMS', 1000),
  rssSeconds: num('RSS_SECONDS', QUICK ? 4 : 8),
  rssChunkDelayMs: num('RSS_CHUNK_DELAY_MS', 50),
  ingestSeconds: num('INGEST_SECONDS', QUICK ? 1.5 : 3),
  ingestConcurrency: list('INGEST_CONCURRENCY', '50,1000').map(Number),
  pgAdminUrl: env.PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  pgSeconds: num('PG_SECONDS', QUICK ? 2 : 4),
  redisUrl: env.REDIS_BENCH_URL ?? 'redis://127.0.0.1:6379',
  aggRows: num('AGG_ROWS', QUICK ? 1_000_000 : 10_000_000),
  aggAllOrgs: env.AGG_ALL_ORGS === '1',
  profSeconds: num('PROF_SECONDS', 6),
  timeoutS: num('BENCH_TIMEOUT_S', QUICK ? 480 : 900),
  outDir: path.resolve(env.OUT_DIR || path.join(BENCH, 'results')),
  keepTmp: env.KEEP_TMP === '1',
};
const STAMP = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
fs.mkdirSync(CFG.outDir, { recursive: true });
const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'tollgate-bench-'));
const LOGS = path.join(TMP, 'logs');
fs.mkdirSync(LOGS);
const T0 = performance.now();
const log = (...a: unknown[]) => console.error(`[bench ${((performance.now() - T0) / 1000).toFixed(0).padStart(4)}s]`, ...a);
const pinFor = (role: 'gen' | 'mock' | 'proxy') => (CFG.pin ? (role === 'gen' ? CFG.genCpus : role === 'mock' ? CFG.mockCpus : CFG.proxyCpus) : null);
const notes: string[] = [];
const note = (s: string) => { notes.push(s); log(`NOTE: ${s}`); };

// ------------------------------------------------------------------ servers
interface Server { name: string; child: Child; port: number; url: string }
let failedEarly: string | null = null;
function start(name: string, args: string[], extraEnv: Record<string, string>, role: 'mock' | 'proxy', port: number): Server {
  const child = startChild(name, process.execPath, args, {
    cwd: ROOT, env: extraEnv, cpus: pinFor(role), logDir: LOGS,
    onEarlyExit: (c, code, sig) => { failedEarly = `${c.name} (pid ${c.pid}) exited early: code=${code} signal=${sig}; see ${c.log}`; log(`!! ${failedEarly}`); },
  });
  return { name, child, port, url: `http://127.0.0.1:${port}` };
}
async function startMock(name: string, extra: Record<string, string> = {}): Promise<Server> {
  const port = await freePort();
  const s = start(name, ['bench/ref/mock-upstream.mjs', String(port)], extra, 'mock', port);
  await waitHttp(`${s.url}/healthz`, 20_000);
  return s;
}
async function startBare(name: string, upstream: Server, extra: Record<string, string> = {}): Promise<Server> {
  const port = await freePort();
  const s = start(name, ['bench/ref/bare-proxy.mjs', String(port)], { UPSTREAM: upstream.url, ...extra }, 'proxy', port);
  await waitHttp(`${upstream.url}/healthz`, 20_000);
  await waitHttp(`${s.url}/healthz`, 20_000);
  return s;
}
/** A tiers file that admits everything: the limiter and the reservations still run, they never refuse. */
function generousTiers(): string {
  const f = path.join(TMP, 'tiers.json');
  const big = { rpm: 1_000_000_000, itpm: 1_000_000_000_000, otpm: 1_000_000_000_000 };
  fs.writeFileSync(f, JSON.stringify({ tiers: [{ tier: 1, name: 'Bench', minSpendUsd: '0', monthlySpendCapUsd: null, limits: { default: big } }] }));
  return f;
}
function tollgateEnv(port: number, databaseUrl: string, upstream: Server): Record<string, string> {
  return {
    PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn', TOLLGATE_FREE_CREDITS_USD: '0',
    ANTHROPIC_API_KEY: 'sk-ant-bench-upstream', ANTHROPIC_BASE_URL: upstream.url,
    OPENAI_API_KEY: 'sk-openai-bench-upstream', OPENAI_BASE_URL: `${upstream.url}/v1`,
    TOLLGATE_TIERS_FILE: generousTiers(),
    // The per-org concurrency guard runs (counting every request) but never refuses: the RSS phase
    // holds 1,000 streams of one org open.
    TOLLGATE_MAX_CONCURRENT_PER_ORG: '1000000',
  };
}
/** The compiled gateway, as `npm start` runs it (dist/, built first when missing or older than src/). */
function ensureBuilt(): void {
  if (!stale()) return;
  log('dist/ is missing or older than src/: building (tsc)…');
  const t = performance.now();
  build({ quiet: true });
  log(`built dist/ in ${((performance.now() - t) / 1000).toFixed(0)} s`);
  watchdog.refresh(); // BENCH_TIMEOUT_S bounds the measurements, not the compiler
}
async function startTollgate(name: string, databaseUrl: string, upstream: Server, nodeFlags: string[] = [], extraEnv: Record<string, string> = {}): Promise<Server> {
  const port = await freePort();
  const s = start(name, [...nodeFlags, 'dist/main.js'], { ...tollgateEnv(port, databaseUrl, upstream), ...extraEnv }, 'proxy', port);
  await waitHttp(`${s.url}/healthz`, 300_000); // a loaded 2-core box has taken minutes
  return s;
}
async function cli(databaseUrl: string, args: string[]): Promise<any> {
  // The compiled CLI (built with the gateway): no TypeScript loader to start on a loaded box.
  const r = await runCmd(process.execPath, ['dist/cli/main.js', ...args, '--json'], {
    cwd: ROOT, env: { DATABASE_URL: databaseUrl, TOLLGATE_FREE_CREDITS_USD: '0', LOG_LEVEL: 'warn' }, timeoutMs: 300_000,
  });
  if (r.code !== 0) throw new Error(`tollgate ${args.join(' ')} failed (code ${r.code}${r.timedOut ? ', timed out' : ''}): ${r.err || r.out}`);
  return JSON.parse(r.out);
}
/** Creates the customer with the CLI (org with 100,000 USD of credits, no spend cap, one key). */
async function provision(databaseUrl: string): Promise<{ orgId: string; key: string }> {
  const org = await cli(databaseUrl, ['org', 'create', '--name', 'Bench', '--credits', '100000']);
  const key = await cli(databaseUrl, ['key', 'create', '--org', org.id, '--name', 'bench']);
  return { orgId: org.id, key: key.key };
}
/** Waits until the gateway has picked up the key (it polls the change log every ~250 ms). */
async function waitKey(s: Server, key: string): Promise<void> {
  const t = Date.now();
  let last = 0;
  while (Date.now() - t < 20_000) {
    const r = await fetch(`${s.url}/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers('messages', key) }, body: JSON.stringify(body('messages')) });
    await r.arrayBuffer();
    last = r.status;
    if (r.status !== 401 && r.status !== 403) return;
    await sleep(100);
  }
  throw new Error(`${s.name} still refuses the bench key after 20 s (HTTP ${last})`);
}

// ------------------------------------------------------------------ load tools
const bodyFiles = new Map<Scenario, string>();
function bodyFile(s: Scenario): string {
  let f = bodyFiles.get(s);
  if (!f) { f = path.join(TMP, `body-${s}.json`); fs.writeFileSync(f, JSON.stringify(body(s))); bodyFiles.set(s, f); }
  return f;
}
interface LoadResult {
  tool: string; rps: number; requests: number; errors: number; err_detail: unknown; lat_ms: any; co_lat_ms?: any; ttfb_ms?: any; co_ttfb_ms?: any;
  lag_ms?: any; max_inflight?: number; gen_cpu_ms: number | null; seconds: number; scheduled?: number;
}
async function closedLoop(url: string, scen: Scenario, key: string, seconds: number, conns: number, tool = CFG.loadgen): Promise<LoadResult> {
  if (tool === 'wrk') {
    const hdrs = Object.entries(headers(scen, key)).map(([k, v]) => `${k}: ${v}`).join('|');
    seconds = Math.max(1, Math.round(seconds)); // wrk takes whole seconds
    const args = ['-t1', `-c${conns}`, `-d${seconds}s`, '--latency', '--timeout', '10s', '-s', path.join(BENCH, 'lib', 'wrk-post.lua'), url];
    const timed = fs.existsSync('/usr/bin/time');
    const r = await runCmd(timed ? '/usr/bin/time' : 'wrk', timed ? ['-f', 'GENCPU %U %S', 'wrk', ...args] : args, {
      cwd: ROOT, env: { WRK_BODY_FILE: bodyFile(scen), WRK_HEADERS: hdrs }, cpus: pinFor('gen'), timeoutMs: (seconds + 30) * 1000,
    });
    const line = r.out.split('\n').find((l) => l.startsWith('WRKJSON '));
    if (!line) throw new Error(`wrk failed (code ${r.code}): ${r.out}\n${r.err}`);
    const j = JSON.parse(line.slice(8));
    const t = /GENCPU ([\d.]+) ([\d.]+)/.exec(r.err);
    const secs = j.duration_us / 1e6;
    const e = j.errors;
    return {
      tool: 'wrk', rps: +((j.requests - e.status) / secs).toFixed(1), requests: j.requests - e.status,
      errors: e.connect + e.read + e.write + e.status + e.timeout, err_detail: e,
      lat_ms: Object.fromEntries(['p50', 'p90', 'p99', 'p999', 'max', 'mean'].map((k) => [k, +(j.lat_us[k] / 1000).toFixed(3)])),
      gen_cpu_ms: t ? (Number(t[1]) + Number(t[2])) * 1000 : null, seconds: secs,
    };
  }
  const opts = { url, bodyFile: bodyFile(scen), headers: headers(scen, key), connections: conns, duration: seconds, timeoutMs: 10_000 };
  const r = await runCmd(process.execPath, [path.join(BENCH, 'lib', 'closed-loop.mjs'), JSON.stringify(opts)], { cwd: ROOT, cpus: pinFor('gen'), timeoutMs: (seconds + 30) * 1000 });
  const line = r.out.split('\n').find((l) => l.startsWith('CLJSON '));
  if (!line) throw new Error(`closed-loop failed (code ${r.code}): ${r.out}\n${r.err}`);
  const j = JSON.parse(line.slice(7));
  return {
    tool: 'node-closed-loop', rps: j.rps, requests: j.requests, errors: j.errors + j.non2xx,
    err_detail: { errors: j.errors, non2xx: j.non2xx, samples: j.error_samples, statuses: j.status_samples },
    lat_ms: j.lat_ms, ttfb_ms: j.ttfb_ms, gen_cpu_ms: j.gen_cpu_ms, seconds: j.duration_s,
  };
}
async function openLoop(url: string, scen: Scenario, key: string, rate: number, seconds: number): Promise<LoadResult> {
  const opts = { url, bodyFile: bodyFile(scen), headers: headers(scen, key), rate, duration: seconds, warmup: CFG.rateWarmup, timeoutMs: 10_000 };
  const r = await runCmd(process.execPath, [path.join(BENCH, 'lib', 'rate-gen.mjs'), JSON.stringify(opts)], { cwd: ROOT, cpus: pinFor('gen'), timeoutMs: (seconds + CFG.rateWarmup + 30) * 1000 });
  const line = r.out.split('\n').find((l) => l.startsWith('RATEJSON '));
  if (!line) throw new Error(`rate-gen failed (code ${r.code}): ${r.out}\n${r.err}`);
  const j = JSON.parse(line.slice(9));
  return {
    tool: 'rate-gen', rps: j.achieved_rps, requests: j.ok, errors: j.errors + j.non2xx,
    err_detail: { errors: j.errors, non2xx: j.non2xx, samples: j.error_samples, statuses: j.status_samples },
    lat_ms: j.lat_ms, co_lat_ms: j.co_lat_ms, ttfb_ms: j.ttfb_ms, co_ttfb_ms: j.co_ttfb_ms, lag_ms: j.lag_ms, max_inflight: j.max_inflight,
    gen_cpu_ms: j.gen_cpu_ms, seconds: seconds + CFG.rateWarmup, scheduled: Math.round((seconds + CFG.rateWarmup) * rate),
  };
}

// ------------------------------------------------------------------ usage rows (durability check)
function sqliteUsageRows(file: string): number {
  const db = new Database(file, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    return Number((db.prepare('SELECT count(*) AS n FROM usage_events').get() as { n: number }).n);
  } finally {
    db.close();
  }
}
async function pgUsageRows(url: string): Promise<number> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await c.connect();
  try { return Number((await c.query('select count(*)::int as n from usage_events')).rows[0].n); } finally { await c.end(); }
}

// ------------------------------------------------------------------ core matrix
interface Targets { direct: Server; bare: Server; tollgate: Server }
const raw: Record<string, unknown> = {};
const allRuns: RunRecord[] = [];

async function measure(phase: 'sat' | 'rate', target: string, server: Server, scen: Scenario, rate: number | null, rep: number,
  key: string, procs: Record<string, Child>, rowsOf?: () => Promise<number> | number): Promise<RunRecord> {
  const url = `${server.url}${pathOf(scen)}`;
  const cpu0 = Object.fromEntries(Object.entries(procs).map(([k, c]) => [k, procCpuMs(c.pid)]));
  const rows0 = rowsOf ? await rowsOf() : undefined;
  const m0 = machineCpu();
  const t0 = Date.now();
  const res = phase === 'sat' ? await closedLoop(url, scen, key, CFG.satSeconds, CFG.conns) : await openLoop(url, scen, key, rate!, CFG.rateSeconds);
  const m1 = machineCpu();
  const cpu = Object.fromEntries(Object.entries(procs).map(([k, c]) => [k, +(procCpuMs(c.pid) - cpu0[k]!).toFixed(0)]));
  let usageRows: number | undefined;
  if (rowsOf) { await sleep(200); usageRows = (await rowsOf()) - rows0!; }
  // CPU per request: saturation divides by completed requests; rate runs include the generator's warm-up
  // requests in the CPU, so they divide by every scheduled request (as the reference does).
  const denom = phase === 'sat' ? res.requests : res.scheduled!;
  const rec: RunRecord = {
    phase, target, scenario: scen, rate, rep, tool: res.tool, rps: res.rps, requests: res.requests, errors: res.errors, err_detail: res.err_detail,
    lat_ms: res.lat_ms, co_lat_ms: res.co_lat_ms, ttfb_ms: res.ttfb_ms, co_ttfb_ms: res.co_ttfb_ms, lag_ms: res.lag_ms, max_inflight: res.max_inflight,
    gen_cpu_ms: res.gen_cpu_ms, proc_cpu_ms: cpu,
    cpu_us_per_req: Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, denom > 0 ? +((v * 1000) / denom).toFixed(1) : NaN])),
    machine_cpu_pct: +machineBusyPct(m0, m1, CORES).toFixed(0), usage_rows: usageRows, wall_s: (Date.now() - t0) / 1000,
  };
  const l = rec.co_lat_ms ?? rec.lat_ms;
  log(`${phase.padEnd(4)} ${scen.padEnd(15)} ${target.padEnd(11)} ${rate ? String(rate).padStart(5) + '/s' : '  sat  '} rep${rep}: ` +
    `${String(rec.rps).padStart(8)} req/s  p50 ${l.p50}  p99 ${l.p99} ms${rec.ttfb_ms && isStream(scen) ? `  ttfb p50 ${rec.ttfb_ms.p50}` : ''}  err ${rec.errors}  ` +
    `cpu/req ${Object.entries(rec.cpu_us_per_req).map(([k, v]) => `${k} ${v}`).join(', ')} µs  machine ${rec.machine_cpu_pct}%` +
    (usageRows !== undefined ? `  usage rows +${usageRows}` : ''));
  return rec;
}

async function smoke(t: Targets, key: string, scenarios: Scenario[]): Promise<{ ok: Scenario[]; skipped: Array<{ scenario: Scenario; why: string }>; rows: unknown[]; hardFail: boolean }> {
  const rows: Array<{ target: string; scenario: Scenario; status: number; ok: boolean; detail: string }> = [];
  for (const scen of scenarios)
    for (const target of TARGETS) {
      const s = t[target];
      let status = 0, ok = false, detail = '';
      try {
        const r = await fetch(`${s.url}${pathOf(scen)}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers(scen, key) }, body: JSON.stringify(body(scen)), signal: AbortSignal.timeout(15_000) });
        status = r.status;
        const c = checkReply(scen, r.status, await r.text());
        ok = c.ok; detail = c.detail;
      } catch (e) { detail = String((e as Error).message); }
      rows.push({ target, scenario: scen, status, ok, detail });
      log(`smoke ${ok ? 'OK  ' : 'FAIL'} ${target.padEnd(8)} ${scen.padEnd(15)} HTTP ${status} ${detail}`);
    }
  const ok: Scenario[] = [];
  const skipped: Array<{ scenario: Scenario; why: string }> = [];
  let hardFail = false;
  for (const scen of scenarios) {
    const r = rows.filter((x) => x.scenario === scen);
    if (r.every((x) => x.ok)) { ok.push(scen); continue; }
    const tg = r.find((x) => x.target === 'tollgate')!;
    if (tg.status === 404 && r.filter((x) => x.target !== 'tollgate').every((x) => x.ok)) {
      skipped.push({ scenario: scen, why: `skipped: Tollgate has no ${pathOf(scen)} route yet (HTTP 404)` });
      note(`${SCENARIO_LABEL[scen]}: Tollgate answers 404 on ${pathOf(scen)}; scenario skipped`);
    } else {
      hardFail = true;
      skipped.push({ scenario: scen, why: `REJECTED by smoke check: ${r.filter((x) => !x.ok).map((x) => `${x.target} HTTP ${x.status} ${x.detail}`).join('; ').slice(0, 300)}` });
      note(`${SCENARIO_LABEL[scen]} rejected by the smoke check (see smoke rows in the JSON)`);
    }
  }
  return { ok, skipped, rows, hardFail };
}

async function phaseCore(t: Targets, key: string, tgDbFile: string) {
  const sm = await smoke(t, key, CFG.scenarios);
  raw.smoke = sm.rows;
  const procs = { mock: t.direct.child, bare: t.bare.child, tollgate: t.tollgate.child };
  const rowsOf = () => sqliteUsageRows(tgDbFile);
  for (const scen of sm.ok)
    for (const target of TARGETS) await closedLoop(`${t[target].url}${pathOf(scen)}`, scen, key, CFG.warmup, CFG.conns);
  log(`warm-up done (${CFG.warmup}s per target × scenario)`);
  for (let rep = 1; rep <= CFG.reps; rep++) {
    const order: Target[] = rep % 2 ? [...TARGETS] : [...TARGETS].reverse();
    for (const scen of sm.ok) {
      for (const tg of order) allRuns.push(await measure('sat', tg, t[tg], scen, null, rep, key, procs, tg === 'tollgate' ? rowsOf : undefined));
      for (const rate of CFG.rates)
        for (const tg of order) allRuns.push(await measure('rate', tg, t[tg], scen, rate, rep, key, procs, tg === 'tollgate' ? rowsOf : undefined));
    }
    if (failedEarly) throw new Error(failedEarly);
  }
  return sm;
}

// ------------------------------------------------------------------ phase: SQLite vs PostgreSQL
let pgDb: { admin: string; url: string; name: string } | null = null;
let pgUnreachable = false;
async function pgDatabase(): Promise<{ url: string; name: string } | null> {
  if (pgDb) return pgDb;
  if (pgUnreachable) return null;
  const admin = new pg.Client({ connectionString: CFG.pgAdminUrl, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
  } catch (e) {
    pgUnreachable = true;
    note(`PostgreSQL not reachable at ${CFG.pgAdminUrl} (${(e as Error).message}); PostgreSQL figures skipped`);
    return null;
  }
  const name = `tollgate_bench_${STAMP.replace(/-/g, '').toLowerCase()}_${process.pid}`;
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const u = new URL(CFG.pgAdminUrl);
  u.pathname = `/${name}`;
  pgDb = { admin: CFG.pgAdminUrl, url: u.toString(), name };
  log(`created PostgreSQL database ${name}`);
  return pgDb;
}
async function dropPgDatabase() {
  if (!pgDb) return;
  const admin = new pg.Client({ connectionString: pgDb.admin, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
    await admin.query(`drop database if exists ${pgDb.name} with (force)`);
    log(`dropped PostgreSQL database ${pgDb.name}`);
  } catch (e) {
    log(`could not drop PostgreSQL database ${pgDb.name}: ${(e as Error).message}`);
  } finally {
    await admin.end().catch(() => {});
    pgDb = null;
  }
}

async function phasePg(t: Targets, key: string, tgDbFile: string) {
  const db = await pgDatabase();
  if (!db) return { skipped: true };
  const tgPg = await startTollgate('tollgate-pg', db.url, t.direct);
  const cust = await provision(db.url);
  await waitKey(tgPg, cust.key);
  const c = checkReply('messages', 200, await (await fetch(`${tgPg.url}/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers('messages', cust.key) }, body: JSON.stringify(body('messages')) })).text());
  if (!c.ok) throw new Error(`tollgate-pg smoke failed: ${c.detail}`);
  await closedLoop(`${tgPg.url}/v1/messages`, 'messages', cust.key, CFG.warmup, CFG.conns);
  const runs: RunRecord[] = [];
  const procs = { mock: t.direct.child, bare: t.bare.child, tollgate: t.tollgate.child, 'tollgate-pg': tgPg.child };
  const order = [['bare', t.bare, key], ['tollgate', t.tollgate, key], ['tollgate-pg', tgPg, cust.key]] as const;
  const save = CFG.satSeconds;
  CFG.satSeconds = CFG.pgSeconds;
  try {
    for (let rep = 1; rep <= CFG.reps; rep++) {
      const o = rep % 2 ? [...order] : [...order].reverse();
      for (const [name, s, k] of o) {
        const rowsOf = name === 'tollgate' ? () => sqliteUsageRows(tgDbFile) : name === 'tollgate-pg' ? () => pgUsageRows(db.url) : undefined;
        runs.push(await measure('sat', name, s, 'messages', null, rep, k, procs, rowsOf));
      }
    }
  } finally {
    CFG.satSeconds = save;
  }
  await stopChild(tgPg.child);
  const by = (n: string) => runs.filter((r) => r.target === n);
  const avg = (a: number[]) => a.reduce((s, x) => s + x, 0) / a.length;
  const out = {
    runs,
    rps: { bare: avg(by('bare').map((r) => r.rps)), sqlite: avg(by('tollgate').map((r) => r.rps)), postgres: avg(by('tollgate-pg').map((r) => r.rps)) },
    cpu_us_per_req: {
      bare: avg(by('bare').map((r) => r.cpu_us_per_req.bare!)),
      sqlite: avg(by('tollgate').map((r) => r.cpu_us_per_req.tollgate!)),
      postgres: avg(by('tollgate-pg').map((r) => r.cpu_us_per_req['tollgate-pg']!)),
    },
    p99_ms: { sqlite: avg(by('tollgate').map((r) => r.lat_ms.p99!)), postgres: avg(by('tollgate-pg').map((r) => r.lat_ms.p99!)) },
    usage_rows_per_s: { sqlite: avg(by('tollgate').map((r) => (r.usage_rows ?? 0) / CFG.pgSeconds)), postgres: avg(by('tollgate-pg').map((r) => (r.usage_rows ?? 0) / CFG.pgSeconds)) },
  };
  return out;
}

// ------------------------------------------------------------------ phase: three instances on Redis + PostgreSQL
/** The pid of the local redis-server (its CPU is part of what the shared limiter costs), if any. */
function redisPid(): number | null {
  try { return Number(String(execFileSync('pidof', ['redis-server'], { stdio: ['ignore', 'pipe', 'ignore'] })).trim().split(/\s+/)[0]) || null; } catch { return null; }
}
async function redisReachable(url: string): Promise<boolean> {
  const u = new URL(url);
  const net = await import('node:net');
  return new Promise((resolve) => {
    const s = net.connect(Number(u.port || 6379), u.hostname);
    const done = (ok: boolean) => { s.destroy(); resolve(ok); };
    s.setTimeout(2000, () => done(false));
    s.once('error', () => done(false));
    s.once('connect', () => s.write('PING\r\n'));
    s.once('data', (d) => done(String(d).startsWith('+PONG')));
  });
}

async function phaseScale() {
  const db = await pgDatabase();
  if (!db) return { skipped: 'PostgreSQL not reachable' };
  if (!(await redisReachable(CFG.redisUrl))) { note(`Redis not reachable at ${CFG.redisUrl}; the three-instance figures are skipped`); return { skipped: 'Redis not reachable' }; }
  const mock = await startMock('mock-scale');
  const bare = await startBare('bare-scale', mock);
  const single = await startTollgate('tollgate-pg-local', db.url, mock);
  const cust = await provision(db.url);
  await waitKey(single, cust.key);
  const shared = { REDIS_URL: CFG.redisUrl };
  const gws: Server[] = [];
  for (let i = 1; i <= 3; i++) { const s = await startTollgate(`tollgate-redis-${i}`, db.url, mock, [], shared); await waitKey(s, cust.key); gws.push(s); }
  const rpid = redisPid();
  const scen: Scenario = 'messages';
  const secs = CFG.pgSeconds;
  for (const s of [bare, single, ...gws]) await closedLoop(`${s.url}${pathOf(scen)}`, scen, cust.key, CFG.warmup, CFG.conns);
  const cpuOf = (pids: number[]) => pids.reduce((t, p) => t + procCpuMs(p), 0);
  const one = async (s: Server, extraPids: number[] = []) => {
    const c0 = procCpuMs(s.child.pid), r0 = cpuOf(extraPids);
    const r = await closedLoop(`${s.url}${pathOf(scen)}`, scen, cust.key, secs, CFG.conns);
    return { rps: r.rps, requests: r.requests, errors: r.errors, p99_ms: r.lat_ms.p99, cpu_us_per_req: r.requests ? ((procCpuMs(s.child.pid) - c0) * 1000) / r.requests : NaN, redis_us_per_req: extraPids.length && r.requests ? ((cpuOf(extraPids) - r0) * 1000) / r.requests : null };
  };
  const rows0 = await pgUsageRows(db.url);
  const bareR = await one(bare);
  const local = await one(single);
  const redis1 = await one(gws[0]!, rpid ? [rpid] : []);
  // All three at once, the connections split between them (a load balancer's view).
  const per = Math.max(8, Math.round(CFG.conns / 3));
  const c0 = gws.map((g) => procCpuMs(g.child.pid)), rc0 = rpid ? procCpuMs(rpid) : 0;
  const three = await Promise.all(gws.map((g) => closedLoop(`${g.url}${pathOf(scen)}`, scen, cust.key, secs, per)));
  const req3 = three.reduce((t, r) => t + r.requests, 0);
  const cpu3 = gws.reduce((t, g, i) => t + procCpuMs(g.child.pid) - c0[i]!, 0);
  await sleep(300);
  const rows = (await pgUsageRows(db.url)) - rows0;
  const out = {
    scenario: scen, seconds: secs, redis: CFG.redisUrl,
    bare: bareR, one_instance_local_limiter: local, one_instance_redis: redis1,
    three_instances: {
      rps: +three.reduce((t, r) => t + r.rps, 0).toFixed(1), per_instance_rps: three.map((r) => r.rps), errors: three.reduce((t, r) => t + r.errors, 0),
      connections_each: per, cpu_us_per_req: req3 ? (cpu3 * 1000) / req3 : NaN, redis_us_per_req: rpid && req3 ? ((procCpuMs(rpid) - rc0) * 1000) / req3 : null,
    },
    shared_limiter_cpu_us_per_req: redis1.cpu_us_per_req - local.cpu_us_per_req,
    usage_rows_written: rows,
  };
  log(`scale: bare ${fmt(bareR.rps)} req/s; one instance on PostgreSQL ${fmt(local.rps)} req/s (${fmt(local.cpu_us_per_req, 0)} µs/req), with Redis ${fmt(redis1.rps)} req/s (${fmt(redis1.cpu_us_per_req, 0)} µs/req + redis-server ${fmt(redis1.redis_us_per_req ?? NaN, 0)}); ` +
    `three instances ${fmt(out.three_instances.rps)} req/s aggregate (${out.three_instances.per_instance_rps.join(' + ')})`);
  for (const s of [...gws, single, bare, mock]) await stopChild(s.child);
  return out;
}

// ------------------------------------------------------------------ phase: RSS with many open streams
async function phaseRss(tgDbFile: string, key: string) {
  const slow = await startMock('mock-slow', { MOCK_CHUNK_DELAY_MS: String(CFG.rssChunkDelayMs) });
  const results: Record<string, unknown> = {};
  for (const name of ['bare', 'tollgate'] as const) {
    const s = name === 'bare' ? await startBare('bare-rss', slow) : await startTollgate('tollgate-rss', tgDbFile, slow);
    if (name === 'tollgate') await waitKey(s, key);
    // Warm (JIT, pools) with a second of JSON traffic, then let the heap settle.
    await closedLoop(`${s.url}/v1/messages`, 'messages', key, 1, 20, 'node');
    await sleep(500);
    const idle = procMem(s.child.pid);
    const sockIdle = procSockets(slow.child.pid);
    let peakRss = idle.rssKb, peakSock = 0;
    const sampler = setInterval(() => {
      const m = procMem(s.child.pid);
      if (m.rssKb > peakRss) peakRss = m.rssKb;
      const k = procSockets(slow.child.pid) - sockIdle;
      if (k > peakSock) peakSock = k;
    }, 100);
    const cpu0 = procCpuMs(s.child.pid);
    let res: LoadResult;
    try {
      res = await closedLoop(`${s.url}/v1/messages`, 'messages-stream', key, CFG.rssSeconds, CFG.rssStreams, 'node');
    } finally {
      clearInterval(sampler);
    }
    const cpuMs = procCpuMs(s.child.pid) - cpu0;
    const end = procMem(s.child.pid);
    results[name] = {
      idle_rss_mib: +(idle.rssKb / 1024).toFixed(1), peak_rss_mib: +(Math.max(peakRss, end.hwmKb) / 1024).toFixed(1),
      peak_sampled_rss_mib: +(peakRss / 1024).toFixed(1), vm_hwm_mib: +(end.hwmKb / 1024).toFixed(1),
      kib_per_open_stream: +((Math.max(peakRss, end.hwmKb) - idle.rssKb) / CFG.rssStreams).toFixed(1),
      streams_completed: res.requests, errors: res.errors, stream_p50_ms: res.lat_ms.p50, upstream_connections_peak: peakSock,
      cpu_us_per_stream: res.requests ? +((cpuMs * 1000) / res.requests).toFixed(0) : null,
    };
    log(`rss ${name}: idle ${fmt(idle.rssKb / 1024)} MiB, peak ${fmt(Math.max(peakRss, end.hwmKb) / 1024)} MiB with ${CFG.rssStreams} client streams ` +
      `(upstream connections at the mock: ${peakSock}), ${res.requests} streams done, ${res.errors} errors`);
    await stopChild(s.child);
  }
  await stopChild(slow.child);
  return { client_streams: CFG.rssStreams, chunk_delay_ms: CFG.rssChunkDelayMs, seconds: CFG.rssSeconds, ...results };
}

// ------------------------------------------------------------------ phase: usage-event ingestion (UsageWriter microbench)
async function phaseIngest() {
  const out: Array<Record<string, any>> = [];
  const kinds: Array<[string, () => Promise<string | null>]> = [['sqlite', async () => path.join(TMP, 'ingest-{c}.db')]];
  if (CFG.phases.includes('pg')) kinds.push(['postgres', async () => (await pgDatabase())?.url ?? null]);
  for (const [kind, urlOf] of kinds) {
    const url = await urlOf();
    if (!url) continue;
    const opts = { databaseUrl: url, concurrency: CFG.ingestConcurrency, seconds: CFG.ingestSeconds };
    const r = await runCmd(process.execPath, ['--import', 'tsx', path.join(BENCH, 'lib', 'ingest.ts'), JSON.stringify(opts)], {
      cwd: ROOT, cpus: pinFor('proxy'), timeoutMs: CFG.ingestConcurrency.length * (CFG.ingestSeconds + 40) * 1000 + 30_000,
    });
    const lines = r.out.split('\n').filter((l) => l.startsWith('INGESTJSON '));
    if (lines.length < CFG.ingestConcurrency.length) note(`ingest ${kind} failed (code ${r.code}${r.timedOut ? ', timed out' : ''}): ${r.err.slice(0, 300)}`);
    for (const line of lines) {
      const j = JSON.parse(line.slice(11));
      out.push(j);
      log(`ingest ${kind} concurrency ${j.concurrency}: ${j.events_per_s} events/s durable, p50 ${j.durable_latency_ms.p50} ms, p99 ${j.durable_latency_ms.p99} ms, ${j.process_cpu_us_per_event} µs CPU/event`);
    }
  }
  return out;
}

// ------------------------------------------------------------------ phase: dashboard aggregate over 10M events
async function phaseAgg() {
  const dir = path.join(TMP, 'agg');
  const opts = { dir, rows: CFG.aggRows, orgs: 100, days: 30, models: 10, allOrgs: CFG.aggAllOrgs };
  log(`agg: generating ${CFG.aggRows.toLocaleString('en-US')} usage events (100 orgs × 30 days × 10 models)…`);
  const r = await runCmd(process.execPath, ['--import', 'tsx', path.join(BENCH, 'lib', 'agg.ts'), JSON.stringify(opts)], { cwd: ROOT, timeoutMs: 400_000 });
  fs.rmSync(dir, { recursive: true, force: true });
  const line = r.out.split('\n').find((l) => l.startsWith('AGGJSON '));
  if (!line) throw new Error(`agg failed (code ${r.code}${r.timedOut ? ', timed out' : ''}): ${r.err.slice(-500)}`);
  const j = JSON.parse(line.slice(8));
  log(`agg: usageByDay (rollups) ${j.rollup_usageByDay_ms.median} ms vs raw events ${j.raw_events_ms.median} ms (median of ${j.raw_events_ms.reps}); results match: ${j.results_match}`);
  return j;
}

// ------------------------------------------------------------------ phase: the key cache at 1M keys
async function phaseKeys() {
  const dir = path.join(TMP, 'keys');
  const opts = { dir, counts: CFG.keysCounts };
  log(`keys: key cache with ${CFG.keysCounts.map((n) => n.toLocaleString('en-US')).join(' and ')} keys…`);
  const r = await runCmd(process.execPath, ['--expose-gc', '--import', 'tsx', path.join(BENCH, 'lib', 'keys.ts'), JSON.stringify(opts)], { cwd: ROOT, timeoutMs: 600_000 });
  fs.rmSync(dir, { recursive: true, force: true });
  const out = r.out.split('\n').filter((l) => l.startsWith('KEYSJSON ')).map((l) => JSON.parse(l.slice(9)));
  if (out.length < CFG.keysCounts.length) note(`keys failed (code ${r.code}${r.timedOut ? ', timed out' : ''}): ${r.err.slice(-300)}`);
  for (const j of out) log(`keys ${j.keys}: ${j.heap_bytes_per_key} B/key, load ${j.load_ms} ms, hot auth ${j.hot_auth_ns} ns, miss ${j.miss_lookup_us.p50} µs, incremental reload ${j.incremental_reload_us.p50} µs p50`);
  return out;
}

// ------------------------------------------------------------------ phase: CPU profile of one saturation run
async function phaseProf(t: Targets, key: string, tgDbFile: string): Promise<ProfileSummary | null> {
  const profDir = path.join(TMP, 'prof');
  fs.mkdirSync(profDir);
  const s = await startTollgate('tollgate-prof', tgDbFile, t.direct, ['--cpu-prof', `--cpu-prof-dir=${profDir}`]);
  await waitKey(s, key);
  for (const scen of ['messages', 'messages-stream'] as Scenario[]) await closedLoop(`${s.url}${pathOf(scen)}`, scen, key, CFG.profSeconds / 2, CFG.conns);
  await stopChild(s.child, 20_000);
  const f = fs.readdirSync(profDir).find((x) => x.endsWith('.cpuprofile'));
  if (!f) { note('no .cpuprofile was written by the profiled Tollgate'); return null; }
  const keep = path.join(CFG.outDir, `${STAMP}-tollgate.cpuprofile`);
  fs.copyFileSync(path.join(profDir, f), keep);
  const p = summarizeProfile(keep, ROOT);
  log(`profile: ${keep} (${p.samples} samples over ${p.window_ms} ms after the first request)`);
  return p;
}

// ------------------------------------------------------------------ output
function envInfo() {
  let wrkv: string | null = null;
  if (hasCommand('wrk')) {
    try { wrkv = String(execFileSync('wrk', ['--version'], { stdio: ['ignore', 'pipe', 'pipe'] })).split('\n')[0]!; } catch (e: any) { wrkv = String(e.stdout ?? '').split('\n')[0] || 'wrk'; }
  }
  let head = '';
  try { head = String(execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] })).trim(); } catch { /* not a git checkout */ }
  return {
    date: new Date().toISOString(), node: process.version, cpus: CORES, cpu_model: os.cpus()[0]?.model, mem_gib: +(os.totalmem() / 2 ** 30).toFixed(1),
    kernel: os.release(), loadavg_at_start: os.loadavg().map((x) => +x.toFixed(2)), wrk: wrkv, git_head: head,
    pinning: CFG.pin ? { generator: CFG.genCpus, mock: CFG.mockCpus, proxies: CFG.proxyCpus } : null,
  };
}

function alsoTable(extra: Record<string, any>): string {
  const L: string[] = ['| also measured | bare proxy | Tollgate | note |', '|---|---:|---:|---|'];
  const sat = allRuns.filter((r) => r.phase === 'sat' && r.target === 'tollgate' && r.usage_rows !== undefined && r.scenario === 'messages');
  if (sat.length) {
    const rows = sat.reduce((s, r) => s + (r.usage_rows ?? 0), 0), ok = sat.reduce((s, r) => s + r.requests, 0);
    const perS = sat.reduce((s, r) => s + (r.usage_rows ?? 0) / CFG.satSeconds, 0) / sat.length;
    L.push(`| usage events durably written during messages-JSON saturation (events/s) | – | ${fmt(perS)} | ${rows.toLocaleString('en-US')} rows for ${ok.toLocaleString('en-US')} 2xx replies (client aborts at the end of a run are billed too) |`);
  }
  if (extra.rss) {
    const r = extra.rss;
    L.push(`| peak RSS with ${r.client_streams} open client streams (MiB) | ${fmt(r.bare?.peak_rss_mib)} | ${fmt(r.tollgate?.peak_rss_mib)} | idle ${fmt(r.bare?.idle_rss_mib)} / ${fmt(r.tollgate?.idle_rss_mib)} MiB; ` +
      `≈ ${fmt(r.bare?.kib_per_open_stream)} / ${fmt(r.tollgate?.kib_per_open_stream)} KiB per stream; ${r.tollgate?.peak_rss_mib && r.bare?.peak_rss_mib ? (r.tollgate.peak_rss_mib / r.bare.peak_rss_mib).toFixed(2) + '× bare; ' : ''}` +
      `upstream connections peak ${r.bare?.upstream_connections_peak} / ${r.tollgate?.upstream_connections_peak} (SSE event every ${r.chunk_delay_ms} ms) |`);
  }
  if (extra.pg && !extra.pg.skipped) {
    const p = extra.pg;
    L.push(`| messages JSON throughput, SQLite → PostgreSQL (req/s) | ${fmt(p.rps.bare)} | ${fmt(p.rps.sqlite)} → ${fmt(p.rps.postgres)} | PostgreSQL ${((100 * p.rps.postgres) / p.rps.sqlite).toFixed(0)} % of SQLite; Tollgate CPU µs/req ${fmt(p.cpu_us_per_req.sqlite, 0)} → ${fmt(p.cpu_us_per_req.postgres, 0)} (the PostgreSQL server's own CPU not included); p99 ${fmt(p.p99_ms.sqlite)} → ${fmt(p.p99_ms.postgres)} ms |`);
  }
  if (extra.scale && !extra.scale.skipped) {
    const s = extra.scale;
    L.push(`| three instances on Redis + PostgreSQL, messages JSON, aggregate (req/s) | ${fmt(s.bare.rps)} | ${fmt(s.three_instances.rps)} | ${s.three_instances.per_instance_rps.map((x: number) => fmt(x)).join(' + ')} req/s, ${s.three_instances.connections_each} connections each, all on this box's ${CORES} cores with the generator, mock, PostgreSQL and Redis; ${fmt(s.three_instances.cpu_us_per_req, 0)} µs CPU per request per instance; ${s.three_instances.errors} errors; ${s.usage_rows_written.toLocaleString('en-US')} usage events written |`);
    L.push(`| shared limiter's cost per request (µs CPU): one instance with Redis − without | – | ${fmt(s.shared_limiter_cpu_us_per_req, 0)} | ${fmt(s.one_instance_local_limiter.cpu_us_per_req, 0)} → ${fmt(s.one_instance_redis.cpu_us_per_req, 0)} µs/req in the gateway${s.one_instance_redis.redis_us_per_req !== null ? `, plus ${fmt(s.one_instance_redis.redis_us_per_req, 0)} µs/req in redis-server` : ''}; ${fmt(s.one_instance_local_limiter.rps)} → ${fmt(s.one_instance_redis.rps)} req/s |`);
  }
  if (extra.ingest?.length) {
    for (const j of extra.ingest) L.push(`| UsageWriter ingestion, ${j.database}, ${j.concurrency} waiting requests (events/s durable) | – | ${fmt(j.events_per_s)} | commit wait p50 ${fmt(j.durable_latency_ms.p50)} / p99 ${fmt(j.durable_latency_ms.p99)} ms; ${fmt(j.process_cpu_us_per_event, 0)} µs CPU per event |`);
  }
  if (extra.agg) {
    const a = extra.agg;
    L.push(`| dashboard query over ${a.events.toLocaleString('en-US')} events: one org, one month, by day × model (ms) | – | ${fmt(a.rollup_usageByDay_ms.median)} | \`usageByDay\` on usage_daily (${a.usage_daily_rows.toLocaleString('en-US')} rows); the same aggregate from raw usage_events: ${fmt(a.raw_events_ms.median)} ms (${a.query.events_scanned_raw.toLocaleString('en-US')} events, ${(a.raw_events_ms.median / a.rollup_usageByDay_ms.median).toFixed(0)}× slower); results match: ${a.results_match ? 'yes' : '**NO**'}; load ${a.load_s} s |`);
    if (a.all_orgs) L.push(`| same, all orgs (ms) | – | ${fmt(a.all_orgs.rollup_usageByDay_ms)} | raw usage_events: ${fmt(a.all_orgs.raw_events_ms)} ms |`);
  }
  if (extra.keys?.length) {
    for (const k of extra.keys) {
      L.push(`| key cache, ${k.keys.toLocaleString('en-US')} keys: heap per key (bytes) / start-up load (ms) | – | ${k.heap_bytes_per_key} / ${fmt(k.load_ms, 0)} | ${k.heap_mib} MiB in all; hot auth (SHA-256 + Map lookup) ${k.hot_auth_ns} ns; first use of a new key (database lookup) p50 ${k.miss_lookup_us.p50} µs; incremental reload of one revoked key p50 ${k.incremental_reload_us.p50} / p99 ${k.incremental_reload_us.p99} µs; revoked refused ${k.revoked_refused} |`);
    }
  }
  return L.length > 2 ? L.join('\n') : '';
}

/** How slow is the box right now? The mock's CPU per request at direct saturation against the quiet reference run. */
function speedNote(): string {
  const d = allRuns.filter((r) => r.phase === 'sat' && r.target === 'direct' && r.scenario === 'messages');
  if (!d.length) return '';
  const mock = d.reduce((s, r) => s + (r.cpu_us_per_req.mock ?? 0), 0) / d.length;
  return ` Box speed check: the mock spent ${mock.toFixed(0)} µs CPU per messages-JSON request at direct saturation (17–21 µs on the quiet reference box, ` +
    `the reference run of 2026-11-26), so absolute CPU figures here are ~${(mock / 19).toFixed(1)}× the quiet-box ones; compare ratios.`;
}

function profileMd(p: ProfileSummary): string {
  const L = [`CPU profile of Tollgate (\`--cpu-prof\`, ${p.samples} samples over ${(p.window_ms / 1000).toFixed(1)} s of messages JSON + stream saturation; % of busy time):`, ''];
  L.push('| # | self % | function | where |', '|---:|---:|---|---|');
  p.top_tollgate.forEach((r, i) => {
    L.push(`| ${i + 1} | ${r.self_pct} | \`${r.fn}\` | ${r.where} |`);
  });
  L.push('', 'Inclusive (function anywhere on the stack): ' + p.inclusive_tollgate.map((r) => `\`${r.fn === '(anonymous)' ? `(anonymous in ${r.where})` : r.fn}\` ${r.self_pct} %`).join(', '));
  L.push('', 'By package (self time): ' + p.by_package.map((x) => `${x.package} ${x.self_pct} %`).join(', '));
  L.push('', 'Top self time overall: ' + p.top_overall.map((r) => `\`${r.fn}\` (${r.where || 'native'}) ${r.self_pct} %`).join(', '));
  return L.join('\n');
}

// ------------------------------------------------------------------ main
let cleanedUp = false;
async function cleanup() {
  if (cleanedUp) return;
  cleanedUp = true;
  await stopAllChildren();
  await dropPgDatabase();
  if (!CFG.keepTmp) fs.rmSync(TMP, { recursive: true, force: true });
}
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => { log(`${sig}: stopping`); void cleanup().then(() => process.exit(130)); });
const watchdog = setTimeout(() => {
  log(`BENCH_TIMEOUT_S=${CFG.timeoutS} reached: stopping everything`);
  void cleanup().then(() => process.exit(124));
}, CFG.timeoutS * 1000);
watchdog.unref();

async function main() {
  const info = envInfo();
  log(`config: ${JSON.stringify(CFG)}`);
  log(`tmp: ${TMP}; load generator: ${CFG.loadgen}; pinning: ${CFG.pin ? `generator+mock on CPU ${CFG.genCpus}, proxies on CPU ${CFG.proxyCpus}` : 'off'}`);
  if (CFG.loadgen === 'node') note('wrk not found: the closed-loop phase uses the Node driver (bench/lib/closed-loop.mjs), which costs more CPU per request than wrk; `apt-get install -y wrk` for figures comparable with the reference');
  const phases = new Set(CFG.phases);
  const extra: Record<string, any> = {};
  let sm: Awaited<ReturnType<typeof smoke>> | null = null;

  const tgDbFile = path.join(TMP, 'tollgate.db');
  let targets: Targets | null = null;
  let key = '';
  if (['core', 'pg', 'prof', 'rss', 'scale'].some((p) => phases.has(p))) ensureBuilt();
  if (['core', 'pg', 'prof', 'rss'].some((p) => phases.has(p))) {
    const mock = await startMock('mock');
    const bare = await startBare('bare', mock);
    const tollgate = await startTollgate('tollgate', tgDbFile, mock);
    targets = { direct: mock, bare, tollgate };
    log(`servers up: mock ${mock.url} (pid ${mock.child.pid}), bare ${bare.url} (pid ${bare.child.pid}), tollgate ${tollgate.url} (pid ${tollgate.child.pid})`);
    const cust = await provision(tgDbFile);
    key = cust.key;
    await waitKey(tollgate, key);
    log(`customer ${cust.orgId} created with the CLI (100,000 USD credits, no spend cap; tiers file with unreachable limits)`);
  }
  if (phases.has('core') && targets) sm = await phaseCore(targets, key, tgDbFile);
  if (phases.has('pg') && targets) extra.pg = await phasePg(targets, key, tgDbFile);
  if (phases.has('prof') && targets) extra.prof = await phaseProf(targets, key, tgDbFile);
  if (targets) { for (const s of [targets.tollgate, targets.bare, targets.direct]) await stopChild(s.child); }
  if (phases.has('scale')) extra.scale = await phaseScale();
  if (phases.has('rss')) extra.rss = await phaseRss(tgDbFile, key);
  if (phases.has('ingest')) extra.ingest = await phaseIngest();
  if (phases.has('agg')) extra.agg = await phaseAgg();
  if (phases.has('keys')) extra.keys = await phaseKeys();

  // ---- the table
  const { md: matrix, verdicts } = matrixTable({ runs: allRuns, scenarios: sm?.ok ?? [], rates: CFG.rates, conns: CFG.conns, skipped: sm?.skipped ?? [] });
  const passN = verdicts.filter((v) => v.pass).length;
  const layout = CFG.pin
    ? `pinned with taskset: load generator and mock on CPU ${CFG.genCpus}, the proxy under test on CPU ${CFG.proxyCpus}`
    : 'not pinned';
  const lines = [
    `## Tollgate vs the physical limit — ${info.date.slice(0, 16).replace('T', ' ')} UTC${QUICK ? ' (QUICK)' : ''}`,
    '',
    `Node ${info.node}, ${info.cpus} CPU (${info.cpu_model}), load average at start ${info.loadavg_at_start.join(' / ')}${info.git_head ? `, commit ${info.git_head}` : ''}. ` +
      `Closed loop: ${CFG.loadgen === 'wrk' ? `wrk -t1 -c${CFG.conns}` : `Node driver, ${CFG.conns} connections`}, ${CFG.satSeconds} s; open loop: rate-gen, ${CFG.rateSeconds} s (+${CFG.rateWarmup} s discarded), ` +
      `latency coordinated-omission corrected, end of body (whole stream for SSE); ${CFG.reps} rep(s), targets interleaved, order reversed every other rep; cells are means of reps.`,
    '',
    `**The load generator, the mock upstream and the proxy share the machine's ${info.cpus} cores** (${layout}); other processes on the box add noise. ` +
      'Throughput is a property of the whole box; the Tollgate/bare ratio of proxy CPU µs/req is the steadiest comparison.' + speedNote(),
    '',
  ];
  const naN = (matrix.match(/n\/a: bare itself queued/g) ?? []).length;
  if (matrix.split('\n').length > 2) lines.push(matrix, '', `Targets: ${passN}/${verdicts.length} met${naN ? `; ${naN} without verdict because the bare proxy itself queued (box overloaded: rerun when it is quieter)` : ''}.`, '');
  const also = alsoTable(extra);
  if (also) lines.push(also, '');
  if (extra.prof) lines.push(profileMd(extra.prof), '');
  if (notes.length) lines.push('Notes:', ...notes.map((n) => `- ${n}`), '');
  const md = lines.join('\n');
  const jsonFile = path.join(CFG.outDir, `${STAMP}.json`);
  fs.writeFileSync(jsonFile, JSON.stringify({ info, cfg: CFG, notes, smoke: raw.smoke ?? null, runs: allRuns, verdicts, ...extra, table_md: md }, null, 2));
  fs.writeFileSync(path.join(CFG.outDir, 'latest.md'), md + '\n');
  process.stdout.write('\n' + md + '\n');
  log(`wrote ${jsonFile} and ${path.join(CFG.outDir, 'latest.md')} in ${((performance.now() - T0) / 1000).toFixed(0)} s`);
  if (CFG.keepTmp) log(`server logs kept in ${LOGS}`);
  if (sm?.hardFail) process.exitCode = 1;
}

main()
  .catch((e) => {
    log(`FAILED: ${(e as Error).stack ?? e}`);
    log(`server logs: ${LOGS} (kept)`);
    CFG.keepTmp = true;
    process.exitCode = 1;
  })
  .finally(async () => {
    clearTimeout(watchdog);
    await cleanup();
  });
