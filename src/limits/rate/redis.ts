/**
 * Shared rate limiter on Redis (ioredis). One Lua script does the all-or-nothing
 * check-and-take over every bucket of a request atomically, so any number of gateway
 * instances can share limits. Time comes from the injected Clock and is passed to the script.
 * Bucket keys expire once they would be full again (see redis-scripts.ts).
 *
 * The Redis client is the caller's (connection options, reconnects and shutdown are theirs).
 * Every method is async; errors (Redis down) reject, and the caller decides whether to fail
 * open or closed. `adjust`/`record` run after the response, so callers typically do
 * `limiter.record(refs, n).catch(log)`.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { systemClock, type Clock } from '../../core/clock.ts';
import {
  buildSnapshot,
  pickRefusal,
  refusalOf,
  validateCheck,
  validateRefs,
  type BucketRef,
  type RateCheck,
  type RateDecision,
  type RateLimiter,
} from './limiter.ts';
import { CHECK_SCRIPT, DEBIT_SCRIPT } from './redis-scripts.ts';

export interface RedisRateLimiterOptions {
  redis: Redis;
  clock?: Clock;
  /** Prepended to every bucket key (default `tollgate:rl:`). */
  prefix?: string;
  /** Extra lifetime (ms) of a bucket key beyond the moment it would be full (default 1000). */
  ttlSlackMs?: number;
}

interface Script {
  lua: string;
  sha: string;
}

const script = (lua: string): Script => ({ lua, sha: createHash('sha1').update(lua).digest('hex') });
const CHECK = script(CHECK_SCRIPT);
const DEBIT = script(DEBIT_SCRIPT);

export class RedisRateLimiter implements RateLimiter {
  private readonly redis: Redis;
  private readonly clock: Clock;
  readonly prefix: string;
  private readonly slack: number;

  constructor(opts: RedisRateLimiterOptions) {
    this.redis = opts.redis;
    this.clock = opts.clock ?? systemClock;
    this.prefix = opts.prefix ?? 'tollgate:rl:';
    this.slack = Math.max(0, Math.ceil(opts.ttlSlackMs ?? 1000));
  }

  async check(req: RateCheck): Promise<RateDecision> {
    validateCheck(req);
    const bs = req.buckets;
    const now = Math.floor(this.clock.now());
    if (bs.length === 0) return { ok: true, snapshot: {} };
    const keys = bs.map((b) => this.prefix + b.key);
    const args: (string | number)[] = [now, this.slack];
    for (const b of bs) args.push(b.limit, b.cost, b.dimension === 'output_tokens' ? 1 : 0);
    const res = (await this.run(CHECK, keys, args)) as number[];
    if (!Array.isArray(res) || res.length !== 3 + bs.length) throw new Error('rate limiter script: unexpected reply');
    const ticks = res.slice(3).map(Number);
    if (res[0] === 1) return { ok: true, snapshot: buildSnapshot(bs, ticks, now) };
    // The script found a refusal; recompute it from the returned levels with the same math
    // (one source of truth for the choice of bucket and the "never" retry-after).
    const { index, retryAfterMs } = pickRefusal(bs, ticks);
    if (index !== Number(res[1]) - 1) throw new Error('rate limiter script disagrees with bucket math');
    return { ok: false, refused: refusalOf(bs[index]!), retryAfterMs, snapshot: buildSnapshot(bs, ticks, now) };
  }

  async adjust(buckets: readonly BucketRef[], delta: number): Promise<void> {
    validateRefs(buckets, delta);
    if (delta === 0 || buckets.length === 0) return;
    const now = Math.floor(this.clock.now());
    await this.run(
      DEBIT,
      buckets.map((r) => this.prefix + r.key),
      [now, this.slack, delta, ...buckets.map((r) => r.limit)],
    );
  }

  async record(buckets: readonly BucketRef[], outputTokens: number): Promise<void> {
    if (outputTokens < 0) throw new TypeError(`output tokens must be >= 0, got ${outputTokens}`);
    await this.adjust(buckets, outputTokens);
  }

  /** EVALSHA, falling back to EVAL (which also caches the script) on NOSCRIPT. */
  private async run(s: Script, keys: string[], args: (string | number)[]): Promise<unknown> {
    try {
      return await this.redis.evalsha(s.sha, keys.length, ...keys, ...args);
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
      return await this.redis.eval(s.lua, keys.length, ...keys, ...args);
    }
  }
}
