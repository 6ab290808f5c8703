/**
 * Usage extraction for OpenAI-compatible Chat Completions responses (JSON and SSE), converted to
 * Tollgate's Anthropic-semantics `Usage` (https://platform.openai.com/docs/api-reference/chat §1.3–§1.4, §5).
 *
 * - `prompt_tokens` INCLUDES cached tokens, so inputTokens = prompt − cached − cache writes.
 * - Cached tokens: `prompt_tokens_details.cached_tokens`, else DeepSeek's `prompt_cache_hit_tokens`.
 * - Cache writes: `prompt_tokens_details.cache_write_tokens`; by TTL when the upstream splits them,
 *   else settled at the TTL the request asked for.
 * - `completion_tokens` already includes reasoning tokens.
 * - Streams: usage arrives in the `include_usage` chunk (`choices: []`), on Groq in `x_groq.usage`
 *   of the finish chunk, on vLLM `continuous_usage_stats` on every chunk. The LAST non-null usage
 *   wins, never a sum. `data: [DONE]` marks completion; a `data:` chunk with an `error` key (or an
 *   `event: error`) is a mid-stream error; `choices` may be null, missing or empty.
 */
import { emptyUsage, type Usage } from './usage.ts';
import type { SseEvent } from './sse-parser.ts';
import { checkedCount, count, keyWithValue, label, obj, present, str, tryParse, type Json } from './json-util.ts';
import type { StreamError, StreamMeter } from './stream-meter.ts';
import { type Clock, systemClock } from '../core/clock.ts';

/**
 * Normalises an OpenAI `usage` object. Garbage in gives zeros out, never NaN or negatives; with
 * `notes`, what was garbage or missing is reported there (see checkedCount). Output is
 * max(completion_tokens, total_tokens − prompt_tokens): Gemini bridges leave thinking tokens out of
 * `completion_tokens` but count them in `total_tokens`.
 * `serviceTier` is the response's top-level `service_tier` (the tier that actually ran), when known.
 */
export function usageFromOpenai(u: unknown, serviceTier?: unknown, notes?: string[]): Usage {
  const tier = label(serviceTier);
  const o = obj(u);
  if (!o) {
    notes?.push('missing:usage');
    return tier === undefined ? emptyUsage() : { ...emptyUsage(), serviceTier: tier };
  }
  const details = obj(o.prompt_tokens_details);
  const deepseek = !present(o.prompt_tokens) && (present(o.prompt_cache_hit_tokens) || present(o.prompt_cache_miss_tokens));
  let prompt = checkedCount(o.prompt_tokens, 'prompt_tokens', notes, !deepseek);
  if (deepseek) {
    prompt =
      checkedCount(o.prompt_cache_hit_tokens, 'prompt_cache_hit_tokens', notes) + checkedCount(o.prompt_cache_miss_tokens, 'prompt_cache_miss_tokens', notes); // DeepSeek without prompt_tokens
  }
  // Cache reads: OpenAI's cached_tokens, else DeepSeek's prompt_cache_hit_tokens (servers that send
  // both may leave one at 0), else LiteLLM-style top-level cache_read_input_tokens. Cache counters
  // are subsets of prompt_tokens: clamp them so the three parts always sum to prompt.
  const explicit = checkedCount(details?.cached_tokens, 'cached_tokens', notes);
  const reads = explicit > 0 ? explicit : count(o.prompt_cache_hit_tokens) || checkedCount(o.cache_read_input_tokens, 'cache_read_input_tokens', notes);
  const cached = Math.min(reads, prompt);
  const writeRaw = details && present(details.cache_write_tokens) ? details.cache_write_tokens : o.cache_creation_input_tokens;
  const writes = Math.min(checkedCount(writeRaw, 'cache_write_tokens', notes), prompt - cached);
  // Cache writes by TTL when the upstream splits them (LiteLLM / Anthropic-style
  // `cache_creation{,_token_details}`); otherwise the TTL is decided at settlement from what the
  // request asked for (exchange/settle.ts), not assumed to be 5 minutes.
  const split = obj(o.cache_creation) ?? obj(details?.cache_creation) ?? obj(details?.cache_creation_token_details) ?? obj(o.cache_creation_token_details);
  let w1h = 0;
  let ttlReported = false;
  if (split && (present(split.ephemeral_1h_input_tokens) || present(split.ephemeral_5m_input_tokens))) {
    w1h = Math.min(count(split.ephemeral_1h_input_tokens), writes);
    ttlReported = true;
  }
  const completion = checkedCount(o.completion_tokens, 'completion_tokens', notes, true);
  const total = checkedCount(o.total_tokens, 'total_tokens', notes);
  const out: Usage = {
    inputTokens: prompt - cached - writes,
    outputTokens: Math.max(completion, total - prompt),
    cacheWrite5mTokens: writes - w1h,
    cacheWrite1hTokens: w1h,
    cacheReadTokens: cached,
    webSearchRequests: 0,
  };
  if (tier !== undefined) out.serviceTier = tier;
  if (ttlReported) out.cacheTtlReported = true;
  return out;
}

/**
 * Meters one OpenAI-compatible SSE stream. Only chunks that can carry a non-null usage, a non-null
 * finish_reason or an error are JSON-parsed (plus the first chunks, until the first content arrives,
 * to get id/model/time-to-first-token); plain content deltas are only string-probed.
 */
export class OpenaiStreamMeter implements StreamMeter {
  private raw: Json | undefined;
  private tier: string | undefined;
  private _complete = false;
  private _finishReason: string | undefined;
  private _error: StreamError | undefined;
  private _id: string | undefined;
  private _model: string | undefined;
  private _firstContentAt: number | undefined;
  private _malformed = 0;

  constructor(private readonly clock: Clock = systemClock) {}

  observe(ev: SseEvent): void {
    const data = ev.data;
    if (ev.event === 'error') {
      this.recordError(tryParse(data), data);
      return;
    }
    if (data.length < 16 && data.trim() === '[DONE]') {
      this._complete = true;
      return;
    }
    if (
      this._firstContentAt !== undefined &&
      !keyWithValue(data, '"usage"', '{') &&
      !keyWithValue(data, '"finish_reason"', '"') &&
      !keyWithValue(data, '"error"', '{"')
    ) {
      return; // a plain content delta
    }
    const chunk = obj(tryParse(data));
    if (!chunk) {
      if (data.trim().length > 0) this._malformed++;
      return;
    }
    this._id ??= str(chunk.id);
    this._model ??= str(chunk.model);
    this.tier = label(chunk.service_tier) ?? this.tier;
    if (chunk.error !== undefined && chunk.error !== null) this.recordError(chunk, data);
    const groq = obj(obj(chunk.x_groq)?.usage);
    if (groq) this.raw = groq;
    const usage = obj(chunk.usage);
    if (usage) this.raw = usage;
    if (Array.isArray(chunk.choices)) {
      for (const c of chunk.choices) {
        const choice = obj(c);
        if (!choice) continue;
        const reason = str(choice.finish_reason);
        if (reason !== undefined) this._finishReason = reason;
        if (this._firstContentAt === undefined && hasContent(obj(choice.delta))) this._firstContentAt = this.clock.now();
      }
    }
  }

  /** The last non-null usage seen, normalised; undefined if the stream carried none. */
  usage(): Usage | undefined {
    return this.raw === undefined ? undefined : usageFromOpenai(this.raw, this.tier);
  }
  /** What was wrong with the reported usage (see usageFromOpenai); a complete stream without usage is `missing:usage`. */
  anomalies(): string[] {
    if (this.raw === undefined) return this._complete ? ['missing:usage'] : [];
    const notes: string[] = [];
    usageFromOpenai(this.raw, undefined, notes);
    return [...new Set(notes)];
  }
  /** The usage chunk carries the final counts: once it is seen, they are final. */
  get final(): boolean {
    return this.raw !== undefined;
  }
  /** `data: [DONE]` was seen. */
  get complete(): boolean {
    return this._complete;
  }
  /** Last non-null `finish_reason` of any choice (OpenRouter sends "error" on provider failure). */
  get finishReason(): string | undefined {
    return this._finishReason;
  }
  /** A mid-stream error (first one wins). */
  get error(): StreamError | undefined {
    return this._error;
  }
  get id(): string | undefined {
    return this._id;
  }
  get model(): string | undefined {
    return this._model;
  }
  /** `now()` at the first chunk with non-empty content, refusal, reasoning or tool calls. */
  get firstContentAt(): number | undefined {
    return this._firstContentAt;
  }
  /** Chunks whose JSON could not be parsed (diagnostics). */
  get malformedChunks(): number {
    return this._malformed;
  }

  private recordError(parsed: unknown, data: string): void {
    if (this._error) return;
    const e = obj(parsed)?.error;
    const eo = obj(e);
    if (eo) {
      const type = str(eo.type) ?? (eo.code !== undefined && eo.code !== null ? String(eo.code) : 'error');
      this._error = { type, message: typeof eo.message === 'string' ? eo.message : '' };
    } else {
      this._error = { type: 'error', message: typeof e === 'string' ? e : data.slice(0, 1000) };
    }
  }
}

function hasContent(delta: Json | undefined): boolean {
  if (!delta) return false;
  for (const k of ['content', 'refusal', 'reasoning_content', 'reasoning']) {
    const v = delta[k];
    if (typeof v === 'string' && v.length > 0) return true;
  }
  return Array.isArray(delta.tool_calls) && delta.tool_calls.length > 0;
}
