/**
 * Failed authentications throttled per client address: each address has a bucket of
 * `burst` failures that refills at `perMinute`; an address with an empty bucket is refused with
 * 429 before its credential is even looked at, and its connection is closed. Successful
 * authentications cost nothing, so a customer with a typo'd key recovers as soon as it is fixed.
 * In memory, per instance; the map is pruned of full buckets so it stays bounded.
 */
import { fail } from '../../core/errors.ts';
import type { Clock } from '../../core/clock.ts';

export interface AuthThrottleOptions {
  burst: number;
  perMinute: number;
  clock: Clock;
  maxTracked?: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export class AuthThrottle {
  private buckets = new Map<string, Bucket>();
  private maxTracked: number;

  constructor(private o: AuthThrottleOptions) {
    this.maxTracked = o.maxTracked ?? 100_000;
  }

  get enabled(): boolean {
    return this.o.burst > 0;
  }

  private level(b: Bucket, now: number): number {
    return Math.min(this.o.burst, b.tokens + ((now - b.at) * this.o.perMinute) / 60_000);
  }

  /** Throws 429 (connection to be closed) when `addr` has no failures left. */
  check(addr: string): void {
    if (!this.enabled) return;
    const b = this.buckets.get(addr);
    if (!b) return;
    const now = this.o.clock.now();
    const level = this.level(b, now);
    if (level >= 1) return;
    const wait = this.o.perMinute > 0 ? Math.ceil(((1 - level) * 60) / this.o.perMinute) : 3600;
    throw fail.too_many_auth_failures(`Too many failed authentication attempts from this address; retry in ${wait} s`, {
      headers: { 'retry-after': String(wait), connection: 'close' },
    });
  }

  /** Forgets `addr`'s failures (a successful login clears its account's count). */
  forget(addr: string): void {
    this.buckets.delete(addr);
  }

  /** Counts one failed authentication from `addr`. */
  fail(addr: string): void {
    if (!this.enabled) return;
    const now = this.o.clock.now();
    const b = this.buckets.get(addr);
    if (b) {
      b.tokens = this.level(b, now) - 1;
      b.at = now;
      return;
    }
    if (this.buckets.size >= this.maxTracked) this.prune(now);
    this.buckets.set(addr, { tokens: this.o.burst - 1, at: now });
  }

  private prune(now: number): void {
    for (const [k, b] of this.buckets) if (this.level(b, now) >= this.o.burst) this.buckets.delete(k);
    // Still full (an attack from very many addresses): forget the oldest half.
    if (this.buckets.size >= this.maxTracked) {
      let n = this.buckets.size / 2;
      for (const k of this.buckets.keys()) {
        if (n-- <= 0) break;
        this.buckets.delete(k);
      }
    }
  }
}
