/**
 * In-process spend holds. Every check-and-hold runs synchronously, in one JS turn, so it is
 * atomic with respect to every other request in this process (one thread). Use it for a
 * single gateway instance; with several instances use `RedisSpendHolds`.
 *
 * Holds sit in an indexed min-heap by deadline: `reserve` checks the heap top (O(1)) and
 * sweeps only when something is due, settle removes in O(log n). Expired holds keep a
 * record for `expiredRetentionMs` so a late settle still counts its spend.
 *
 * The `*Sync` methods are the hot-path entry points; the async `SpendHolds` methods wrap them.
 */
import { systemClock, type Clock } from '../../core/clock.ts';
import { DeadlineHeap, type HeapItem } from './heap.ts';
import {
  HoldIdReusedError,
  INT64_MAX,
  type AccountSnapshot,
  type ReserveRequest,
  type ReserveResult,
  type SettleResult,
  type SpendHolds,
  type SpendHoldsOptions,
} from './types.ts';
import { checkAmount, checkFits, checkKey, checkReserve } from './validate.ts';

interface Account {
  used: bigint;
  held: bigint;
  loaded: boolean;
}

interface Hold extends HeapItem {
  id: string;
  amount: bigint;
  accounts: Account[];
  /** When an expired hold's record is forgotten. */
  purgeAt: number;
}

const NONE: SettleResult = Object.freeze({ status: 'none', held: 0n, overshoot: 0n }) as SettleResult;

export class MemorySpendHolds implements SpendHolds {
  private readonly clock: Clock;
  private readonly retentionMs: number;
  private readonly accounts = new Map<string, Account>();
  private readonly live = new Map<string, Hold>();
  /** Expired holds, in expiry order (so purge order when the clock only moves forward). */
  private readonly expired = new Map<string, Hold>();
  private readonly heap = new DeadlineHeap<Hold>();
  private readonly loading = new Map<string, Promise<boolean>>();
  private timer: NodeJS.Timeout | undefined;

  constructor(opts: SpendHoldsOptions = {}) {
    this.clock = opts.clock ?? systemClock;
    this.retentionMs = opts.expiredRetentionMs ?? 3_600_000;
    const every = opts.sweepIntervalMs ?? 1000;
    if (every > 0) {
      this.timer = setInterval(() => {
        try {
          this.expireSync(this.clock.now());
        } catch (err) {
          opts.onError?.(err);
        }
      }, every);
      this.timer.unref();
    }
  }

  reserveSync(req: ReserveRequest): ReserveResult {
    checkReserve(req);
    const now = this.clock.now();
    if (this.heap.peekDeadline() <= now) this.expireSync(now);
    const dup = this.live.get(req.holdId);
    if (dup) return { ok: true, holdId: req.holdId, expiresAt: dup.deadline, duplicate: true };
    if (this.expired.size && this.expired.has(req.holdId)) throw new HoldIdReusedError(req.holdId);

    const amount = req.amount;
    const heldLimit = INT64_MAX - amount; // held + amount must stay <= INT64_MAX
    const n = req.accounts.length;
    const accts: Array<Account | undefined> = new Array(n);
    for (let i = 0; i < n; i++) {
      const { key, cap } = req.accounts[i]!;
      const acct = this.accounts.get(key);
      if (cap !== null) {
        if (!acct?.loaded) {
          return { ok: false, reason: 'not_loaded', refusedKey: key, used: acct?.used ?? 0n, held: acct?.held ?? 0n, cap };
        }
        if (acct.used + acct.held + amount > cap) {
          return { ok: false, reason: 'cap', refusedKey: key, used: acct.used, held: acct.held, cap };
        }
      }
      if (acct && acct.held > heldLimit) checkFits(`held of ${key}`, acct.held + amount);
      accts[i] = acct; // created below when absent
    }
    // Admitted: nothing below can fail, so the hold is all-or-nothing.
    for (let i = 0; i < n; i++) {
      let acct = accts[i];
      if (!acct) {
        acct = { used: 0n, held: 0n, loaded: false };
        this.accounts.set(req.accounts[i]!.key, acct);
        accts[i] = acct;
      }
      acct.held += amount;
    }
    const hold: Hold = { id: req.holdId, amount, accounts: accts as Account[], deadline: now + req.ttlMs, heapIndex: -1, purgeAt: 0 };
    this.live.set(hold.id, hold);
    this.heap.push(hold);
    return { ok: true, holdId: hold.id, expiresAt: hold.deadline, duplicate: false };
  }

  /** Settles (`actual` given) or releases (`actual === null`) a hold. */
  finishSync(holdId: string, actual: bigint | null): SettleResult {
    checkKey('holdId', holdId);
    if (actual !== null) checkAmount('actual', actual, true);
    let hold = this.live.get(holdId);
    const wasLive = hold !== undefined;
    if (!hold) hold = this.expired.get(holdId);
    if (!hold) return NONE;
    const accts = hold.accounts;
    if (actual !== null) {
      // Check every account before touching any, so an overflow changes nothing.
      const usedLimit = INT64_MAX - actual;
      for (const a of accts) if (a.used > usedLimit) checkFits('used', a.used + actual);
    }
    for (const a of accts) {
      if (wasLive) a.held -= hold.amount;
      if (actual !== null) a.used += actual;
    }
    if (wasLive) {
      this.live.delete(holdId);
      this.heap.remove(hold);
    } else {
      this.expired.delete(holdId);
    }
    const overshoot = actual !== null && actual > hold.amount ? actual - hold.amount : 0n;
    return { status: wasLive ? 'live' : 'expired', held: hold.amount, overshoot };
  }

  settleSync(holdId: string, actual: bigint): SettleResult {
    if (actual === null || actual === undefined) throw new TypeError('actual is required; use release()');
    return this.finishSync(holdId, actual);
  }

  releaseSync(holdId: string): SettleResult {
    return this.finishSync(holdId, null);
  }

  expireSync(now: number): number {
    let n = 0;
    while (this.heap.peekDeadline() <= now) {
      const hold = this.heap.pop()!;
      for (const a of hold.accounts) a.held -= hold.amount;
      this.live.delete(hold.id);
      hold.purgeAt = now + this.retentionMs;
      this.expired.set(hold.id, hold);
      n++;
    }
    for (const [id, hold] of this.expired) {
      if (hold.purgeAt > now) break;
      this.expired.delete(id);
    }
    return n;
  }

  snapshotSync(key: string): AccountSnapshot {
    const a = this.accounts.get(key);
    return a ? { used: a.used, held: a.held, loaded: a.loaded } : { used: 0n, held: 0n, loaded: false };
  }

  async reserve(req: ReserveRequest): Promise<ReserveResult> {
    return this.reserveSync(req);
  }
  async settle(holdId: string, actual: bigint): Promise<SettleResult> {
    return this.settleSync(holdId, actual);
  }
  async release(holdId: string): Promise<SettleResult> {
    return this.releaseSync(holdId);
  }
  async snapshot(key: string): Promise<AccountSnapshot> {
    return this.snapshotSync(key);
  }
  async expire(now: number): Promise<number> {
    return this.expireSync(now);
  }

  async addUsed(key: string, delta: bigint): Promise<void> {
    checkKey('key', key);
    checkAmount('delta', delta, false);
    const a = this.account(key);
    checkFits(`used of ${key}`, a.used + delta);
    a.used += delta;
  }

  async setUsed(key: string, value: bigint): Promise<void> {
    checkKey('key', key);
    checkAmount('used', value, false);
    const a = this.account(key);
    a.used = value;
    a.loaded = true;
  }

  async ensureLoaded(key: string, loader: () => Promise<bigint>): Promise<boolean> {
    checkKey('key', key);
    if (this.accounts.get(key)?.loaded) return false;
    const inflight = this.loading.get(key);
    if (inflight) {
      await inflight;
      return false;
    }
    const p = (async () => {
      const v = await loader();
      checkAmount(`loaded used of ${key}`, v, false);
      const a = this.account(key);
      if (a.loaded) return false; // setUsed won meanwhile
      checkFits(`used of ${key}`, a.used + v);
      a.used += v;
      a.loaded = true;
      return true;
    })();
    this.loading.set(key, p);
    try {
      return await p;
    } finally {
      this.loading.delete(key);
    }
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Live holds in this process (diagnostics, tests). */
  get liveHolds(): number {
    return this.live.size;
  }

  private account(key: string): Account {
    let a = this.accounts.get(key);
    if (!a) {
      a = { used: 0n, held: 0n, loaded: false };
      this.accounts.set(key, a);
    }
    return a;
  }
}
