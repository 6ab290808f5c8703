/**
 * Phase `core`: the target × scenario matrix. Smoke check, warm-up, then per rep and scenario the
 * three targets back to back (order reversed every other rep): closed-loop saturation, then each
 * fixed rate. Tollgate's runs also count the usage rows it wrote (every 2xx must leave one).
 */
import { CFG, log } from '../lib/config.ts';
import { closedLoop } from '../lib/load.ts';
import { measure, smoke, sqliteUsageRows, type SmokeResult } from '../lib/measure.ts';
import { TARGETS, type RunRecord, type Target } from '../lib/report.ts';
import { failedEarly, type Targets } from '../lib/servers.ts';
import { pathOf } from '../lib/workload.ts';

export async function phaseCore(t: Targets, runs: RunRecord[]): Promise<SmokeResult> {
  const servers = { direct: t.direct, bare: t.bare, tollgate: t.tollgate };
  const sm = await smoke(servers, t.key, CFG.scenarios);
  const procs = { mock: t.direct.child, bare: t.bare.child, tollgate: t.tollgate.child };
  const rowsOf = () => sqliteUsageRows(t.dbFile);
  for (const scen of sm.ok) for (const target of TARGETS) await closedLoop(`${servers[target].url}${pathOf(scen)}`, scen, t.key, CFG.warmup, CFG.conns);
  log(`warm-up done (${CFG.warmup}s per target × scenario)`);
  for (let rep = 1; rep <= CFG.reps; rep++) {
    const order: Target[] = rep % 2 ? [...TARGETS] : [...TARGETS].reverse();
    for (const scen of sm.ok) {
      for (const tg of order)
        runs.push(
          await measure({ phase: 'sat', target: tg, server: servers[tg], scen, rate: null, rep, key: t.key }, procs, tg === 'tollgate' ? rowsOf : undefined),
        );
      for (const rate of CFG.rates)
        for (const tg of order)
          runs.push(
            await measure({ phase: 'rate', target: tg, server: servers[tg], scen, rate, rep, key: t.key }, procs, tg === 'tollgate' ? rowsOf : undefined),
          );
    }
    if (failedEarly) throw new Error(failedEarly);
  }
  return sm;
}
