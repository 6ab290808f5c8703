/**
 * Micro-benchmark of MemoryRateLimiter.check (it sits on every request) for 3, 6 and 9
 * buckets (org; org + workspace; org + workspace + key), and, for reference, the Redis
 * round trip (wall clock). Memory figures are the best of 5 rounds of CPU time. Run: `node --import tsx bench/micro/rate-limiter.ts [--redis]`.
 */
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { systemClock } from '../../src/core/clock.ts';
import { buildRateCheck, type ScopeLimits } from '../../src/limits/rate/keys.ts';
import type { RateCheck } from '../../src/limits/rate/limiter.ts';
import { MemoryRateLimiter } from '../../src/limits/rate/memory.ts';
import { RedisRateLimiter } from '../../src/limits/rate/redis.ts';
import { deletePrefix } from '../../test/support/rate-limiters.ts';

const BIG = { rpm: 1_000_000_000, itpm: 1_000_000_000, otpm: 1_000_000_000 };

function checks(scopes: number, variety: number): RateCheck[] {
  const out: RateCheck[] = [];
  for (let v = 0; v < variety; v++) {
    const s: ScopeLimits[] = [{ scope: 'organization', id: `org${v}`, limits: BIG }];
    if (scopes > 1) s.push({ scope: 'workspace', id: `ws${v}`, limits: BIG });
    if (scopes > 2) s.push({ scope: 'api_key', id: `key${v}`, limits: BIG });
    out.push(buildRateCheck('claude-sonnet-4', s, 1500));
  }
  return out;
}

function benchMemory(scopes: number): number {
  const l = new MemoryRateLimiter({ clock: systemClock });
  const cs = checks(scopes, 1000);
  const run = (n: number) => {
    for (let i = 0; i < n; i++) if (!l.check(cs[i % cs.length]!).ok) throw new Error('refused');
  };
  run(200_000); // warm-up (JIT)
  // Best of 5 rounds, in process CPU time (robust against a loaded machine).
  const n = 300_000;
  let best = Infinity;
  for (let r = 0; r < 5; r++) {
    const c0 = process.cpuUsage();
    run(n);
    const c = process.cpuUsage(c0);
    best = Math.min(best, (c.user + c.system) / n);
  }
  return best;
}

async function benchRedis(scopes: number): Promise<number> {
  const redis = new Redis({ host: '127.0.0.1', port: 6379, db: 0 });
  const prefix = `tollgate:bench:rl:${process.pid}:`;
  const l = new RedisRateLimiter({ redis, prefix });
  const cs = checks(scopes, 100);
  try {
    for (let i = 0; i < 500; i++) await l.check(cs[i % cs.length]!);
    const n = 5000;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await l.check(cs[i % cs.length]!);
    return ((performance.now() - t0) * 1000) / n;
  } finally {
    await deletePrefix(redis, prefix);
    await redis.quit();
  }
}

for (const scopes of [1, 2, 3]) {
  console.log(`MemoryRateLimiter.check, ${scopes * 3} buckets: ${benchMemory(scopes).toFixed(2)} µs/check`);
}
if (process.argv.includes('--redis')) {
  for (const scopes of [1, 3]) {
    console.log(`RedisRateLimiter.check (sequential round trips), ${scopes * 3} buckets: ${(await benchRedis(scopes)).toFixed(1)} µs/check`);
  }
}
