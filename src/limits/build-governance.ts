/**
 * Builds the governance stack from config: in-process token buckets and spend holds by default,
 * or the Redis implementations (shared by every gateway instance) when REDIS_URL is set.
 */
import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import type { Config } from '../config/config.ts';
import type { Clock } from '../core/clock.ts';
import type { UsageWriter } from '../usage/writer.ts';
import { Governance, type GovernanceDeps, type SpendEvent } from './governance.ts';
import type { PolicyStore } from './policy.ts';
import { DEFAULT_TIER_SCHEDULE, MemoryRateLimiter, RedisRateLimiter, parseTierSchedule, type RateLimiter, type TierSchedule } from './rate/index.ts';
import { MemorySpendHolds, RedisSpendHolds, type SpendHolds } from './spend/index.ts';

export interface GovernanceStack {
  governance: Governance;
  /** `redisFailMode: open`: admission on this instance's own buckets and holds while Redis is unreachable. */
  fallback?: Governance;
  limiter: RateLimiter;
  holds: SpendHolds;
  schedule: TierSchedule;
  /** True from a Redis connection error until the connection is ready again: admission does not wait on it. */
  redisDown(): boolean;
  /** The shared Redis connection, when configured (readiness pings it). */
  redis?: import('ioredis').Redis;
  close(): Promise<void>;
}

export function loadTierSchedule(config: Config): TierSchedule {
  return config.tiersFile ? parseTierSchedule(JSON.parse(readFileSync(config.tiersFile, 'utf8'))) : DEFAULT_TIER_SCHEDULE;
}

export async function buildGovernance(opts: {
  config: Config;
  clock: Clock;
  log: Logger;
  policy: PolicyStore;
  usage: UsageWriter;
  billingHold?: GovernanceDeps['billingHold'];
  /** What runs after spend lands and when a cap refuses a request; built once the spend holds exist (they read them). */
  hooks?: (holds: SpendHolds) => { onSpend?: (e: SpendEvent) => void; onLimitRefused?: GovernanceDeps['onLimitRefused'] };
}): Promise<GovernanceStack> {
  const { config, clock, log, policy, usage } = opts;
  const schedule = loadTierSchedule(config);
  let limiter: RateLimiter;
  let holds: SpendHolds;
  let redis: import('ioredis').Redis | undefined;
  let down = false;
  if (config.redisUrl) {
    const { Redis } = await import('ioredis');
    // A Redis that stops answering (paused, partitioned) fails a command after 5 s instead of
    // holding the request forever: admission then fails closed (or open) as for a refused connection.
    redis = new Redis(config.redisUrl, { lazyConnect: false, maxRetriesPerRequest: 2, enableAutoPipelining: true, commandTimeout: 5000 });
    // ioredis reconnects by itself; say so once per outage instead of once per attempt.
    redis.on('error', (e) => {
      if (!down) log.error({ err: { message: e.message } }, 'Redis unreachable: reconnecting');
      down = true;
    });
    redis.on('ready', () => {
      if (down) log.warn('Redis reachable again');
      down = false;
    });
    limiter = new RedisRateLimiter({ redis, clock });
    holds = new RedisSpendHolds({
      redis,
      clock,
      onError: (e) => log.error({ err: e }, 'spend hold sweep failed'),
      onRestart: ({ restored, fencedForMs }) =>
        log.warn({ restored, fencedForMs }, "Redis restarted empty: re-registered this instance's spend holds in flight; admission paused meanwhile"),
    });
  } else {
    limiter = new MemoryRateLimiter({ clock });
    holds = new MemorySpendHolds({ clock });
  }
  const hooks = opts.hooks?.(holds) ?? {};
  const make = (limiter: RateLimiter, holds: SpendHolds, onSpend = hooks.onSpend) =>
    new Governance({
      clock,
      policy,
      limiter,
      holds,
      schedule,
      holdTtlMs: config.holdTtlMs,
      loadUsed: async (account) => {
        await usage.flush();
        return policy.loadUsed(account);
      },
      onSpend,
      onLimitRefused: hooks.onLimitRefused,
      billingHold: opts.billingHold,
      onError: (e) => log.error({ err: e }, 'governance background update failed'),
    });
  const governance = make(limiter, holds);
  const stack: GovernanceStack = {
    governance,
    limiter,
    holds,
    schedule,
    redis,
    redisDown: () => down,
    async close() {
      await holds.close();
      (limiter as { close?: () => void }).close?.();
      if (redis?.status === 'ready') await redis.quit().catch(() => {});
      else redis?.disconnect(); // never connected (or lost): QUIT would wait for a connection
    },
  };
  if (redis && config.redisFailMode === 'open') {
    failOpen(
      stack,
      redis,
      (record) =>
        make(new MemoryRateLimiter({ clock }), new MemorySpendHolds({ clock }), (e) => {
          record(e);
          hooks.onSpend?.(e);
        }),
      log,
    );
  }
  return stack;
}

/**
 * `redisFailMode: open` (docs/billing.md "When Redis or the database is away"): while Redis is unreachable this
 * instance admits on its own buckets and holds, loaded fresh from the database at each outage (a
 * new fallback per outage). What the fallback settles is added to the shared counters once Redis
 * answers again, so spend made during the outage still counts against caps and balances afterwards.
 */
function failOpen(stack: GovernanceStack, redis: import('ioredis').Redis, make: (onSpend: (e: SpendEvent) => void) => Governance, log: Logger): void {
  let pending: Array<{ key: string; cost: bigint }> = [];
  const fresh = () =>
    make((e) => {
      if (e.cost > 0n) for (const a of e.accounts) pending.push({ key: a.key, cost: e.cost });
    });
  stack.fallback = fresh();
  redis.on('ready', () => {
    stack.fallback = fresh();
    const todo = pending;
    pending = [];
    if (!todo.length) return;
    void (async () => {
      for (const [i, p] of todo.entries()) {
        try {
          await stack.holds.addUsed(p.key, p.cost);
        } catch (e) {
          pending.push(...todo.slice(i));
          log.error({ err: e }, 'spend settled while Redis was away not yet added to the shared counters');
          return;
        }
      }
      log.warn({ settled: todo.length }, 'spend settled on local limits while Redis was away added to the shared counters');
    })();
  });
}
