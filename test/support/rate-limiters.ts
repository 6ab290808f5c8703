/**
 * Test helpers for the rate-limiter suites: one factory per implementation, so the same
 * tests run against MemoryRateLimiter and RedisRateLimiter. The Redis factory uses db 0 at
 * 127.0.0.1:6379 with a unique key prefix per test and deletes that prefix afterwards
 * (never FLUSHALL/FLUSHDB).
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { ManualClock } from '../../src/core/clock.ts';
import type { RateLimiter } from '../../src/limits/rate/limiter.ts';
import { MemoryRateLimiter } from '../../src/limits/rate/memory.ts';
import { RedisRateLimiter } from '../../src/limits/rate/redis.ts';

export interface LimiterHandle {
  limiter: RateLimiter;
  /** Raw store access for white-box assertions (Redis only). */
  redis?: Redis;
  prefix?: string;
  cleanup(): Promise<void>;
}

export interface LimiterFactory {
  name: string;
  make(clock: ManualClock): Promise<LimiterHandle>;
  close(): Promise<void>;
}

export const memoryFactory: LimiterFactory = {
  name: 'MemoryRateLimiter',
  async make(clock) {
    return { limiter: new MemoryRateLimiter({ clock }), cleanup: async () => {} };
  },
  async close() {},
};

/** Deletes every key under `prefix` (SCAN + DEL, db 0). */
export async function deletePrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    if (keys.length) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}

export function redisFactory(): LimiterFactory {
  let redis: Redis | undefined;
  const conn = async (): Promise<Redis> => {
    if (redis) return redis;
    const r = new Redis({ host: '127.0.0.1', port: 6379, db: 0, lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await r.connect();
    } catch (err) {
      r.disconnect();
      throw new Error(`Redis at 127.0.0.1:6379 is not reachable (start redis-server): ${String(err)}`);
    }
    redis = r;
    return r;
  };
  return {
    name: 'RedisRateLimiter',
    async make(clock) {
      const r = await conn();
      const prefix = `tollgate:test:rl:${randomUUID()}:`;
      return {
        limiter: new RedisRateLimiter({ redis: r, clock, prefix }),
        redis: r,
        prefix,
        cleanup: () => deletePrefix(r, prefix),
      };
    },
    async close() {
      if (redis) await redis.quit();
      redis = undefined;
    },
  };
}
