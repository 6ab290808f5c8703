/**
 * Prompt-cache simulation for the Anthropic surface.
 *
 * The prompt is flattened in cache order (tools → system → messages) into segments; a segment
 * whose block carries `cache_control` is a breakpoint (top-level `cache_control` marks the last
 * segment). Each breakpoint's prefix is hashed (model-scoped). The highest breakpoint whose
 * prefix is live in the cache is a read; every later breakpoint writes the tokens between it
 * and the previous one at its own TTL (Anthropic's A/B/C rule); the rest is `input_tokens`.
 * Hits and writes (re)set each prefix's expiry to now + TTL.
 */
import { createHash } from 'node:crypto';
import { SimulatorError } from './errors.ts';
import type { SimState } from './state.ts';
import { charCount, estimateTokens } from './text.ts';

export type Ttl = '5m' | '1h';
export const TTL_MS: Record<Ttl, number> = { '5m': 5 * 60_000, '1h': 60 * 60_000 };

/** One flattened piece of the prompt. */
export interface Segment {
  /** Canonical text identifying the piece (role/kind + content, without cache_control). */
  key: string;
  /** Code points counted toward input tokens. */
  chars: number;
  /** Set when the piece is a cache breakpoint. */
  ttl?: Ttl;
}

export interface CacheOutcome {
  /** All input tokens (uncached + writes + reads). */
  total: number;
  input: number;
  write5m: number;
  write1h: number;
  read: number;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

function ttlOf(block: unknown): Ttl | undefined {
  if (!isObj(block) || !isObj(block.cache_control)) return undefined;
  return block.cache_control.ttl === '1h' ? '1h' : '5m';
}

function withoutCacheControl(block: unknown): unknown {
  if (!isObj(block) || !('cache_control' in block)) return block;
  const { cache_control: _drop, ...rest } = block;
  return rest;
}

function blockSegment(prefix: string, block: unknown): Segment {
  if (typeof block === 'string') return { key: `${prefix}:${block}`, chars: charCount(block) };
  const text = isObj(block) && block.type === 'text' && typeof block.text === 'string' ? block.text : undefined;
  const body = text ?? JSON.stringify(withoutCacheControl(block));
  return { key: `${prefix}:${text === undefined ? 'json' : 'text'}:${body}`, chars: charCount(body), ttl: ttlOf(block) };
}

/** Flattens an (already validated) Anthropic request body into cache-ordered segments. */
export function anthropicSegments(body: Obj): Segment[] {
  const segs: Segment[] = [];
  if (Array.isArray(body.tools)) for (const t of body.tools) segs.push(blockSegment('tool', t));
  if (typeof body.system === 'string') segs.push(blockSegment('system', body.system));
  else if (Array.isArray(body.system)) for (const b of body.system) segs.push(blockSegment('system', b));
  if (Array.isArray(body.messages)) {
    for (const m of body.messages) {
      if (!isObj(m)) continue;
      const role = String(m.role);
      if (Array.isArray(m.content)) for (const b of m.content) segs.push(blockSegment(role, b));
      else segs.push(blockSegment(role, typeof m.content === 'string' ? m.content : JSON.stringify(m.content ?? '')));
    }
  }
  const last = segs[segs.length - 1];
  if (last && !last.ttl && isObj(body.cache_control)) last.ttl = body.cache_control.ttl === '1h' ? '1h' : '5m';
  return segs;
}

/** Total input tokens of a body without any cache logic (what count_tokens reports). */
export const countInputTokens = (body: Obj): number => estimateTokens(anthropicSegments(body).reduce((n, s) => n + s.chars, 0));

interface Breakpoint {
  hash: string;
  tokens: number;
  ttl: Ttl;
}

function breakpoints(model: string, segs: Segment[]): Breakpoint[] {
  const out: Breakpoint[] = [];
  let h = createHash('sha256').update(`model:${model}`).digest('hex');
  let chars = 0;
  for (const s of segs) {
    h = createHash('sha256').update(h).update('\u0000').update(s.key).digest('hex');
    chars += s.chars;
    if (s.ttl) out.push({ hash: h, tokens: estimateTokens(chars), ttl: s.ttl });
  }
  return out;
}

/**
 * Computes the usage split for a request at time `now` and updates the cache table.
 * Throws SimulatorError(400) for more than 4 breakpoints or a 1h breakpoint after a 5m one.
 */
export function applyCache(model: string, segs: Segment[], state: SimState, now: number): CacheOutcome {
  const total = estimateTokens(segs.reduce((n, s) => n + s.chars, 0));
  const bps = breakpoints(model, segs);
  if (bps.length > 4) {
    throw new SimulatorError(400, 'invalid_request_error', `A maximum of 4 blocks with cache_control may be provided. Found ${bps.length}.`);
  }
  for (let i = 1; i < bps.length; i++) {
    if (bps[i]!.ttl === '1h' && bps[i - 1]!.ttl === '5m') {
      throw new SimulatorError(400, 'invalid_request_error', "A 'ttl'='1h' cache_control block must not come after a 'ttl'='5m' cache_control block.");
    }
  }
  const eligible = bps.filter((b) => b.tokens > 0 && b.tokens >= state.minCacheTokens);
  if (state.cache.size > 10_000) state.prune(now);
  let hit = -1;
  for (let i = eligible.length - 1; i >= 0; i--) {
    const exp = state.cache.get(eligible[i]!.hash);
    if (exp !== undefined && exp > now) {
      hit = i;
      break;
    }
  }
  const out: CacheOutcome = { total, input: 0, write5m: 0, write1h: 0, read: 0 };
  let covered = 0;
  if (hit >= 0) out.read = covered = eligible[hit]!.tokens;
  for (const b of eligible.slice(hit + 1)) {
    const w = b.tokens - covered;
    if (b.ttl === '1h') out.write1h += w;
    else out.write5m += w;
    covered = b.tokens;
  }
  out.input = total - covered;
  for (const b of eligible) state.cache.set(b.hash, now + TTL_MS[b.ttl]);
  return out;
}
