/**
 * Spend holds in Redis, shared by every gateway instance: each operation is one Lua script
 * (see `redis-lua.ts` for the layout and the exact-arithmetic scheme), so check-and-hold is
 * atomic across instances and a cap is hard cluster-wide. Deadlines come from the caller's
 * `Clock` and are passed into the scripts, so tests can move time. Hold records carry their
 * accounts and amount: any instance can settle, release or expire any hold.
 *
 * The client is the caller's: `close()` stops the sweep timer but does not quit it.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { systemClock, type Clock } from '../../core/clock.ts';
import { ADD_USED, ENSURE_LOADED, EXPIRE, FINISH, RESERVE } from './redis-lua.ts';
import {
  HoldIdReusedError,
  type AccountSnapshot, type ReserveRequest, type ReserveResult, type SettleResult,
  type SpendHolds, type SpendHoldsOptions,
} from './types.ts';
import { checkAmount, checkKey, checkReserve } from './validate.ts';

export interface RedisSpendHoldsOptions extends SpendHoldsOptions {
  redis: Redis;
  /** Prefix of every key this store touches. Default `tollgate:spend:`. */
  prefix?: string;
  /** Max holds expired per script run (sweeps inside `reserve` and `expire`). Default 100. */
  sweepBatch?: number;
}

interface Script { lua: string; sha: string }
const script = (lua: string): Script => ({ lua, sha: createHash('sha1').update(lua).digest('hex') });
const S = {
  reserve: script(RESERVE),
  finish: script(FINISH),
  expire: script(EXPIRE),
  ensure: script(ENSURE_LOADED),
  addUsed: script(ADD_USED),
};

type Reply = Array<string | number> | number;

export class RedisSpendHolds implements SpendHolds {
  private readonly redis: Redis;
  private readonly clock: Clock;
  private readonly prefix: string;
  private readonly retentionMs: number;
  private readonly batch: number;
  private readonly kDeadlines: string;
  private readonly kExpired: string;
  private readonly loading = new Map<string, Promise<boolean>>();
  private timer: NodeJS.Timeout | undefined;
  private sweeping = false;

  constructor(opts: RedisSpendHoldsOptions) {
    this.redis = opts.redis;
    this.clock = opts.clock ?? systemClock;
    this.prefix = opts.prefix ?? 'tollgate:spend:';
    this.retentionMs = opts.expiredRetentionMs ?? 3_600_000;
    this.batch = opts.sweepBatch ?? 100;
    this.kDeadlines = `${this.prefix}deadlines`;
    this.kExpired = `${this.prefix}expired`;
    const every = opts.sweepIntervalMs ?? 1000;
    if (every > 0) {
      this.timer = setInterval(() => {
        if (this.sweeping) return;
        this.sweeping = true;
        this.expire(this.clock.now())
          .catch((err) => opts.onError?.(err))
          .finally(() => { this.sweeping = false; });
      }, every);
      this.timer.unref();
    }
  }

  /** The Redis key of an account (for operators and tests). */
  accountKey(key: string): string { return `${this.prefix}a:${key}`; }
  private holdKey(id: string): string { return `${this.prefix}h:${id}`; }

  async reserve(req: ReserveRequest): Promise<ReserveResult> {
    checkReserve(req);
    const now = this.clock.now();
    const deadline = now + req.ttlMs;
    const acctKeys = req.accounts.map((a) => this.accountKey(a.key));
    const keys = [this.kDeadlines, this.kExpired, this.holdKey(req.holdId), ...acctKeys];
    const args = [
      req.holdId, req.amount.toString(), String(now), String(deadline), String(now + this.retentionMs),
      String(this.batch), `${this.prefix}h:`, JSON.stringify(acctKeys),
      ...req.accounts.map((a) => (a.cap === null ? '' : a.cap.toString())),
    ];
    const r = (await this.run(S.reserve, keys, args)) as Array<string | number>;
    switch (r[0]) {
      case 'ok': return { ok: true, holdId: req.holdId, expiresAt: deadline, duplicate: false };
      case 'dup': return { ok: true, holdId: req.holdId, expiresAt: Number(r[1]), duplicate: true };
      case 'reused': throw new HoldIdReusedError(req.holdId);
      case 'cap':
      case 'not_loaded':
        return {
          ok: false, reason: r[0], refusedKey: req.accounts[Number(r[1]) - 1]!.key,
          used: BigInt(r[2]!), held: BigInt(r[3]!), cap: BigInt(r[4]!),
        };
      case 'overflow':
        throw new RangeError(`held of ${req.accounts[Number(r[1]) - 1]!.key} would overflow int64 (held ${r[2]})`);
      default: throw new Error(`unexpected reserve reply ${JSON.stringify(r)}`);
    }
  }

  async settle(holdId: string, actual: bigint): Promise<SettleResult> {
    checkAmount('actual', actual, true);
    return this.finish(holdId, actual);
  }

  async release(holdId: string): Promise<SettleResult> {
    return this.finish(holdId, null);
  }

  private async finish(holdId: string, actual: bigint | null): Promise<SettleResult> {
    checkKey('holdId', holdId);
    const keys = [this.kDeadlines, this.kExpired, this.holdKey(holdId)];
    const r = (await this.run(S.finish, keys, [holdId, actual === null ? '' : actual.toString()])) as string[];
    if (r[0] === 'none') return { status: 'none', held: 0n, overshoot: 0n };
    if (r[0] === 'overflow') throw new RangeError(`counter of ${r[1]} would overflow int64 (at ${r[2]})`);
    if (r[0] !== 'live' && r[0] !== 'expired') throw new Error(`unexpected settle reply ${JSON.stringify(r)}`);
    const held = BigInt(r[1]!);
    const overshoot = actual !== null && actual > held ? actual - held : 0n;
    return { status: r[0], held, overshoot };
  }

  async addUsed(key: string, delta: bigint): Promise<void> {
    checkKey('key', key);
    checkAmount('delta', delta, false);
    const r = (await this.run(S.addUsed, [this.accountKey(key)], [delta.toString()])) as string[];
    if (r[0] === 'overflow') throw new RangeError(`used of ${key} would overflow int64 (at ${r[2]})`);
  }

  async setUsed(key: string, value: bigint): Promise<void> {
    checkKey('key', key);
    checkAmount('used', value, false);
    await this.redis.hset(this.accountKey(key), 'used', value.toString(), 'loaded', '1');
  }

  async ensureLoaded(key: string, loader: () => Promise<bigint>): Promise<boolean> {
    checkKey('key', key);
    const k = this.accountKey(key);
    if ((await this.redis.hexists(k, 'loaded')) === 1) return false;
    const inflight = this.loading.get(key);
    if (inflight) { await inflight; return false; }
    const p = (async () => {
      const v = await loader();
      checkAmount(`loaded used of ${key}`, v, false);
      const r = await this.run(S.ensure, [k], [v.toString()]);
      if (Array.isArray(r)) throw new RangeError(`used of ${key} would overflow int64 (at ${r[2]})`);
      return r === 1;
    })();
    this.loading.set(key, p);
    try { return await p; } finally { this.loading.delete(key); }
  }

  async snapshot(key: string): Promise<AccountSnapshot> {
    checkKey('key', key);
    const [used, held, loaded] = await this.redis.hmget(this.accountKey(key), 'used', 'held', 'loaded');
    return { used: BigInt(used ?? '0'), held: BigInt(held ?? '0'), loaded: loaded !== null };
  }

  async expire(now: number): Promise<number> {
    let total = 0;
    // Bounded batches keep each script short; stop when a batch comes back partial.
    for (let round = 0; round < 1000; round++) {
      const n = (await this.run(S.expire, [this.kDeadlines, this.kExpired],
        [String(now), String(now + this.retentionMs), String(this.batch), `${this.prefix}h:`])) as number;
      total += n;
      if (n < this.batch) break;
    }
    return total;
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** EVALSHA, falling back to EVAL once when the server's script cache lacks it. */
  private async run(s: Script, keys: string[], args: string[]): Promise<Reply> {
    try {
      return (await this.redis.evalsha(s.sha, keys.length, ...keys, ...args)) as Reply;
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
      return (await this.redis.eval(s.lua, keys.length, ...keys, ...args)) as Reply;
    }
  }
}
