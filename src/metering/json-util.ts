/**
 * Small defensive helpers shared by the usage extractors: upstream JSON is untrusted, so every
 * counter goes through `count()` (never NaN, never negative, always a safe integer) and every
 * nested object through `obj()`. Also cheap string probes that let the stream meters skip
 * `JSON.parse` on chunks that cannot carry what they need.
 */

export type Json = Record<string, unknown>;

/** The value if it is a plain (non-array) object, else undefined. */
export function obj(v: unknown): Json | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined;
}

/**
 * A token/request counter: finite non-negative numbers are truncated to an integer and capped at
 * MAX_SAFE_INTEGER; decimal-digit strings are accepted (some proxies stringify numbers); anything
 * else (null, missing, NaN, negative, objects, "12abc") is 0.
 */
export function count(v: unknown): number {
  let n: number;
  if (typeof v === 'number') n = v;
  else if (typeof v === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(v)) n = Number(v);
  else return 0;
  if (!(n > 0)) return 0; // also rejects NaN
  return n >= Number.MAX_SAFE_INTEGER ? Number.MAX_SAFE_INTEGER : Math.trunc(n);
}

/**
 * `count()` that also says what was wrong: a value that is present but not a non-negative integer
 * (negative, fractional, NaN/Infinity, an object, "12abc", beyond 2^53) adds `invalid:<field>` to
 * `notes`; a missing (undefined/null) one adds `missing:<field>` when `required`. The usage extractors
 * use it so an upstream's garbage is flagged as an anomaly instead of silently becoming 0.
 */
export function checkedCount(v: unknown, field: string, notes: string[] | undefined, required = false): number {
  if (v === undefined || v === null) {
    if (required) notes?.push(`missing:${field}`);
    return 0;
  }
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n) || n < 0) {
    notes?.push(`invalid:${field}`);
    return count(v);
  }
  return n;
}

/** True when the value is a counter the upstream actually sent (not null/missing/garbage). */
export function present(v: unknown): boolean {
  return typeof v === 'number' ? Number.isFinite(v) : typeof v === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(v);
}

/** A non-empty string or undefined. */
export function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

/**
 * A short enum-like label the upstream reports ('fast', 'us', 'priority'…), lower-cased; anything
 * else (non-strings, long or odd strings) is undefined so it can never bloat or poison a row.
 */
export function label(v: unknown): string | undefined {
  return typeof v === 'string' && /^[A-Za-z0-9_.:-]{1,32}$/.test(v) ? v.toLowerCase() : undefined;
}

/** JSON.parse that returns undefined instead of throwing. */
export function tryParse(data: string): unknown {
  try {
    return JSON.parse(data);
  } catch {
    return undefined;
  }
}

function isWs(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

/**
 * Does `data` (a JSON text) contain the key `quotedKey` (e.g. `"usage"`, quotes included) followed
 * by `:` and a value whose first character is in `firstChars` (e.g. `{` = non-null object)?
 * indexOf-only scan. Inside JSON string values every `"` is escaped, so `"usage"` + `:` can only be
 * a key: a content delta whose text is or contains "usage" never matches. A hit may be a nested key
 * of the same name, so callers parse and check; there are no false negatives for valid JSON whose
 * key names are not written with \u escapes.
 */
export function keyWithValue(data: string, quotedKey: string, firstChars: string): boolean {
  let from = 0;
  for (;;) {
    const i = data.indexOf(quotedKey, from);
    if (i === -1) return false;
    let j = i + quotedKey.length;
    while (j < data.length && isWs(data.charCodeAt(j))) j++;
    if (data.charCodeAt(j) === 58 /* : */) {
      j++;
      while (j < data.length && isWs(data.charCodeAt(j))) j++;
      if (j < data.length && firstChars.indexOf(data[j]!) !== -1) return true;
    }
    from = i + quotedKey.length;
  }
}

const TYPE_RE = /"type"\s*:\s*"([A-Za-z0-9_.-]*)"/;

/** The value of the first `"type":"…"` in `data`, or undefined. Cheap: stops at the first match. */
export function sniffType(data: string): string | undefined {
  const m = TYPE_RE.exec(data);
  return m === null ? undefined : m[1];
}
