/**
 * Spend holds: the public types of the reservation engine.
 *
 * An *account* is a string key (`credit:org_1`, `month:2026-11:org:org_1`,
 * `month:2026-11:ws:ws_1`, `month:2026-11:key:key_9`; made and read only by limits/spend-account.ts)
 * with two exact pico-USD counters:
 * `used` (settled spend) and `held` (the sum of live holds). A credit balance is an account
 * whose cap is the total granted and whose `used` is the total debited (balance = cap − used).
 *
 * A reservation holds `amount` on every account it names, all or nothing, and is admitted
 * iff `used + held + amount <= cap` on every capped account. Every amount is a bigint that
 * must fit in a signed 64-bit integer (the width of the SQL columns and of Redis counters).
 */

import type { Clock } from '../../core/clock.ts';

/** One account a reservation touches. `cap: null` = no cap (tracked, never refuses). */
export interface HoldAccount {
  key: string;
  cap: bigint | null;
}

export interface ReserveRequest {
  /** Unique per request (e.g. the request id). Settle/release refer to it, from any instance. */
  holdId: string;
  /** Worst-case cost, pico-USD, >= 0. */
  amount: bigint;
  /** Distinct keys, checked in this order; the first refusing one is reported. */
  accounts: HoldAccount[];
  /** The hold expires (is released) this many ms after `Clock.now()` unless settled first. */
  ttlMs: number;
}

export type ReserveResult =
  | {
      ok: true;
      holdId: string;
      /** Deadline (ms since epoch, caller's clock) after which an unsettled hold is dropped. */
      expiresAt: number;
      /** True when a live hold with this id already existed (idempotent retry): nothing changed. */
      duplicate: boolean;
    }
  | {
      ok: false;
      /**
       * `cap`: `used + held + amount` would exceed the cap.
       * `not_loaded`: a capped account has never been initialised (`setUsed`/`ensureLoaded`);
       * admitting against an unknown `used` could break the cap, so we fail closed. Load it and
       * retry (`reserveWithLoad` does that).
       */
      reason: 'cap' | 'not_loaded';
      refusedKey: string;
      used: bigint;
      held: bigint;
      cap: bigint;
    };

export interface SettleResult {
  /**
   * `live`: the hold was live and is now settled. `expired`: the hold had already expired
   * (its `held` was dropped) but its record was still kept; `actual` was added to `used`.
   * `none`: no such hold (already settled/released, or its expired record was purged):
   * nothing changed — the caller should `addUsed` if the spend must still be counted.
   */
  status: 'live' | 'expired' | 'none';
  /** The amount that was held (0n when `status` is `none`). */
  held: bigint;
  /** `actual − held` when positive (the hold under-estimated the cost), else 0n. */
  overshoot: bigint;
}

export interface AccountSnapshot {
  used: bigint;
  held: bigint;
  /** Whether `used` was initialised by `setUsed` or `ensureLoaded`. */
  loaded: boolean;
}

/**
 * The hold engine. Hot state only: the database stays the record of spend; this mirrors it
 * (via `ensureLoaded`/`setUsed`/`addUsed`) and enforces caps across concurrent requests.
 */
export interface SpendHolds {
  /** Check every capped account and hold `amount` on all of them, atomically; or change nothing. */
  reserve(req: ReserveRequest): Promise<ReserveResult>;
  /**
   * Removes the hold and adds `actual` (>= 0, may exceed the hold) to `used` of every account
   * it named. Idempotent: settling/releasing an id a second time is a no-op (`status: 'none'`).
   */
  settle(holdId: string, actual: bigint): Promise<SettleResult>;
  /** Removes the hold, adds nothing. Idempotent. */
  release(holdId: string): Promise<SettleResult>;
  /** Adds `delta` (may be negative, e.g. a correction) to `used`. Does not mark the account loaded. */
  addUsed(key: string, delta: bigint): Promise<void>;
  /** Sets `used` (authoritative reload from the database) and marks the account loaded. */
  setUsed(key: string, value: bigint): Promise<void>;
  /**
   * Initialises `used` once: if the account was never loaded, runs `loader` and adds its value
   * to `used` (on top of any deltas recorded before the load), atomically against other
   * loaders — across instances only one load wins. Returns true if this call's load applied.
   */
  ensureLoaded(key: string, loader: () => Promise<bigint>): Promise<boolean>;
  snapshot(key: string): Promise<AccountSnapshot>;
  /** Drops holds whose deadline is <= `now`; returns how many were dropped. */
  expire(now: number): Promise<number>;
  /** Stops the sweep timer. Does not close a Redis client it was given. */
  close(): Promise<void>;
}

/** Options shared by both implementations. */
export interface SpendHoldsOptions {
  /** Time source for deadlines (default `systemClock`). */
  clock?: Clock;
  /** Period of the automatic expiry sweep (unref'd timer); 0 disables it. Default 1000 ms. */
  sweepIntervalMs?: number;
  /**
   * How long an expired hold's record is kept so a late `settle` still counts its spend.
   * Default 1 hour.
   */
  expiredRetentionMs?: number;
  /** Called with errors thrown by the background sweep (default: ignored). */
  onError?: (err: unknown) => void;
}

export const INT64_MAX = 9_223_372_036_854_775_807n;
export const INT64_MIN = -9_223_372_036_854_775_808n;

/** Thrown by `reserve` when `holdId` names a hold that already expired (ids must be unique). */
export class HoldIdReusedError extends Error {
  constructor(holdId: string) {
    super(`spend hold id already used by an expired hold: ${holdId}`);
    this.name = 'HoldIdReusedError';
  }
}
