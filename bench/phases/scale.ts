/**
 * Phase `scale`: Tollgate as it runs behind a load balancer — three instances on one PostgreSQL
 * database sharing their rate limiter and spend reservations through Redis. Measured on messages
 * JSON, one after the other: the bare proxy; one instance on PostgreSQL with the in-process limiter;
 * one instance with Redis (the difference is the shared limiter's cost per request, plus what
 * redis-server itself spends); then the three instances at once, the connections dealt over them by
 * one load generator (aggregate throughput, CPU per request summed over the instances).
 */
import { CFG, CORES, log, note } from '../lib/config.ts';
import { closedLoop } from '../lib/load.ts';
import { pgUsageRows } from '../lib/measure.ts';
import { procCpuMs, sleep, stopChild } from '../lib/procs.ts';
import { fmt } from '../lib/report.ts';
import { provision, startBare, startMock, startTollgate, waitKey, type Server } from '../lib/servers.ts';
import { pgDatabase, redisPid, redisReachable } from '../lib/services.ts';
import { pathOf, type Scenario } from '../lib/workload.ts';

const cpuOf = (pids: number[]) => pids.reduce((t, p) => t + procCpuMs(p), 0);

export async function phaseScale() {
  const db = await pgDatabase();
  if (!db) return { skipped: 'PostgreSQL not reachable' };
  if (!(await redisReachable(CFG.redisUrl))) {
    note(`Redis not reachable at ${CFG.redisUrl}; the three-instance figures are skipped`);
    return { skipped: 'Redis not reachable' };
  }
  const started: Server[] = [];
  try {
    const mock = await startMock('mock-scale');
    started.push(mock);
    const bare = await startBare('bare-scale', mock);
    started.push(bare);
    const single = await startTollgate('tollgate-pg-local', db.url, mock);
    started.push(single);
    const cust = await provision(db.url);
    await waitKey(single, cust.key);
    const gws: Server[] = [];
    for (let i = 1; i <= 3; i++) {
      const s = await startTollgate(`tollgate-redis-${i}`, db.url, mock, [], { REDIS_URL: CFG.redisUrl });
      started.push(s);
      await waitKey(s, cust.key);
      gws.push(s);
    }
    log(`scale: mock, bare, one instance on PostgreSQL, three on PostgreSQL + Redis (${CFG.redisUrl}) up`);
    const rpid = redisPid();
    const scen: Scenario = 'messages';
    const secs = CFG.scaleSeconds;
    const url = (s: Server) => `${s.url}${pathOf(scen)}`;
    for (const s of [bare, single, ...gws]) await closedLoop(url(s), scen, cust.key, CFG.warmup, CFG.conns);
    const one = async (s: Server, extraPids: number[] = []) => {
      const c0 = procCpuMs(s.child.pid),
        r0 = cpuOf(extraPids);
      const r = await closedLoop(url(s), scen, cust.key, secs, CFG.conns);
      return {
        rps: r.rps,
        requests: r.requests,
        errors: r.errors,
        p99_ms: r.lat_ms.p99,
        cpu_us_per_req: r.requests ? ((procCpuMs(s.child.pid) - c0) * 1000) / r.requests : NaN,
        redis_us_per_req: extraPids.length && r.requests ? ((cpuOf(extraPids) - r0) * 1000) / r.requests : null,
      };
    };
    const rows0 = await pgUsageRows(db.url);
    const bareR = await one(bare);
    const local = await one(single);
    const redis1 = await one(gws[0]!, rpid ? [rpid] : []);
    // All three at once, the connections dealt over them by one generator (a load balancer's view).
    const c0 = gws.map((g) => procCpuMs(g.child.pid)),
      rc0 = rpid ? procCpuMs(rpid) : 0;
    const three = await closedLoop(gws.map(url), scen, cust.key, secs, CFG.conns, 'node');
    const perUrl = ((three.err_detail as { per_url?: number[] }).per_url ?? []).map((n) => +(n / secs).toFixed(1));
    const cpu3 = gws.reduce((t, g, i) => t + procCpuMs(g.child.pid) - c0[i]!, 0);
    await sleep(300);
    const rows = (await pgUsageRows(db.url)) - rows0;
    const out = {
      scenario: scen,
      seconds: secs,
      redis: CFG.redisUrl,
      cores: CORES,
      bare: bareR,
      one_instance_local_limiter: local,
      one_instance_redis: redis1,
      three_instances: {
        rps: three.rps,
        per_instance_rps: perUrl,
        errors: three.errors,
        connections: CFG.conns,
        p99_ms: three.lat_ms.p99,
        cpu_us_per_req: three.requests ? (cpu3 * 1000) / three.requests : NaN,
        redis_us_per_req: rpid && three.requests ? ((procCpuMs(rpid) - rc0) * 1000) / three.requests : null,
      },
      shared_limiter_cpu_us_per_req: redis1.cpu_us_per_req - local.cpu_us_per_req,
      usage_rows_written: rows,
    };
    log(
      `scale: bare ${fmt(bareR.rps)} req/s; one instance on PostgreSQL ${fmt(local.rps)} req/s (${fmt(local.cpu_us_per_req, 0)} µs/req), with Redis ${fmt(redis1.rps)} req/s ` +
        `(${fmt(redis1.cpu_us_per_req, 0)} µs/req + redis-server ${fmt(redis1.redis_us_per_req ?? NaN, 0)}); three instances ${fmt(three.rps)} req/s aggregate (${perUrl.join(' + ')})`,
    );
    return out;
  } finally {
    for (const s of started.reverse()) await stopChild(s.child);
  }
}
