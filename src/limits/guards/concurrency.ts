/**
 * A per-org limit on requests in flight on this instance, taken right after authentication and
 * before the body is read (so a flood of slow uploads cannot tie up the gateway for one tenant),
 * released when the response closes, however it ends.
 */
import type { ServerResponse } from 'node:http';
import { fail } from '../../core/errors.ts';

export class ConcurrencyLimiter {
  private inFlight = new Map<string, number>();

  constructor(private limit: number) {}

  /** Current requests in flight for an org (tests, metrics). */
  current(orgId: string): number {
    return this.inFlight.get(orgId) ?? 0;
  }

  /** Takes a slot for `orgId` until `res` closes; throws 429 when the org is at its limit. */
  acquire(orgId: string, res: ServerResponse): void {
    if (this.limit <= 0) return;
    const n = this.inFlight.get(orgId) ?? 0;
    if (n >= this.limit) {
      throw fail.concurrency_limit_exceeded(`Too many concurrent requests for this organization (limit ${this.limit}); retry when some have finished`, {
        headers: { 'retry-after': '1' },
      });
    }
    this.inFlight.set(orgId, n + 1);
    res.once('close', () => {
      const m = (this.inFlight.get(orgId) ?? 1) - 1;
      if (m <= 0) this.inFlight.delete(orgId);
      else this.inFlight.set(orgId, m);
    });
  }
}
