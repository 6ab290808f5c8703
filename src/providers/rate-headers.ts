/**
 * An upstream's own rate-limit state, read from its response headers, so the pool can prefer
 * upstreams with headroom and stay away from a window the upstream has just refused.
 *
 * Anthropic: `anthropic-ratelimit-{requests,tokens,input-tokens,output-tokens}-{limit,remaining,reset}`
 * (reset is an RFC 3339 time) and `retry-after` (seconds) — https://docs.anthropic.com/en/api/rate-limits.
 * OpenAI: `x-ratelimit-{limit,remaining,reset}-{requests,tokens}` (reset is a duration such as
 * `1s`, `6m0s`, `20ms`) — https://platform.openai.com/docs/guides/rate-limits.
 */
export interface RateWindow {
  /** Smallest remaining/limit ratio among the windows the upstream reported (0..1). */
  headroom: number;
  /** When the most exhausted window resets (epoch ms), if known. */
  resetAt: number | null;
}

const ANTHROPIC = ['requests', 'tokens', 'input-tokens', 'output-tokens'];
const OPENAI = ['requests', 'tokens'];

/** `1s`, `6m0s`, `20ms`, `1h2m3.5s` → milliseconds (NaN when not a duration). */
export function parseDuration(s: string): number {
  const re = /(\d+(?:\.\d+)?)(ms|h|m|s)/g;
  let total = 0;
  let seen = '';
  for (let m = re.exec(s); m; m = re.exec(s)) {
    const n = Number(m[1]);
    total += m[2] === 'h' ? n * 3_600_000 : m[2] === 'm' ? n * 60_000 : m[2] === 's' ? n * 1000 : n;
    seen += m[0];
  }
  return seen.length && seen === s.trim() ? total : NaN;
}

function resetTime(v: string | undefined, now: number): number | null {
  if (!v) return null;
  const d = parseDuration(v);
  if (!Number.isNaN(d)) return now + d;
  const n = Number(v);
  if (Number.isFinite(n)) return now + n * 1000;
  const t = Date.parse(v);
  return Number.isNaN(t) ? null : t;
}

/** Reads the rate-limit headers of a response; undefined when it carries none. */
export function readRateWindow(h: Record<string, string>, now: number): RateWindow | undefined {
  let headroom = Infinity;
  let resetAt: number | null = null;
  const take = (limit: string | undefined, remaining: string | undefined, reset: string | undefined) => {
    if (limit === undefined || remaining === undefined) return;
    const l = Number(limit),
      r = Number(remaining);
    if (!(l > 0) || !Number.isFinite(r)) return;
    const ratio = Math.max(0, Math.min(1, r / l));
    if (ratio < headroom) {
      headroom = ratio;
      resetAt = resetTime(reset, now);
    }
  };
  if (
    h['anthropic-ratelimit-requests-limit'] !== undefined ||
    h['anthropic-ratelimit-tokens-limit'] !== undefined ||
    h['anthropic-ratelimit-input-tokens-limit'] !== undefined
  ) {
    for (const w of ANTHROPIC) take(h[`anthropic-ratelimit-${w}-limit`], h[`anthropic-ratelimit-${w}-remaining`], h[`anthropic-ratelimit-${w}-reset`]);
  }
  if (h['x-ratelimit-limit-requests'] !== undefined || h['x-ratelimit-limit-tokens'] !== undefined) {
    for (const w of OPENAI) take(h[`x-ratelimit-limit-${w}`], h[`x-ratelimit-remaining-${w}`], h[`x-ratelimit-reset-${w}`]);
  }
  return headroom === Infinity ? undefined : { headroom, resetAt };
}

/**
 * How long a refusing upstream (429, 529) must be left alone: `retry-after-ms`, `retry-after`
 * (seconds or an HTTP date), else the reset of its exhausted window, else `fallbackMs`.
 */
export function coolDownMs(h: Record<string, string>, now: number, fallbackMs: number): number {
  const ms = Number(h['retry-after-ms']);
  if (h['retry-after-ms'] !== undefined && Number.isFinite(ms) && ms >= 0) return Math.min(ms, 3_600_000);
  const ra = h['retry-after'];
  if (ra !== undefined) {
    const s = Number(ra);
    if (Number.isFinite(s) && s >= 0) return Math.min(s * 1000, 3_600_000);
    const t = Date.parse(ra);
    if (!Number.isNaN(t)) return Math.min(Math.max(0, t - now), 3_600_000);
  }
  const w = readRateWindow(h, now);
  if (w?.resetAt != null && w.resetAt > now) return Math.min(w.resetAt - now, 3_600_000);
  return fallbackMs;
}
