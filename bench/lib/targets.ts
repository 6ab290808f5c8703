/**
 * The verdicts in one table, target by target as the issues state them (CPU per request ≤ 2× the
 * bare proxy; added latency at 1,000 req/s p50 ≤ +0.5 ms and p99 ≤ +2 ms; throughput ≥ 60 % of the
 * bare proxy; a three-upstream pool costs no more CPU per request than one upstream), each scenario
 * "met" or "missed" with the figures, and targets that got no figure this run said so.
 */
import { GOALS, fmt, type Verdict } from './report.ts';
import { SCENARIO_LABEL, type Scenario } from './workload.ts';
import type { PoolRow } from '../phases/pool.ts';

const TARGET_ROWS: Array<{ metric: (m: string) => boolean; label: string }> = [
  { metric: (m) => m === 'cpu', label: `CPU per request ≤ ${GOALS.cpuRatioMax}× the bare proxy (saturation)` },
  {
    metric: (m) => m === `latency@${GOALS.atRate}`,
    label: `added latency @ ${GOALS.atRate.toLocaleString('en-US')} req/s: p50 ≤ +${GOALS.p50AddedMaxMs} ms, p99 ≤ +${GOALS.p99AddedMaxMs} ms`,
  },
  { metric: (m) => m === 'throughput', label: `throughput ≥ ${GOALS.throughputMinRatio * 100} % of the bare proxy` },
  { metric: (m) => m.startsWith('ttfb@'), label: `stream time to first byte p50 ≤ +${GOALS.ttfbAddedMaxMs} ms` },
  { metric: (m) => m === 'errors', label: 'no errors' },
];

export function targetsTable(
  verdicts: Verdict[],
  inconclusive: Array<Omit<Verdict, 'pass'>>,
  pool: PoolRow[] | null,
  ran: { core: boolean; pool: boolean },
): { md: string; met: number; missed: number } {
  const L = ['| target | scenario | figure | verdict |', '|---|---|---|---|'];
  let met = 0,
    missed = 0;
  const mark = (pass: boolean) => {
    if (pass) met++;
    else missed++;
    return pass ? '**met**' : '**missed**';
  };
  for (const t of TARGET_ROWS) {
    const vs = verdicts.filter((v) => t.metric(v.metric));
    const na = inconclusive.filter((v) => t.metric(v.metric));
    for (const v of vs)
      L.push(
        `| ${t.label} | ${SCENARIO_LABEL[v.scenario as Scenario]}${v.metric.includes('@') && t.label.startsWith('stream') ? ` @ ${v.metric.split('@')[1]} req/s` : ''} | ${v.figure} | ${mark(v.pass)} |`,
      );
    for (const v of na) L.push(`| ${t.label} | ${SCENARIO_LABEL[v.scenario as Scenario]} | ${v.figure} | no verdict |`);
    if (!vs.length && !na.length && t.metric('cpu') && !ran.core) L.push(`| ${t.label} | – | not measured (phase \`core\` not run) | – |`);
  }
  const poolLabel = `three-upstream pool: CPU per request ≤ one upstream's (× ${GOALS.poolVsSingleMax}, run-to-run noise)`;
  if (pool?.length) {
    for (const r of pool) {
      const reps =
        r.pool_vs_single_per_rep.length > 1
          ? ` (median of ${r.pool_vs_single_per_rep.length} reps: ${r.pool_vs_single_per_rep.map((x) => x.toFixed(2)).join(', ')})`
          : '';
      L.push(
        `| ${poolLabel} | ${SCENARIO_LABEL[r.scenario]} | pool ÷ one ${r.pool_vs_single.toFixed(2)}×${reps}; mean ${fmt(r.cpu_us_per_req.pool, 0)} vs ${fmt(r.cpu_us_per_req.single, 0)} µs; against bare (${fmt(r.cpu_us_per_req.bare, 0)} µs) pool ${r.pool_vs_bare.toFixed(2)}×, one ${r.single_vs_bare.toFixed(2)}× | ${mark(r.met)} |`,
      );
    }
  } else if (!ran.pool) L.push(`| ${poolLabel} | – | not measured (phase \`pool\` not run) | – |`);
  return { md: L.join('\n'), met, missed };
}
