/**
 * Spend holds in Redis, shared by every gateway instance: each operation is one Lua script
 * (see `redis-lua.ts` for the layout and the exact-arithmetic scheme), so check-and-hold is
 * atomic across instances and a cap is hard cluster-wide. Deadlines come from the caller's
 * `Clock` and are passed into the scripts, so tests can move time. Hold records carry their
 * accounts and amount: any instance can settle, release or expire any hold.
 *
 * The client is the caller's: `close()` stops the sweep timer but does not quit it.
 *
 * A Redis restart empties every counter and hold. Each instance therefore remembers the holds it
 * has in flight and the epoch (`P epoch`) it last saw; the first script that finds another epoch
 * (or none) makes the instance re-register its holds and set a fence during which no instance
 * admits anything (`SpendHoldsRecovering`, the gateway's 503 `limiter_unavailable`), so the
 * in-flight worst cases of every instance are held again before new requests are admitted. The
 * sweep (every second) notices a restart even on an idle instance.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { systemClock, type Clock } from '../../core/clock.ts';
import { ADD_USED, ENSURE_LOADED, EXPIRE, FINISH, NEW_EPOCH, RESERVE, RESTORE } from './redis-lua.ts';
import {
  HoldIdReusedError,
  type AccountSnapshot,
  type ReserveRequest,
  type ReserveResult,
  type SettleResult,
  type SpendHolds,
  type SpendHoldsOptions,
} from './types.ts';
import { checkAmount, checkKey, checkReserve } from './validate.ts';

export interface RedisSpendHoldsOptions extends SpendHoldsOptions {
  redis: Redis;
  /** Prefix of every key this store touches. Default `tollgate:spend:`. */
  prefix?: string;
  /** Max holds expired per script run (sweeps inside `reserve` and `expire`). Default 100. */
  sweepBatch?: number;
  /**
   * After a Redis restart, nothing is admitted for this long (ms) so every live instance (each
   * sweeps every `sweepIntervalMs`) re-registers its in-flight holds first. Default 3 × the sweep
   * interval, at least 3000.
   */
  recoveryMs?: number;
  /** Called after this instance recovered from a Redis restart, with the holds it re-registered. */
  onRestart?: (info: { restored: number; fencedForMs: number }) => void;
}

/** Thrown by `reserve` right after a Redis restart, while instances re-register their holds: fail closed. */
export class SpendHoldsRecovering extends Error {
  constructor(until: number) {
    super(`spend holds are being rebuilt after a Redis restart (until ${new Date(until).toISOString()})`);
    this.name = 'SpendHoldsRecovering';
  }
}

interface MyHold {
  amt: string;
  accts: string;
  exp: number;
}

interface Script {
  lua: string;
  sha: string;
}
const script = (lua: string): Script => ({ lua, sha: createHash('sha1').update(lua).digest('hex') });
const S = {
  reserve: script(RESERVE),
  finish: script(FINISH),
  expire: script(EXPIRE),
  ensure: script(ENSURE_LOADED),
  addUsed: script(ADD_USED),
  restore: script(RESTORE),
  newEpoch: script(NEW_EPOCH),
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
  private readonly recoveryMs: number;
  private readonly onRestart: RedisSpendHoldsOptions['onRestart'];
  /** The epoch this instance last saw ('' = none yet). */
  private epoch = '';
  private recovering: Promise<void> | undefined;
  /** Holds this instance reserved and has not finished: re-registered after a Redis restart. */
  private readonly mine = new Map<string, MyHold>();
  /** Redis restarts this instance has recovered from (for tests and logs). */
  restarts = 0;

  constructor(opts: RedisSpendHoldsOptions) {
    this.redis = opts.redis;
    this.clock = opts.clock ?? systemClock;
    this.prefix = opts.prefix ?? 'tollgate:spend:';
    this.retentionMs = opts.expiredRetentionMs ?? 3_600_000;
    this.batch = opts.sweepBatch ?? 100;
    this.kDeadlines = `${this.prefix}deadlines`;
    this.kExpired = `${this.prefix}expired`;
    const every = opts.sweepIntervalMs ?? 1000;
    this.recoveryMs = opts.recoveryMs ?? Math.max(3000, 3 * every);
    this.onRestart = opts.onRestart;
    if (every > 0) {
      this.timer = setInterval(() => {
        if (this.sweeping) return;
        this.sweeping = true;
        this.expire(this.clock.now())
          .catch((err) => opts.onError?.(err))
          .finally(() => {
            this.sweeping = false;
          });
      }, every);
      this.timer.unref();
    }
  }

  /** The Redis key of an account (for operators and tests). */
  accountKey(key: string): string {
    return `${this.prefix}a:${key}`;
  }
  private holdKey(id: string): string {
    return `${this.prefix}h:${id}`;
  }

  async reserve(req: ReserveRequest): Promise<ReserveResult> {
    checkReserve(req);
    const now = this.clock.now();
    const deadline = now + req.ttlMs;
    const acctKeys = req.accounts.map((a) => this.accountKey(a.key));
    const keys = [this.kDeadlines, this.kExpired, this.holdKey(req.holdId), ...acctKeys];
    const args = [
      req.holdId,
      req.amount.toString(),
      String(now),
      String(deadline),
      String(now + this.retentionMs),
      String(this.batch),
      `${this.prefix}h:`,
      JSON.stringify(acctKeys),
      ...req.accounts.map((a) => (a.cap === null ? '' : a.cap.toString())),
    ];
    const r = (await this.run(S.reserve, keys, args)) as Array<string | number>;
    switch (r[0]) {
      case 'ok':
        this.mine.set(req.holdId, { amt: req.amount.toString(), accts: JSON.stringify(acctKeys), exp: deadline });
        return { ok: true, holdId: req.holdId, expiresAt: deadline, duplicate: false };
      case 'recovering':
        throw new SpendHoldsRecovering(Number(r[1]));
      case 'dup':
        return { ok: true, holdId: req.holdId, expiresAt: Number(r[1]), duplicate: true };
      case 'reused':
        throw new HoldIdReusedError(req.holdId);
      case 'cap':
      case 'not_loaded':
        return {
          ok: false,
          reason: r[0],
          refusedKey: req.accounts[Number(r[1]) - 1]!.key,
          used: BigInt(r[2]!),
          held: BigInt(r[3]!),
          cap: BigInt(r[4]!),
        };
      case 'overflow':
        throw new RangeError(`held of ${req.accounts[Number(r[1]) - 1]!.key} would overflow int64 (held ${r[2]})`);
      default:
        throw new Error(`unexpected reserve reply ${JSON.stringify(r)}`);
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
    let r: string[];
    // Finished or not, it is no longer this instance's to re-register: if Redis lost it, the
    // request's usage reaches the database and is counted when the account is loaded again.
    try {
      r = (await this.run(S.finish, keys, [holdId, actual === null ? '' : actual.toString()])) as string[];
    } finally {
      this.mine.delete(holdId);
    }
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
    if (inflight) {
      await inflight;
      return false;
    }
    const p = (async () => {
      const v = await loader();
      checkAmount(`loaded used of ${key}`, v, false);
      const r = await this.run(S.ensure, [k], [v.toString()]);
      if (Array.isArray(r)) throw new RangeError(`used of ${key} would overflow int64 (at ${r[2]})`);
      return r === 1;
    })();
    this.loading.set(key, p);
    try {
      return await p;
    } finally {
      this.loading.delete(key);
    }
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
      const n = (await this.run(
        S.expire,
        [this.kDeadlines, this.kExpired],
        [String(now), String(now + this.retentionMs), String(this.batch), `${this.prefix}h:`],
      )) as number;
      total += n;
      if (n < this.batch) break;
    }
    return total;
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Runs a script under the epoch this instance knows; on another epoch, recovers and runs it again. */
  private async run(s: Script, keys: string[], args: string[]): Promise<Reply> {
    for (let attempt = 0; ; attempt++) {
      const sent = this.epoch;
      const r = await this.evalScript(s, keys, [...args, this.prefix, sent]);
      if (!Array.isArray(r) || r[0] !== 'epoch') return r;
      if (attempt >= 3) throw new Error('spend holds: the Redis epoch keeps changing');
      // A call sent before this instance adopted the current epoch (its first calls run concurrently)
      // is stale, not a restart: another call has already recovered, so it only runs again.
      if (this.epoch !== sent) continue;
      await this.recover();
    }
  }

  /**
   * Another epoch (or none) in Redis. A fresh instance adopts it (creating it when there is none).
   * An instance that knew an epoch has seen a restart: it moves the fence ahead (nothing is admitted
   * anywhere until then) and re-registers every hold it still has in flight.
   */
  private recover(): Promise<void> {
    this.recovering ??= (async () => {
      const restarted = this.epoch !== '';
      const now = this.clock.now();
      const fence = restarted ? String(now + this.recoveryMs) : '';
      const epoch = String(await this.evalScript(S.newEpoch, [], [this.prefix, fence, randomUUID()]));
      if (restarted) {
        this.restarts++;
        let restored = 0;
        for (const [id, h] of this.mine) {
          if (h.exp <= now) {
            this.mine.delete(id);
            continue;
          }
          const r = (await this.evalScript(
            S.restore,
            [this.kDeadlines, this.holdKey(id)],
            [id, h.amt, String(h.exp), h.accts, this.prefix, epoch],
          )) as string[];
          if (r[0] === 'epoch') throw new Error('spend holds: Redis restarted again while holds were re-registered');
          if (r[0] === 'ok') restored++;
        }
        this.onRestart?.({ restored, fencedForMs: this.recoveryMs });
      }
      this.epoch = epoch;
    })().finally(() => {
      this.recovering = undefined;
    });
    return this.recovering;
  }

  /** EVALSHA, falling back to EVAL once when the server's script cache lacks it. */
  private async evalScript(s: Script, keys: string[], args: string[]): Promise<Reply> {
    try {
      return (await this.redis.evalsha(s.sha, keys.length, ...keys, ...args)) as Reply;
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
      return (await this.redis.eval(s.lua, keys.length, ...keys, ...args)) as Reply;
    }
  }
}
