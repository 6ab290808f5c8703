/**
 * The load generators, each a bounded child process: closed loop (wrk with bench/lib/wrk-post.lua,
 * or the Node driver bench/lib/closed-loop.mjs, which can also spread its connections over several
 * gateways as a load balancer would) and open loop at a fixed rate (bench/lib/rate-gen.mjs).
 */
import fs from 'node:fs';
import path from 'node:path';
import { BENCH, CFG, ROOT, TMP, pinFor } from './config.ts';
import { runCmd } from './procs.ts';
import type { Pct } from './report.ts';
import { body, headers, type Scenario } from './workload.ts';

const bodyFiles = new Map<Scenario, string>();
function bodyFile(s: Scenario): string {
  let f = bodyFiles.get(s);
  if (!f) {
    f = path.join(TMP, `body-${s}.json`);
    fs.writeFileSync(f, JSON.stringify(body(s)));
    bodyFiles.set(s, f);
  }
  return f;
}

export interface LoadResult {
  tool: string;
  rps: number;
  requests: number;
  errors: number;
  err_detail: unknown;
  lat_ms: Pct;
  co_lat_ms?: Pct;
  ttfb_ms?: Pct;
  co_ttfb_ms?: Pct;
  lag_ms?: Pct;
  max_inflight?: number;
  gen_cpu_ms: number | null;
  seconds: number;
  scheduled?: number;
}

async function wrk(url: string, scen: Scenario, key: string, seconds: number, conns: number): Promise<LoadResult> {
  const hdrs = Object.entries(headers(scen, key))
    .map(([k, v]) => `${k}: ${v}`)
    .join('|');
  seconds = Math.max(1, Math.round(seconds)); // wrk takes whole seconds
  const args = ['-t1', `-c${conns}`, `-d${seconds}s`, '--latency', '--timeout', '10s', '-s', path.join(BENCH, 'lib', 'wrk-post.lua'), url];
  const timed = fs.existsSync('/usr/bin/time');
  const r = await runCmd(timed ? '/usr/bin/time' : 'wrk', timed ? ['-f', 'GENCPU %U %S', 'wrk', ...args] : args, {
    cwd: ROOT,
    env: { WRK_BODY_FILE: bodyFile(scen), WRK_HEADERS: hdrs },
    cpus: pinFor('gen'),
    timeoutMs: (seconds + 30) * 1000,
  });
  const line = r.out.split('\n').find((l) => l.startsWith('WRKJSON '));
  if (!line) throw new Error(`wrk failed (code ${r.code}): ${r.out}\n${r.err}`);
  const j = JSON.parse(line.slice(8));
  const t = /GENCPU ([\d.]+) ([\d.]+)/.exec(r.err);
  const secs = j.duration_us / 1e6;
  const e = j.errors;
  return {
    tool: 'wrk',
    rps: +((j.requests - e.status) / secs).toFixed(1),
    requests: j.requests - e.status,
    errors: e.connect + e.read + e.write + e.status + e.timeout,
    err_detail: e,
    lat_ms: Object.fromEntries(['p50', 'p90', 'p99', 'p999', 'max', 'mean'].map((k) => [k, +(j.lat_us[k] / 1000).toFixed(3)])) as unknown as Pct,
    gen_cpu_ms: t ? (Number(t[1]) + Number(t[2])) * 1000 : null,
    seconds: secs,
  };
}

/**
 * Closed loop: `conns` connections each keeping one request in flight for `seconds`. Several URLs
 * (the scale phase's instances) share the connections round-robin in one Node driver.
 */
export async function closedLoop(url: string | string[], scen: Scenario, key: string, seconds: number, conns: number, tool = CFG.loadgen): Promise<LoadResult> {
  const urls = Array.isArray(url) ? url : [url];
  if (tool === 'wrk' && urls.length === 1) return wrk(urls[0]!, scen, key, seconds, conns);
  const opts = { urls, bodyFile: bodyFile(scen), headers: headers(scen, key), connections: conns, duration: seconds, timeoutMs: 10_000 };
  const r = await runCmd(process.execPath, [path.join(BENCH, 'lib', 'closed-loop.mjs'), JSON.stringify(opts)], {
    cwd: ROOT,
    cpus: pinFor('gen'),
    timeoutMs: (seconds + 30) * 1000,
  });
  const line = r.out.split('\n').find((l) => l.startsWith('CLJSON '));
  if (!line) throw new Error(`closed-loop failed (code ${r.code}): ${r.out}\n${r.err}`);
  const j = JSON.parse(line.slice(7));
  return {
    tool: 'node-closed-loop',
    rps: j.rps,
    requests: j.requests,
    errors: j.errors + j.non2xx,
    err_detail: { errors: j.errors, non2xx: j.non2xx, samples: j.error_samples, statuses: j.status_samples, per_url: j.per_url },
    lat_ms: j.lat_ms,
    ttfb_ms: j.ttfb_ms,
    gen_cpu_ms: j.gen_cpu_ms,
    seconds: j.duration_s,
  };
}

/** Open loop: request i sent at t0 + i/rate whatever the server does (coordinated-omission corrected). */
export async function openLoop(url: string, scen: Scenario, key: string, rate: number, seconds: number): Promise<LoadResult> {
  const opts = { url, bodyFile: bodyFile(scen), headers: headers(scen, key), rate, duration: seconds, warmup: CFG.rateWarmup, timeoutMs: 10_000 };
  const r = await runCmd(process.execPath, [path.join(BENCH, 'lib', 'rate-gen.mjs'), JSON.stringify(opts)], {
    cwd: ROOT,
    cpus: pinFor('gen'),
    timeoutMs: (seconds + CFG.rateWarmup + 30) * 1000,
  });
  const line = r.out.split('\n').find((l) => l.startsWith('RATEJSON '));
  if (!line) throw new Error(`rate-gen failed (code ${r.code}): ${r.out}\n${r.err}`);
  const j = JSON.parse(line.slice(9));
  return {
    tool: 'rate-gen',
    rps: j.achieved_rps,
    requests: j.ok,
    errors: j.errors + j.non2xx,
    err_detail: { errors: j.errors, non2xx: j.non2xx, samples: j.error_samples, statuses: j.status_samples },
    lat_ms: j.lat_ms,
    co_lat_ms: j.co_lat_ms,
    ttfb_ms: j.ttfb_ms,
    co_ttfb_ms: j.co_ttfb_ms,
    lag_ms: j.lag_ms,
    max_inflight: j.max_inflight,
    gen_cpu_ms: j.gen_cpu_ms,
    seconds: seconds + CFG.rateWarmup,
    scheduled: Math.round((seconds + CFG.rateWarmup) * rate),
  };
}
