/**
 * Mutable state of one simulated upstream: the prompt-cache table (prefix hash → expiry,
 * in the injected clock's milliseconds) and the id sequence. Everything else is pure.
 */
import { randomIdBody } from './errors.ts';

export interface SimStateOptions {
  /**
   * Prefixes shorter than this many tokens are silently not cached (Anthropic's minimum
   * cacheable length is 512–4096 depending on the model). Default 0: everything caches.
   */
  minCacheTokens?: number;
}

export class SimState {
  /** Cache entries: prefix hash → expiry time (ms, same clock as `now`). */
  readonly cache = new Map<string, number>();
  minCacheTokens: number;
  private seq = 0;
  private readonly idPrefix = randomIdBody(10);

  constructor(opts: SimStateOptions = {}) {
    this.minCacheTokens = opts.minCacheTokens ?? 0;
  }

  /** A unique id body for `msg_…` / `chatcmpl-…` ids. */
  nextId(): string {
    this.seq++;
    return `${this.idPrefix}${this.seq.toString(36).padStart(12, '0')}`;
  }

  /** Drops expired entries (called opportunistically by the cache logic). */
  prune(now: number): void {
    for (const [k, exp] of this.cache) if (exp <= now) this.cache.delete(k);
  }

  /** Forgets every cache entry. */
  clearCache(): void {
    this.cache.clear();
  }
}

/** Convenience factory. */
export const createSimState = (opts?: SimStateOptions): SimState => new SimState(opts);
