/**
 * Query strings of the Anthropic- and OpenAI-compatible organization APIs: repeated `name[]`
 * array parameters, RFC 3339 or unix-second times, bucket widths with their page limits, and
 * the opaque `page` cursor (`page_` + base64 of the next bucket's start, as Anthropic's look).
 * Every problem is a 400 naming the parameter.
 */
import type { IncomingMessage } from 'node:http';
import { clip, invalidRequest } from '../../core/errors.ts';

export type Width = '1m' | '1h' | '1d';
export const WIDTH_MS: Record<Width, number> = { '1m': 60_000, '1h': 3_600_000, '1d': 86_400_000 };

export class Query {
  private readonly single = new Map<string, string>();
  private readonly arrays = new Map<string, string[]>();
  private readonly used = new Set<string>();

  constructor(req: IncomingMessage) {
    const params = new URL(req.url ?? '/', 'http://compat.invalid').searchParams;
    for (const [rawKey, v] of params) {
      const isArray = rawKey.endsWith('[]');
      const k = isArray ? rawKey.slice(0, -2) : rawKey;
      if (isArray || this.arrays.has(k)) {
        const list = this.arrays.get(k) ?? (this.single.has(k) ? [this.single.get(k)!] : []);
        this.single.delete(k);
        list.push(v);
        this.arrays.set(k, list);
      } else if (this.single.has(k)) {
        this.arrays.set(k, [this.single.get(k)!, v]);
        this.single.delete(k);
      } else this.single.set(k, v);
    }
  }

  str(name: string): string | undefined {
    this.used.add(name);
    if (this.arrays.has(name)) throw invalidRequest(`${name}: give it once`);
    return this.single.get(name);
  }

  /** `name[]=a&name[]=b` (also `name=a`): the values, or undefined when absent. */
  list(name: string, allowed?: readonly string[]): string[] | undefined {
    this.used.add(name);
    const v = this.arrays.get(name) ?? (this.single.has(name) ? [this.single.get(name)!] : undefined);
    if (v && allowed) {
      const bad = v.filter((x) => !allowed.includes(x));
      if (bad.length) throw invalidRequest(`${name}[]: unknown value ${clip(bad[0]!, 40)}; allowed: ${allowed.join(', ')}`);
    }
    return v;
  }

  int(name: string, min: number, max: number): number | undefined {
    const s = this.str(name);
    if (s === undefined) return undefined;
    if (!/^\d{1,9}$/.test(s)) throw invalidRequest(`${name}: expected a whole number`);
    const n = Number(s);
    if (n < min || n > max) throw invalidRequest(`${name}: must be between ${min} and ${max}`);
    return n;
  }

  /** After every parameter was read: unknown ones are refused (a typo must not widen a report). */
  done(): void {
    const unknown = [...this.single.keys(), ...this.arrays.keys()].filter((k) => !this.used.has(k));
    if (unknown.length) throw invalidRequest(`unknown query parameter ${clip(unknown[0]!, 40)}`);
  }
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i;

export function parseTime(name: string, s: string): number {
  const t = RFC3339.test(s) ? Date.parse(s) : NaN;
  if (Number.isNaN(t)) throw invalidRequest(`${name}: expected an RFC 3339 date-time like 2026-11-01T00:00:00Z`);
  return t;
}

export function parseUnixSeconds(name: string, s: string): number {
  if (!/^\d{1,12}$/.test(s)) throw invalidRequest(`${name}: expected unix seconds`);
  return Number(s) * 1000;
}

export const encodePage = (ms: number) => `page_${Buffer.from(new Date(ms).toISOString().replace('.000Z', 'Z')).toString('base64')}`;

export function decodePage(s: string): number {
  const t = s.startsWith('page_') ? Date.parse(Buffer.from(s.slice(5), 'base64').toString('utf8')) : NaN;
  if (Number.isNaN(t)) throw invalidRequest('page: not a next_page value of this report');
  return t;
}

export interface Window {
  /** Start of the first bucket of this page. */
  from: number;
  /** Number of buckets on this page. */
  buckets: number;
  widthMs: number;
  /** Start of the next page's first bucket, when there is one. */
  next: number | null;
}

/**
 * The buckets of one page: `start` snapped down to the bucket boundary (UTC), `end` exclusive
 * (default: now, so the current partial bucket is included), at most `limit` buckets.
 */
export function pageWindow(start: number, end: number | undefined, width: Width, limit: number, page: number | undefined, now: number): Window {
  const w = WIDTH_MS[width];
  const first = Math.floor(start / w) * w;
  const stop = end ?? now;
  if (stop <= start) throw invalidRequest('ending_at must be after starting_at');
  const from = page === undefined ? first : page;
  if (from < first || from >= stop || (from - first) % w !== 0) throw invalidRequest('page: not a next_page value of this report');
  const total = Math.ceil((stop - from) / w);
  const buckets = Math.min(limit, total);
  return { from, buckets, widthMs: w, next: total > buckets ? from + buckets * w : null };
}

/** RFC 3339 without milliseconds when they are zero ("2026-11-01T00:00:00Z"), as Anthropic writes times. */
export const rfc3339Of = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
