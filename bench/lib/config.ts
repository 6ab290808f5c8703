/**
 * The bench's settings: command-line flags (`npm run bench -- --only scale --quick`) over environment
 * knobs (README, "Knobs"), the temp dir, the log and the notes that end up under the table.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { hasCommand } from './procs.ts';

/** Every phase, in the order a run takes them, with its budget in seconds (full, quick; 0 = from the knobs, see budgetOf). */
export const PHASES = {
  core: { what: 'direct vs bare vs Tollgate: throughput, latency at fixed rates, TTFB, CPU/req (the targets)', budget: [0, 0] },
  pool: { what: 'the happy path with a three-upstream pool vs one upstream, CPU/req against bare', budget: [0, 0] },
  pg: { what: 'messages JSON throughput on PostgreSQL vs SQLite', budget: [0, 0] },
  scale: { what: 'three instances on Redis + PostgreSQL: aggregate throughput, shared limiter cost', budget: [0, 0] },
  rss: { what: 'memory with 1,000 open streams', budget: [180, 120] },
  ingest: { what: 'UsageWriter durable events/s (SQLite, PostgreSQL)', budget: [180, 120] },
  agg: { what: 'dashboard aggregate over 10M (quick: 1M) usage events', budget: [420, 180] },
  keys: { what: 'key cache at 1,000 and 1,000,000 keys (quick: 100,000)', budget: [600, 240] },
  prof: { what: 'CPU profile of Tollgate under saturation (opt-in)', budget: [120, 120] },
} as const;
export type Phase = keyof typeof PHASES;
export const DEFAULT_PHASES: Phase[] = ['core', 'pool', 'pg', 'scale', 'rss', 'ingest', 'agg', 'keys'];

const USAGE = `npm run bench [-- options]

  --only <phases>   comma-separated subset, in any order (runs in the order below)
  --quick           short runs, 1 rep (every phase in minutes, not tens of minutes)
  --reps <n>        reps of the interleaved matrices (core, pool, pg)
  --list            print the phases and their time budgets, then exit
  --help            this text

Phases (default: ${DEFAULT_PHASES.join(',')}; prof is opt-in):
${Object.entries(PHASES)
  .map(([k, v]) => `  ${k.padEnd(7)} ${v.what}${v.budget[0] ? ` (budget ${v.budget[0]} s, quick ${v.budget[1]} s)` : ' (budget from the run lengths)'}`)
  .join('\n')}

Environment knobs (README): PHASES, QUICK=1, REPS, SAT_SECONDS, RATE_SECONDS, RATES, CONNS, SCENARIOS, LOADGEN, …`;

function parseArgs(argv: string[]): { only?: string; quick?: boolean; reps?: string; list?: boolean } {
  const o: { only?: string; quick?: boolean; reps?: string; list?: boolean } = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const [flag, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = () => inline ?? argv[++i] ?? '';
    if (flag === '--only' || flag === '--phases') o.only = value();
    else if (flag === '--quick') o.quick = true;
    else if (flag === '--reps') o.reps = value();
    else if (flag === '--list') o.list = true;
    else if (flag === '--help' || flag === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else {
      console.error(`unknown option ${a}\n\n${USAGE}`);
      process.exit(2);
    }
  }
  return o;
}

const args = parseArgs(process.argv.slice(2));

if (!process.env.BENCH_ROOT || !process.env.BENCH_COMPILED) {
  console.error('run the bench with `npm run bench` (bench/start.mjs compiles it)');
  process.exit(2);
}
export const ROOT = process.env.BENCH_ROOT;
export const BENCH = path.join(ROOT, 'bench');
/** Where bench/start.mjs compiled the orchestrator and the workers (gateway modules from dist/). */
export const COMPILED = process.env.BENCH_COMPILED;
const env = process.env;
export const QUICK = args.quick || env.QUICK === '1';
const num = (k: string, d: number) => (env[k] !== undefined && env[k] !== '' ? Number(env[k]) : d);
const list = (k: string, d: string, given?: string) =>
  (given || env[k] || d)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
export const CORES = os.cpus().length;
const canPin = hasCommand('taskset') && CORES >= 2;

const phases = list('PHASES', DEFAULT_PHASES.join(','), args.only);
const unknown = phases.filter((p) => !(p in PHASES));
if (unknown.length) {
  console.error(`unknown phase(s): ${unknown.join(', ')}\n\n${USAGE}`);
  process.exit(2);
}

export const CFG = {
  quick: QUICK,
  phases: (Object.keys(PHASES) as Phase[]).filter((p) => phases.includes(p)),
  keysCounts: list('KEYS_COUNTS', QUICK ? '1000,100000' : '1000,1000000')
    .map(Number)
    .filter((x) => x > 0),
  reps: Number(args.reps ?? num('REPS', QUICK ? 1 : 2)),
  conns: num('CONNS', 50),
  satSeconds: num('SAT_SECONDS', QUICK ? 2 : 5),
  rateSeconds: num('RATE_SECONDS', QUICK ? 2 : 4),
  rateWarmup: num('RATE_WARMUP', 1),
  rates: list('RATES', '200,1000')
    .map(Number)
    .filter((x) => x > 0),
  warmup: num('WARMUP', QUICK ? 1 : 2),
  scenarios: list('SCENARIOS', 'messages,chat,messages-stream') as Array<'messages' | 'chat' | 'messages-stream' | 'chat-stream'>,
  poolScenarios: list('POOL_SCENARIOS', 'messages,messages-stream') as Array<'messages' | 'chat' | 'messages-stream' | 'chat-stream'>,
  poolSeconds: num('POOL_SECONDS', QUICK ? 2 : 4),
  /** Reps of the pool phase: its verdict is the median of the per-rep pool ÷ one ratios (bursts of background load hit one pair, not the median). */
  poolReps: Number(args.reps ?? num('POOL_REPS', QUICK ? 2 : 4)),
  loadgen: (env.LOADGEN ?? 'auto') === 'auto' ? (hasCommand('wrk') ? 'wrk' : 'node') : (env.LOADGEN as 'wrk' | 'node'),
  // Pinning is opt-in (PIN=1): on this shared 2-core box it did not make the comparison steadier (README, "Pinning").
  pin: env.PIN === '1' && canPin,
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
  scaleSeconds: num('SCALE_SECONDS', QUICK ? 2 : 5),
  aggRows: num('AGG_ROWS', QUICK ? 1_000_000 : 10_000_000),
  aggAllOrgs: env.AGG_ALL_ORGS === '1',
  profSeconds: num('PROF_SECONDS', 6),
  /** Per-phase budget multiplier (PHASE_BUDGET_SCALE=2 on a very slow box). */
  budgetScale: num('PHASE_BUDGET_SCALE', 1),
  outDir: path.resolve(env.OUT_DIR || path.join(BENCH, 'results')),
  keepTmp: env.KEEP_TMP === '1',
};
/**
 * A phase's time budget (s). The measured matrices scale with the knobs (runs × seconds, plus ~2 s of
 * start-up and read-out per run), given twice their expected time and a minute to start servers;
 * the others have fixed budgets (PHASES). PHASE_BUDGET_SCALE multiplies all.
 */
export function budgetOf(p: Phase): number {
  const per = (secs: number) => secs + 2;
  const matrix = (runs: number) => 60 + 2 * runs;
  const targets3 = 3;
  let b: number = PHASES[p].budget[QUICK ? 1 : 0];
  if (p === 'core')
    b = matrix(
      CFG.scenarios.length * targets3 * (CFG.reps * (per(CFG.satSeconds) + CFG.rates.length * per(CFG.rateSeconds + CFG.rateWarmup)) + per(CFG.warmup)),
    );
  if (p === 'pool') b = matrix(CFG.poolScenarios.length * targets3 * (CFG.poolReps * per(CFG.poolSeconds) + per(CFG.warmup)));
  if (p === 'pg') b = matrix(targets3 * CFG.reps * per(CFG.pgSeconds) + per(CFG.warmup));
  if (p === 'scale') b = matrix(4 * per(CFG.scaleSeconds) + 5 * per(CFG.warmup)) + 60;
  return Math.round(b * CFG.budgetScale);
}

if (args.list) {
  for (const p of Object.keys(PHASES) as Phase[])
    console.log(`${p.padEnd(7)} budget ${String(budgetOf(p)).padStart(4)} s${CFG.phases.includes(p) ? '' : ' (not selected)'}  ${PHASES[p].what}`);
  process.exit(0);
}

export const STAMP = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
fs.mkdirSync(CFG.outDir, { recursive: true });
export const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'tollgate-bench-'));
export const LOGS = path.join(TMP, 'logs');
fs.mkdirSync(LOGS);

const T0 = performance.now();
export const elapsedS = () => (performance.now() - T0) / 1000;
export const log = (...a: unknown[]) => console.error(`[bench ${elapsedS().toFixed(0).padStart(4)}s]`, ...a);
export const pinFor = (role: 'gen' | 'mock' | 'proxy') => (CFG.pin ? (role === 'gen' ? CFG.genCpus : role === 'mock' ? CFG.mockCpus : CFG.proxyCpus) : null);
export const notes: string[] = [];
export const note = (s: string) => {
  notes.push(s);
  log(`NOTE: ${s}`);
};
