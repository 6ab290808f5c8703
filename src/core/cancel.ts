/**
 * A cheap abort source for the request hot path. `AbortController` builds an `EventTarget` and an
 * `AbortSignal` (the profile of a saturated gateway showed ~0.8 % of its CPU in creating them, two
 * per request, plus ~0.5 % in adding and removing their listeners). `Cancel` keeps the part the
 * upstream call uses — `aborted`, listeners for `abort`, `abort()` — as a flag and an array.
 * An `AbortSignal` satisfies `AbortLike` too, so callers may pass either.
 */
export interface AbortLike {
  readonly aborted: boolean;
  addEventListener(type: 'abort', fn: () => void, opts?: { once?: boolean }): void;
  removeEventListener(type: 'abort', fn: () => void): void;
}

export class Cancel implements AbortLike {
  aborted = false;
  private fns: Array<() => void> = [];

  /** Listeners run once, on `abort()`; none is added after the abort (as with AbortSignal). */
  addEventListener(_type: 'abort', fn: () => void): void {
    if (!this.aborted) this.fns.push(fn);
  }

  removeEventListener(_type: 'abort', fn: () => void): void {
    const i = this.fns.indexOf(fn);
    if (i >= 0) this.fns.splice(i, 1);
  }

  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    const fns = this.fns;
    this.fns = [];
    for (const fn of fns) fn();
  }
}
