/**
 * Phase `pool`: does a pool cost CPU on the happy path? Two fresh Tollgates on the core database and
 * mock, started alike, that differ only in their config file: one serves Claude models from one
 * upstream entry, the other from a pool of three (two at priority 0 with weights 2 and 1, one at
 * priority 1 as the fallback). Saturation runs interleave bare → one upstream → pool (reversed
 * every other rep) per scenario; the figure is each Tollgate's CPU per request against the bare
 * proxy's in the same run, and the pool's against the single upstream's: the median of the per-rep
 * ratios (a burst of background load skews one rep's pair, not the median). The usage rows say which
 * upstream served (the weights must show).
 */
import fs from 'node:fs';
import path from 'node:path';
import { CFG, TMP, log, note } from '../lib/config.ts';
import { closedLoop } from '../lib/load.ts';
import { mean, measure, smoke, sqliteRowsByUpstream, sqliteUsageRows } from '../lib/measure.ts';
import { stopChild } from '../lib/procs.ts';
import { GOALS, type RunRecord } from '../lib/report.ts';
import { failedEarly, startTollgate, UPSTREAM_KEYS, waitKey, type Targets } from '../lib/servers.ts';
import { pathOf, type Scenario } from '../lib/workload.ts';

export interface PoolRow {
  scenario: Scenario;
  cpu_us_per_req: { bare: number; single: number; pool: number };
  per_rep: { bare: number[]; single: number[]; pool: number[] };
  rps: { bare: number; single: number; pool: number };
  single_vs_bare: number;
  pool_vs_bare: number;
  /** Median over reps of (pool ÷ one upstream) in the same rep. */
  pool_vs_single: number;
  pool_vs_single_per_rep: number[];
  met: boolean;
}

const median = (a: number[]) => {
  const s = [...a].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** A config file whose upstreams serve Claude models from the mock (the OpenAI upstream stays in the environment). */
function upstreamsFile(name: string, mockUrl: string, entries: Array<[string, number, number]>): string {
  const f = path.join(TMP, `${name}.json`);
  const upstreams = entries.map(([n, priority, weight]) => ({
    name: n,
    kind: 'anthropic',
    baseUrl: mockUrl,
    apiKey: UPSTREAM_KEYS.anthropic,
    models: '*',
    priority,
    weight,
  }));
  fs.writeFileSync(f, JSON.stringify({ upstreams }));
  return f;
}

export async function phasePool(t: Targets) {
  const since = Date.now();
  const cfg = (name: string, entries: Array<[string, number, number]>) => ({
    TOLLGATE_CONFIG: upstreamsFile(name, t.direct.url, entries),
    ANTHROPIC_API_KEY: '',
  });
  const one = await startTollgate('tollgate-one', t.dbFile, t.direct, [], cfg('one-upstream', [['one', 0, 1]]));
  const pool = await startTollgate(
    'tollgate-pool',
    t.dbFile,
    t.direct,
    [],
    cfg('three-upstreams', [
      ['pool-a', 0, 2],
      ['pool-b', 0, 1],
      ['pool-c', 1, 1],
    ]),
  );
  try {
    await waitKey(one, t.key);
    await waitKey(pool, t.key);
    const servers = { bare: t.bare, 'tollgate-one': one, 'tollgate-pool': pool };
    const sm = await smoke(servers, t.key, CFG.poolScenarios);
    const procs = { mock: t.direct.child, bare: t.bare.child, 'tollgate-one': one.child, 'tollgate-pool': pool.child };
    for (const scen of sm.ok) for (const s of Object.values(servers)) await closedLoop(`${s.url}${pathOf(scen)}`, scen, t.key, CFG.warmup, CFG.conns);
    const runs: RunRecord[] = [];
    const order = Object.keys(servers) as Array<keyof typeof servers>;
    const rowsOf = () => sqliteUsageRows(t.dbFile);
    for (let rep = 1; rep <= CFG.poolReps; rep++) {
      for (const scen of sm.ok)
        for (const name of rep % 2 ? order : [...order].reverse())
          runs.push(
            await measure(
              { phase: 'sat', target: name, server: servers[name], scen, rate: null, rep, key: t.key, seconds: CFG.poolSeconds },
              procs,
              name === 'bare' ? undefined : rowsOf,
            ),
          );
      if (failedEarly) throw new Error(failedEarly);
    }
    const rows: PoolRow[] = sm.ok.map((scen) => {
      const cpu = (target: string) =>
        runs
          .filter((r) => r.scenario === scen && r.target === target)
          .sort((a, b) => a.rep - b.rep)
          .map((r) => r.cpu_us_per_req[target]!);
      const rps = (target: string) => mean(runs.filter((r) => r.scenario === scen && r.target === target).map((r) => r.rps));
      const per = { bare: cpu('bare'), single: cpu('tollgate-one'), pool: cpu('tollgate-pool') };
      const c = { bare: mean(per.bare), single: mean(per.single), pool: mean(per.pool) };
      const ratios = per.pool.map((p, i) => p / per.single[i]!);
      const poolVsSingle = median(ratios);
      return {
        scenario: scen,
        cpu_us_per_req: c,
        per_rep: per,
        rps: { bare: rps('bare'), single: rps('tollgate-one'), pool: rps('tollgate-pool') },
        single_vs_bare: c.single / c.bare,
        pool_vs_bare: c.pool / c.bare,
        pool_vs_single: poolVsSingle,
        pool_vs_single_per_rep: ratios.map((x) => +x.toFixed(3)),
        met: poolVsSingle <= GOALS.poolVsSingleMax,
      };
    });
    const served = sqliteRowsByUpstream(t.dbFile, since);
    const a = served['pool-a'] ?? 0,
      b = served['pool-b'] ?? 0;
    log(`pool: usage rows by upstream since the phase started: ${JSON.stringify(served)}`);
    if (!(a > 0 && b > 0) || (served['pool-c'] ?? 0) > 0)
      note(`pool: the load did not spread as configured (rows by upstream ${JSON.stringify(served)}; expected pool-a ≈ 2 × pool-b, pool-c none)`);
    for (const r of rows)
      log(
        `pool ${r.scenario}: CPU µs/req bare ${r.cpu_us_per_req.bare.toFixed(0)}, one upstream ${r.cpu_us_per_req.single.toFixed(0)} (${r.single_vs_bare.toFixed(2)}×), pool ${r.cpu_us_per_req.pool.toFixed(0)} (${r.pool_vs_bare.toFixed(2)}×); pool ÷ one ${r.pool_vs_single.toFixed(3)}`,
      );
    return { rows, served_by_upstream: served, skipped: sm.skipped, runs };
  } finally {
    await stopChild(pool.child);
    await stopChild(one.child);
  }
}
