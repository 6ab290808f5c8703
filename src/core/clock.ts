/**
 * The one injectable clock. Everything that reads time (month boundaries, token buckets,
 * key expiry, reservations) takes a Clock, so tests can move time.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock tests can set and advance. */
export class ManualClock implements Clock {
  constructor(private t: number = Date.UTC(2026, 0, 15, 12, 0, 0)) {}
  now(): number {
    return this.t;
  }
  set(ms: number | Date): void {
    this.t = typeof ms === 'number' ? ms : ms.getTime();
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

/** `YYYY-MM` of an instant, in UTC: the key of a calendar month. */
export function monthKey(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** 00:00 UTC on the 1st of the month after the one containing `ms`. */
export function nextMonthStart(ms: number): number {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

/** `YYYY-MM-DD` (UTC). */
export function dayKey(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** A clock stopped at `ms` (tests that pin time and never move it). */
export function fixedClock(ms: number | Date): Clock {
  const t = typeof ms === 'number' ? ms : ms.getTime();
  return { now: () => t };
}
