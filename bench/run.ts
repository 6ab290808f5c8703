/**
 * `npm run bench [-- --only core,pool --quick]` — Tollgate's overhead against the physical limit,
 * with governance on (bench/README.md). bench/start.mjs builds dist/ and compiles this orchestrator;
 * every Tollgate it starts runs as `npm start` does (compiled, no TypeScript loader).
 *
 * Runs the selected phases in order (bench/phases/), each within its own time budget: a phase over
 * budget is stopped (its processes by pid), noted, and the run goes on. Prints the targets table
 * (met / missed with the figures), the matrix and the "also measured" table, and writes
 * bench/results/<stamp>.json (raw) and bench/results/latest.md (what bench/README.md quotes).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { alsoTable, profileMd, speedNote } from './lib/also.ts';
import { budgetOf, CFG, CORES, elapsedS, LOGS, QUICK, ROOT, STAMP, TMP, log, note, notes, type Phase } from './lib/config.ts';
import type { SmokeResult } from './lib/measure.ts';
import { closeScope, hasCommand, openScope, stopAllChildren, stopChild, stopScope } from './lib/procs.ts';
import { matrixTable, type RunRecord } from './lib/report.ts';
import { startTargets, type Targets } from './lib/servers.ts';
import { dropPgDatabase } from './lib/services.ts';
import { targetsTable } from './lib/targets.ts';
import { phaseCore } from './phases/core.ts';
import { phasePg } from './phases/pg.ts';
import { phasePool } from './phases/pool.ts';
import { phaseProf } from './phases/prof.ts';
import { phaseRss } from './phases/rss.ts';
import { phaseScale } from './phases/scale.ts';
import { phaseAgg, phaseIngest, phaseKeys } from './phases/workers.ts';

const runs: RunRecord[] = [];
// biome-ignore lint/suspicious/noExplicitAny: bench driver: JSON read back from child processes and tools, shapes not worth a type
const extra: Record<string, any> = {};
const phaseLog: Array<{ phase: Phase; seconds: number; outcome: 'done' | 'failed' | 'over budget'; detail?: string }> = [];
let sm: SmokeResult | null = null;

function envInfo() {
  let wrkv: string | null = null;
  if (hasCommand('wrk')) {
    try {
      wrkv = String(execFileSync('wrk', ['--version'], { stdio: ['ignore', 'pipe', 'pipe'] })).split('\n')[0]!;
    } catch (e) {
      wrkv = String((e as { stdout?: unknown }).stdout ?? '').split('\n')[0] || 'wrk';
    }
  }
  let head = '';
  try {
    head = String(execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] })).trim();
  } catch {
    /* not a git checkout */
  }
  return {
    date: new Date().toISOString(),
    node: process.version,
    cpus: CORES,
    cpu_model: os.cpus()[0]?.model,
    mem_gib: +(os.totalmem() / 2 ** 30).toFixed(1),
    kernel: os.release(),
    loadavg_at_start: os.loadavg().map((x) => +x.toFixed(2)),
    wrk: wrkv,
    git_head: head,
    pinning: CFG.pin ? { generator: CFG.genCpus, mock: CFG.mockCpus, proxies: CFG.proxyCpus } : null,
  };
}

/** Runs one phase within its budget; over budget, everything it started is stopped and the run goes on. */
async function runPhase(phase: Phase, fn: () => Promise<unknown>): Promise<void> {
  const budget = budgetOf(phase);
  const t0 = elapsedS();
  const scope = openScope();
  log(`== phase ${phase} (budget ${budget} s)`);
  let timer: NodeJS.Timeout | undefined;
  const over = new Promise<'over'>((r) => {
    timer = setTimeout(() => r('over'), budget * 1000);
  });
  try {
    const r = await Promise.race([fn().then((v) => ({ v })), over]);
    if (r === 'over') {
      note(`phase ${phase} went over its budget of ${budget} s and was stopped (PHASE_BUDGET_SCALE=2 gives every phase twice as long)`);
      phaseLog.push({ phase, seconds: elapsedS() - t0, outcome: 'over budget' });
      await stopScope(scope);
    } else {
      if (r.v !== undefined) extra[phase] = r.v;
      phaseLog.push({ phase, seconds: elapsedS() - t0, outcome: 'done' });
    }
  } catch (e) {
    note(`phase ${phase} failed: ${(e as Error).message.split('\n')[0]}`);
    log((e as Error).stack ?? e);
    phaseLog.push({ phase, seconds: elapsedS() - t0, outcome: 'failed', detail: (e as Error).message.slice(0, 500) });
    await stopScope(scope);
  } finally {
    clearTimeout(timer);
    closeScope();
    log(`== phase ${phase}: ${phaseLog.at(-1)!.outcome} in ${(elapsedS() - t0).toFixed(0)} s`);
  }
}

function report(info: ReturnType<typeof envInfo>): { md: string; missed: number } {
  const { md: matrix, verdicts, inconclusive } = matrixTable({ runs, scenarios: sm?.ok ?? [], rates: CFG.rates, conns: CFG.conns, skipped: sm?.skipped ?? [] });
  const ran = { core: CFG.phases.includes('core'), pool: CFG.phases.includes('pool') };
  const targets = targetsTable(verdicts, inconclusive, extra.pool?.rows ?? null, ran);
  const layout = CFG.pin ? `pinned with taskset: load generator and mock on CPU ${CFG.genCpus}, the proxy under test on CPU ${CFG.proxyCpus}` : 'not pinned';
  const L = [
    `## Tollgate vs the physical limit — ${info.date.slice(0, 16).replace('T', ' ')} UTC${QUICK ? ' (QUICK: short runs, figures indicative only)' : ''}`,
    '',
    `Node ${info.node}, ${info.cpus} CPU (${info.cpu_model}), load average at start ${info.loadavg_at_start.join(' / ')}${info.git_head ? `, commit ${info.git_head}` : ''}; ` +
      `phases ${phaseLog.map((p) => `${p.phase} (${p.seconds.toFixed(0)} s${p.outcome === 'done' ? '' : `, ${p.outcome.toUpperCase()}`})`).join(', ')}; ${elapsedS().toFixed(0)} s in all. ` +
      `Tollgate runs compiled (\`scripts/start.mjs\` → \`dist/main.js\`, as \`npm start\`). ` +
      `Closed loop: ${CFG.loadgen === 'wrk' ? `wrk -t1 -c${CFG.conns}` : `Node driver, ${CFG.conns} connections`}, ${CFG.satSeconds} s; open loop: rate-gen, ${CFG.rateSeconds} s (+${CFG.rateWarmup} s discarded), ` +
      `latency coordinated-omission corrected, end of body (whole stream for SSE); ${CFG.reps} rep(s), targets interleaved, order reversed every other rep; cells are means of reps.`,
    '',
    `**The load generator, the mock upstream and the proxy share the machine's ${info.cpus} cores** (${layout}); other processes on the box add noise. ` +
      'Throughput is a property of the whole box; the Tollgate/bare ratio of proxy CPU µs/req is the steadiest comparison.' +
      speedNote(runs),
    '',
    `### Targets: ${targets.met} met, ${targets.missed} missed`,
    '',
    targets.md,
    '',
  ];
  if (matrix.split('\n').length > 2) L.push('### Matrix', '', matrix, '');
  const also = alsoTable(runs, extra);
  if (also) L.push('### Also measured', '', also, '');
  if (extra.prof) L.push(profileMd(extra.prof), '');
  if (notes.length) L.push('Notes:', ...notes.map((n) => `- ${n}`), '');
  return { md: L.join('\n'), missed: targets.missed };
}

async function main() {
  const info = envInfo();
  log(`config: ${JSON.stringify(CFG)}`);
  log(`tmp: ${TMP}; load generator: ${CFG.loadgen}; pinning: ${CFG.pin ? `generator+mock on CPU ${CFG.genCpus}, proxies on CPU ${CFG.proxyCpus}` : 'off'}`);
  if (CFG.loadgen === 'node')
    note(
      'wrk not found: the closed-loop phase uses the Node driver (bench/lib/closed-loop.mjs), which costs more CPU per request than wrk; `apt-get install -y wrk` for figures comparable with the reference',
    );
  const phases = new Set(CFG.phases);
  let targets: Targets | null = null;
  if (['core', 'pool', 'pg', 'prof', 'rss'].some((p) => phases.has(p as Phase))) targets = await startTargets();
  const t = targets!;
  for (const phase of CFG.phases) {
    switch (phase) {
      case 'core':
        await runPhase(phase, async () => {
          sm = await phaseCore(t, runs);
        });
        break;
      case 'pool':
        await runPhase(phase, () => phasePool(t));
        break;
      case 'pg':
        await runPhase(phase, () => phasePg(t));
        break;
      case 'prof':
        await runPhase(phase, () => phaseProf(t));
        break;
      case 'scale':
        await runPhase(phase, phaseScale);
        break;
      case 'rss':
        await runPhase(phase, () => phaseRss(t.dbFile, t.key));
        break;
      case 'ingest':
        await runPhase(phase, phaseIngest);
        break;
      case 'agg':
        await runPhase(phase, phaseAgg);
        break;
      case 'keys':
        await runPhase(phase, phaseKeys);
        break;
    }
    // The core targets are idle between their phases; stop them once no later phase needs them.
    if (targets && !CFG.phases.slice(CFG.phases.indexOf(phase) + 1).some((p) => ['core', 'pool', 'pg', 'prof', 'rss'].includes(p))) {
      for (const s of [targets.tollgate, targets.bare, targets.direct]) await stopChild(s.child);
      targets = null;
    }
  }

  const { md, missed } = report(info);
  const jsonFile = path.join(CFG.outDir, `${STAMP}.json`);
  fs.writeFileSync(jsonFile, JSON.stringify({ info, cfg: CFG, phases: phaseLog, notes, smoke: sm?.rows ?? null, runs, ...extra, table_md: md }, null, 2));
  fs.writeFileSync(path.join(CFG.outDir, 'latest.md'), md + '\n');
  process.stdout.write('\n' + md + '\n');
  log(`wrote ${jsonFile} and ${path.join(CFG.outDir, 'latest.md')} in ${elapsedS().toFixed(0)} s (${missed} target(s) missed)`);
  if (CFG.keepTmp) log(`server logs kept in ${LOGS}`);
  if (sm?.hardFail || phaseLog.some((p) => p.outcome !== 'done')) process.exitCode = 1;
}

let cleanedUp = false;
async function cleanup() {
  if (cleanedUp) return;
  cleanedUp = true;
  await stopAllChildren();
  await dropPgDatabase();
  if (!CFG.keepTmp) fs.rmSync(TMP, { recursive: true, force: true });
}
for (const sig of ['SIGINT', 'SIGTERM'] as const)
  process.once(sig, () => {
    log(`${sig}: stopping`);
    void cleanup().then(() => process.exit(130));
  });

main()
  .catch((e) => {
    log(`FAILED: ${(e as Error).stack ?? e}`);
    log(`server logs: ${LOGS} (kept)`);
    CFG.keepTmp = true;
    process.exitCode = 1;
  })
  .finally(cleanup);
