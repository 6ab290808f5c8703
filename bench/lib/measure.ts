/**
 * One measured run (a load against one target with the CPU of every process of interest read from
 * /proc before and after, and the usage rows the gateway wrote meanwhile), the smoke check that
 * every target gives a valid reply before anything is measured, and the usage-row counters.
 */
import Database from 'better-sqlite3';
import pg from 'pg';
import { CFG, CORES, log, note } from './config.ts';
import { closedLoop, openLoop } from './load.ts';
import { machineBusyPct, machineCpu, procCpuMs, sleep, type Child } from './procs.ts';
import type { RunRecord } from './report.ts';
import type { Server } from './servers.ts';
import { body, checkReply, headers, isStream, pathOf, SCENARIO_LABEL, type Scenario } from './workload.ts';

export function sqliteUsageRows(file: string): number {
  const db = new Database(file, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    return Number((db.prepare('SELECT count(*) AS n FROM usage_events').get() as { n: number }).n);
  } finally {
    db.close();
  }
}

/** Usage rows per upstream name (did the pool spread the load?). */
export function sqliteRowsByUpstream(file: string, sinceMs: number): Record<string, number> {
  const db = new Database(file, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    const rows = db.prepare('SELECT upstream, count(*) AS n FROM usage_events WHERE created_at >= ? GROUP BY upstream').all(sinceMs) as Array<{
      upstream: string;
      n: number;
    }>;
    return Object.fromEntries(rows.map((r) => [r.upstream, Number(r.n)]));
  } finally {
    db.close();
  }
}

export async function pgUsageRows(url: string): Promise<number> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await c.connect();
  try {
    return Number((await c.query('select count(*)::int as n from usage_events')).rows[0].n);
  } finally {
    await c.end();
  }
}

export interface Measured {
  phase: 'sat' | 'rate';
  target: string;
  server: Server;
  scen: Scenario;
  rate: number | null;
  rep: number;
  key: string;
  seconds?: number;
}

/** Runs one load against `m.server` and reads the CPU of every process in `procs` around it. */
export async function measure(m: Measured, procs: Record<string, Child>, rowsOf?: () => Promise<number> | number): Promise<RunRecord> {
  const url = `${m.server.url}${pathOf(m.scen)}`;
  const cpu0 = Object.fromEntries(Object.entries(procs).map(([k, c]) => [k, procCpuMs(c.pid)]));
  const rows0 = rowsOf ? await rowsOf() : undefined;
  const m0 = machineCpu();
  const t0 = Date.now();
  const res =
    m.phase === 'sat'
      ? await closedLoop(url, m.scen, m.key, m.seconds ?? CFG.satSeconds, CFG.conns)
      : await openLoop(url, m.scen, m.key, m.rate!, CFG.rateSeconds);
  const m1 = machineCpu();
  const cpu = Object.fromEntries(Object.entries(procs).map(([k, c]) => [k, +(procCpuMs(c.pid) - cpu0[k]!).toFixed(0)]));
  let usageRows: number | undefined;
  if (rowsOf) {
    await sleep(200);
    usageRows = (await rowsOf()) - rows0!;
  }
  // CPU per request: saturation divides by completed requests; rate runs include the generator's warm-up
  // requests in the CPU, so they divide by every scheduled request (as the reference does).
  const denom = m.phase === 'sat' ? res.requests : res.scheduled!;
  const rec: RunRecord = {
    phase: m.phase,
    target: m.target,
    scenario: m.scen,
    rate: m.rate,
    rep: m.rep,
    tool: res.tool,
    rps: res.rps,
    requests: res.requests,
    errors: res.errors,
    err_detail: res.err_detail,
    lat_ms: res.lat_ms,
    co_lat_ms: res.co_lat_ms,
    ttfb_ms: res.ttfb_ms,
    co_ttfb_ms: res.co_ttfb_ms,
    lag_ms: res.lag_ms,
    max_inflight: res.max_inflight,
    gen_cpu_ms: res.gen_cpu_ms,
    proc_cpu_ms: cpu,
    cpu_us_per_req: Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, denom > 0 ? +((v * 1000) / denom).toFixed(1) : NaN])),
    machine_cpu_pct: +machineBusyPct(m0, m1, CORES).toFixed(0),
    usage_rows: usageRows,
    wall_s: (Date.now() - t0) / 1000,
  };
  const l = rec.co_lat_ms ?? rec.lat_ms;
  log(
    `${m.phase.padEnd(4)} ${m.scen.padEnd(15)} ${m.target.padEnd(13)} ${m.rate ? String(m.rate).padStart(5) + '/s' : '  sat  '} rep${m.rep}: ` +
      `${String(rec.rps).padStart(8)} req/s  p50 ${l.p50}  p99 ${l.p99} ms${rec.ttfb_ms && isStream(m.scen) ? `  ttfb p50 ${rec.ttfb_ms.p50}` : ''}  err ${rec.errors}  ` +
      `cpu/req ${Object.entries(rec.cpu_us_per_req)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')} µs  machine ${rec.machine_cpu_pct}%` +
      (usageRows !== undefined ? `  usage rows +${usageRows}` : ''),
  );
  return rec;
}

export interface SmokeResult {
  ok: Scenario[];
  skipped: Array<{ scenario: Scenario; why: string }>;
  rows: unknown[];
  hardFail: boolean;
}

/** One request per target × scenario, checked for a valid reply with usage; a Tollgate 404 skips the scenario. */
export async function smoke(targets: Record<string, Server>, key: string, scenarios: Scenario[]): Promise<SmokeResult> {
  const rows: Array<{ target: string; scenario: Scenario; status: number; ok: boolean; detail: string }> = [];
  for (const scen of scenarios)
    for (const [target, s] of Object.entries(targets)) {
      let status = 0,
        ok = false,
        detail = '';
      try {
        const r = await fetch(`${s.url}${pathOf(scen)}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers(scen, key) },
          body: JSON.stringify(body(scen)),
          signal: AbortSignal.timeout(15_000),
        });
        status = r.status;
        const c = checkReply(scen, r.status, await r.text());
        ok = c.ok;
        detail = c.detail;
      } catch (e) {
        detail = String((e as Error).message);
      }
      rows.push({ target, scenario: scen, status, ok, detail });
      log(`smoke ${ok ? 'OK  ' : 'FAIL'} ${target.padEnd(13)} ${scen.padEnd(15)} HTTP ${status} ${detail}`);
    }
  const ok: Scenario[] = [];
  const skipped: Array<{ scenario: Scenario; why: string }> = [];
  let hardFail = false;
  for (const scen of scenarios) {
    const r = rows.filter((x) => x.scenario === scen);
    if (r.every((x) => x.ok)) {
      ok.push(scen);
      continue;
    }
    const tg = r.filter((x) => x.target.startsWith('tollgate'));
    if (tg.every((x) => x.status === 404) && r.filter((x) => !x.target.startsWith('tollgate')).every((x) => x.ok)) {
      skipped.push({ scenario: scen, why: `skipped: Tollgate has no ${pathOf(scen)} route yet (HTTP 404)` });
      note(`${SCENARIO_LABEL[scen]}: Tollgate answers 404 on ${pathOf(scen)}; scenario skipped`);
    } else {
      hardFail = true;
      skipped.push({
        scenario: scen,
        why: `REJECTED by smoke check: ${r
          .filter((x) => !x.ok)
          .map((x) => `${x.target} HTTP ${x.status} ${x.detail}`)
          .join('; ')
          .slice(0, 300)}`,
      });
      note(`${SCENARIO_LABEL[scen]} rejected by the smoke check (see smoke rows in the JSON)`);
    }
  }
  return { ok, skipped, rows, hardFail };
}

export const mean = (a: number[]) => (a.length ? a.reduce((s, x) => s + x, 0) / a.length : NaN);
