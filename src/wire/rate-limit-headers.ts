/**
 * Rate-limit response headers, from the limiter's snapshot of the caller's buckets.
 *
 * Anthropic (https://docs.claude.com/en/api/rate-limits#response-headers): `anthropic-ratelimit-{requests,tokens,input-tokens,output-tokens}-
 * {limit,remaining,reset}`; `-reset` is the RFC 3339 instant the bucket is FULLY replenished.
 * Decisions:
 *  - reset has seconds precision and is rounded UP to the next whole second (the bucket is
 *    not full earlier than the header says): `2026-01-15T12:00:07Z`.
 *  - token `-remaining` is rounded to the nearest thousand as Anthropic does, but only when
 *    the limit is ≥ 10,000 (with small custom limits the rounding would hide everything); it
 *    is clamped to [0, limit].
 *  - `tokens-*` = the most restrictive of input/output: the dimension with the smaller
 *    remaining fraction (remaining / limit; ties → input). Anthropic describes it as the
 *    combined input+output limit without workspace limits, but a sum over-promises (output
 *    headroom cannot pay for input), so we show the one that will bite first.
 *
 * OpenAI (openai-translation §2.2): `x-ratelimit-{limit,remaining,reset}-{requests,tokens}`,
 * reset as a Go duration until full (`1s`, `6m0s`, `12ms`); `tokens` is the same "most
 * restrictive" pick, its remaining is not rounded.
 *
 * `retry-after` (whole seconds, rounded up, min 1) and `retry-after-ms` (exact; both SDKs read
 * it first) go on every rate-limit 429.
 */

/** One bucket as the headers show it (the rate limiter's `DimensionSnapshot` has this shape). */
export interface RateWindow {
  limit: number;
  /** Whole tokens/requests left. */
  remaining: number;
  /** Epoch ms at which the bucket is fully replenished. */
  resetAt: number;
}

/** The buckets a response reports (the rate limiter's `RateSnapshot`). */
export interface RateView {
  requests?: RateWindow;
  input_tokens?: RateWindow;
  output_tokens?: RateWindow;
}

/** RFC 3339 UTC with seconds precision, rounded up to the second: `2026-01-15T12:00:07Z`. */
const rfcCache = new Map<number, string>();

export function rfc3339Seconds(ms: number): string {
  const sec = Math.ceil(ms / 1000);
  let s = rfcCache.get(sec);
  if (s === undefined) {
    s = new Date(sec * 1000).toISOString().slice(0, 19) + 'Z';
    if (rfcCache.size > 512) rfcCache.clear();
    rfcCache.set(sec, s);
  }
  return s;
}

/**
 * Go's `time.Duration.String()` for a millisecond count (rounded to whole ms):
 * 0 → `0s`, 12 → `12ms`, 1000 → `1s`, 360000 → `6m0s`, 252172 → `4m12.172s`,
 * 83909144 → `23h18m29.144s`.
 */
export function formatGoDuration(ms: number): string {
  if (!Number.isFinite(ms)) throw new RangeError(`not a finite duration: ${ms}`);
  let v = Math.round(Math.abs(ms));
  if (v === 0) return '0s';
  const sign = ms < 0 ? '-' : '';
  if (v < 1000) return `${sign}${v}ms`;
  const h = Math.floor(v / 3_600_000);
  v -= h * 3_600_000;
  const m = Math.floor(v / 60_000);
  v -= m * 60_000;
  const s = Math.floor(v / 1000);
  const frac = v - s * 1000;
  const sec = `${s}${frac ? '.' + String(frac).padStart(3, '0').replace(/0+$/, '') : ''}s`;
  if (h) return `${sign}${h}h${m}m${sec}`;
  if (m) return `${sign}${m}m${sec}`;
  return sign + sec;
}

/** Anthropic's token `-remaining`: nearest thousand when limit ≥ 10,000; within [0, limit]. */
export function roundTokensRemaining(remaining: number, limit: number): number {
  const r = limit >= 10_000 ? Math.round(remaining / 1000) * 1000 : remaining;
  return Math.min(limit, Math.max(0, r));
}

/** The most restrictive of input/output (smaller remaining fraction; ties → input). */
export function mostRestrictiveTokens(snapshot: RateView): RateWindow | undefined {
  const i = snapshot.input_tokens;
  const o = snapshot.output_tokens;
  if (!i || !o) return i ?? o;
  return o.remaining * i.limit < i.remaining * o.limit ? o : i;
}

function put(h: Record<string, string>, prefix: string, d: RateWindow | undefined, now: number, round: boolean): void {
  if (!d) return;
  h[`${prefix}-limit`] = String(d.limit);
  h[`${prefix}-remaining`] = String(round ? roundTokensRemaining(d.remaining, d.limit) : Math.max(0, d.remaining));
  h[`${prefix}-reset`] = rfc3339Seconds(Math.max(d.resetAt, now));
}

/** `anthropic-ratelimit-*` headers for the dimensions present in the snapshot. */
export function anthropicRateHeaders(snapshot: RateView, now: number): Record<string, string> {
  const h: Record<string, string> = {};
  put(h, 'anthropic-ratelimit-requests', snapshot.requests, now, false);
  put(h, 'anthropic-ratelimit-tokens', mostRestrictiveTokens(snapshot), now, true);
  put(h, 'anthropic-ratelimit-input-tokens', snapshot.input_tokens, now, true);
  put(h, 'anthropic-ratelimit-output-tokens', snapshot.output_tokens, now, true);
  return h;
}

/** OpenAI-style `x-ratelimit-*` headers (requests and tokens). */
export function openaiRateHeaders(snapshot: RateView, now: number): Record<string, string> {
  const h: Record<string, string> = {};
  const pairs: Array<[string, RateWindow | undefined]> = [
    ['requests', snapshot.requests],
    ['tokens', mostRestrictiveTokens(snapshot)],
  ];
  for (const [name, d] of pairs) {
    if (!d) continue;
    h[`x-ratelimit-limit-${name}`] = String(d.limit);
    h[`x-ratelimit-remaining-${name}`] = String(Math.max(0, d.remaining));
    h[`x-ratelimit-reset-${name}`] = formatGoDuration(Math.max(0, d.resetAt - now));
  }
  return h;
}

/** `retry-after` (seconds, rounded up, at least 1) and `retry-after-ms` (exact ms, rounded up). */
export function retryAfterHeaders(retryAfterMs: number): Record<string, string> {
  const ms = Math.max(0, Math.ceil(retryAfterMs));
  return { 'retry-after': String(Math.max(1, Math.ceil(ms / 1000))), 'retry-after-ms': String(ms) };
}
