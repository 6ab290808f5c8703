/**
 * Phase `pg`: messages-JSON saturation of a Tollgate on PostgreSQL (a fresh database) interleaved
 * with the SQLite Tollgate and the bare proxy; usage rows written per second by each.
 */
import { CFG } from '../lib/config.ts';
import { closedLoop } from '../lib/load.ts';
import { mean, measure, pgUsageRows, sqliteUsageRows } from '../lib/measure.ts';
import type { RunRecord } from '../lib/report.ts';
import { provision, startTollgate, waitKey, type Targets } from '../lib/servers.ts';
import { pgDatabase } from '../lib/services.ts';
import { body, checkReply, headers } from '../lib/workload.ts';
import { stopChild } from '../lib/procs.ts';

export async function phasePg(t: Targets) {
  const db = await pgDatabase();
  if (!db) return { skipped: 'PostgreSQL not reachable' };
  const tgPg = await startTollgate('tollgate-pg', db.url, t.direct);
  try {
    const cust = await provision(db.url);
    await waitKey(tgPg, cust.key);
    const r = await fetch(`${tgPg.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers('messages', cust.key) },
      body: JSON.stringify(body('messages')),
    });
    const c = checkReply('messages', r.status, await r.text());
    if (!c.ok) throw new Error(`tollgate-pg smoke failed: ${c.detail}`);
    await closedLoop(`${tgPg.url}/v1/messages`, 'messages', cust.key, CFG.warmup, CFG.conns);
    const runs: RunRecord[] = [];
    const procs = { mock: t.direct.child, bare: t.bare.child, tollgate: t.tollgate.child, 'tollgate-pg': tgPg.child };
    const order = [
      ['bare', t.bare, t.key],
      ['tollgate', t.tollgate, t.key],
      ['tollgate-pg', tgPg, cust.key],
    ] as const;
    for (let rep = 1; rep <= CFG.reps; rep++) {
      for (const [name, s, k] of rep % 2 ? [...order] : [...order].reverse()) {
        const rowsOf = name === 'tollgate' ? () => sqliteUsageRows(t.dbFile) : name === 'tollgate-pg' ? () => pgUsageRows(db.url) : undefined;
        runs.push(await measure({ phase: 'sat', target: name, server: s, scen: 'messages', rate: null, rep, key: k, seconds: CFG.pgSeconds }, procs, rowsOf));
      }
    }
    const by = (n: string) => runs.filter((x) => x.target === n);
    return {
      runs,
      rps: { bare: mean(by('bare').map((x) => x.rps)), sqlite: mean(by('tollgate').map((x) => x.rps)), postgres: mean(by('tollgate-pg').map((x) => x.rps)) },
      cpu_us_per_req: {
        bare: mean(by('bare').map((x) => x.cpu_us_per_req.bare!)),
        sqlite: mean(by('tollgate').map((x) => x.cpu_us_per_req.tollgate!)),
        postgres: mean(by('tollgate-pg').map((x) => x.cpu_us_per_req['tollgate-pg']!)),
      },
      p99_ms: { sqlite: mean(by('tollgate').map((x) => x.lat_ms.p99!)), postgres: mean(by('tollgate-pg').map((x) => x.lat_ms.p99!)) },
      usage_rows_per_s: {
        sqlite: mean(by('tollgate').map((x) => (x.usage_rows ?? 0) / CFG.pgSeconds)),
        postgres: mean(by('tollgate-pg').map((x) => (x.usage_rows ?? 0) / CFG.pgSeconds)),
      },
    };
  } finally {
    await stopChild(tgPg.child);
  }
}
