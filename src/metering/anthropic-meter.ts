/**
 * Usage extraction for Anthropic Messages responses (JSON and SSE).
 *
 * Semantics (https://docs.anthropic.com/en/api/messages §2.4, §3):
 * - `input_tokens` excludes cache reads and writes, which is exactly `Usage.inputTokens`.
 * - Cache writes are split by TTL in `usage.cache_creation.ephemeral_{5m,1h}_input_tokens`; when that
 *   object is absent (older API versions / proxies) all of `cache_creation_input_tokens` is 5m.
 * - In a stream, `message_start.message.usage` carries the input side; every `message_delta.usage`
 *   carries CUMULATIVE counts: each non-null field overrides the value seen so far, never summed.
 *   Input can grow during a stream (server tools: 2679 at start, 10682 in the final delta).
 * - `event: error` can arrive after HTTP 200; there is no `data: [DONE]` — `message_stop` marks a
 *   complete stream.
 */
import { emptyUsage, type Usage } from './usage.ts';
import type { SseEvent } from './sse-parser.ts';
import type { StreamError, StreamMeter } from './stream-meter.ts';
import { checkedCount, count, label, obj, present, sniffType, str, tryParse, type Json } from './json-util.ts';
import { type Clock, systemClock } from '../core/clock.ts';

/**
 * Normalises a Messages-API `usage` object. Garbage in gives zeros out, never NaN or negatives;
 * with `notes`, what was garbage or missing is reported there (`invalid:<field>`, `missing:<field>`,
 * `missing:usage`) so the meter can flag and bound it (bounds.ts).
 */
export function usageFromAnthropic(u: unknown, notes?: string[]): Usage {
  const given = obj(u);
  if (!given) notes?.push('missing:usage');
  const o = given ?? {};
  if (notes) noteCacheFields(o, notes);
  const [w5, w1] = cacheWrites(o, 0, 0);
  const out: Usage = {
    inputTokens: checkedCount(o.input_tokens, 'input_tokens', notes, given !== undefined),
    outputTokens: checkedCount(o.output_tokens, 'output_tokens', notes, given !== undefined),
    cacheWrite5mTokens: w5,
    cacheWrite1hTokens: w1,
    cacheReadTokens: checkedCount(o.cache_read_input_tokens, 'cache_read_input_tokens', notes),
    webSearchRequests: checkedCount(obj(o.server_tool_use)?.web_search_requests, 'web_search_requests', notes),
  };
  applyReported(out, o);
  return out;
}

/**
 * The "how it ran" fields of a usage object (each overrides what was known when present):
 * `speed`, `service_tier`, `inference_geo`, and the server-tool counters beyond web search.
 */
function applyReported(u: Usage, o: Json): void {
  const speed = label(o.speed);
  if (speed !== undefined) u.speed = speed;
  const tier = label(o.service_tier);
  if (tier !== undefined) u.serviceTier = tier;
  const geo = label(o.inference_geo);
  if (geo !== undefined) u.inferenceGeo = geo;
  const stu = obj(o.server_tool_use);
  if (stu && present(stu.web_fetch_requests)) u.webFetchRequests = count(stu.web_fetch_requests);
  if (stu && present(stu.code_execution_requests)) u.codeExecutionRequests = count(stu.code_execution_requests);
}

/** Reports garbage in the cache-write counters (their values come from cacheWrites()). */
function noteCacheFields(o: Json, notes: string[]): void {
  checkedCount(o.cache_creation_input_tokens, 'cache_creation_input_tokens', notes);
  const split = obj(o.cache_creation);
  if (split) {
    checkedCount(split.ephemeral_5m_input_tokens, 'ephemeral_5m_input_tokens', notes);
    checkedCount(split.ephemeral_1h_input_tokens, 'ephemeral_1h_input_tokens', notes);
  }
}

/**
 * Cache writes [5m, 1h] from a usage object. The split by TTL (`cache_creation`, when it carries
 * at least one counter, else the split already known: `prev5m`, `prev1h`) is kept when it adds up
 * to the total (`cache_creation_input_tokens`, the billable count) or no total is given. When the
 * total disagrees, the total wins: the 1-hour part is kept (capped at the total) and the
 * unexplained rest is billed as 5-minute writes (the cheaper TTL), never dropped. With neither a
 * split nor a total, the known values are returned unchanged.
 */
function cacheWrites(o: Json, prev5m: number, prev1h: number): [number, number] {
  const split = obj(o.cache_creation);
  if (split && (present(split.ephemeral_5m_input_tokens) || present(split.ephemeral_1h_input_tokens))) {
    const s5 = count(split.ephemeral_5m_input_tokens);
    const s1 = count(split.ephemeral_1h_input_tokens);
    if (!present(o.cache_creation_input_tokens)) return [s5, s1];
    const total = count(o.cache_creation_input_tokens);
    if (total === s5 + s1) return [s5, s1];
    const w1 = Math.min(s1, total);
    return [total - w1, w1];
  }
  if (!present(o.cache_creation_input_tokens)) return [prev5m, prev1h];
  const total = count(o.cache_creation_input_tokens);
  if (total === prev5m + prev1h) return [prev5m, prev1h];
  const w1 = Math.min(prev1h, total);
  return [total - w1, w1];
}

export type { StreamError } from './stream-meter.ts';

/** The event types this meter parses; everything else is skipped without JSON.parse. */
const KNOWN = new Set(['message_start', 'message_delta', 'message_stop', 'content_block_start', 'content_block_delta', 'content_block_stop', 'ping', 'error']);

/**
 * Meters one Anthropic SSE stream. Feed it every parsed event; read the results at any time
 * (a cut stream still yields the usage seen so far, with `complete === false`).
 */
export class AnthropicStreamMeter implements StreamMeter {
  private cur: Usage | undefined;
  /** message_delta counters seen before any message_start (not reported by usage()). */
  private deltaOnly: Usage | undefined;
  private _stopReason: string | undefined;
  private _complete = false;
  private _error: StreamError | undefined;
  private _id: string | undefined;
  private _model: string | undefined;
  private _firstContentAt: number | undefined;
  private _malformed = 0;
  private notes: string[] = [];
  private sawOutput = false;

  constructor(private readonly clock: Clock = systemClock) {}

  observe(ev: SseEvent): void {
    let type = ev.event;
    let parsed: unknown;
    if (type === undefined || type === '' || type === 'message') {
      // No `event:` line: read the top-level "type" cheaply; if the first "type" in the text is not
      // a top-level event type (keys reordered), fall back to a full parse.
      type = sniffType(ev.data);
      if (type === undefined || !KNOWN.has(type)) {
        parsed = tryParse(ev.data);
        type = str(obj(parsed)?.type);
        if (type === undefined) return;
      }
    }
    switch (type) {
      case 'content_block_delta':
        if (this._firstContentAt === undefined) this._firstContentAt = this.clock.now();
        return; // never parsed: this is the bulk of the stream
      case 'message_stop':
        this._complete = true;
        return;
      case 'message_start':
        this.onStart(obj(parsed ?? this.parse(ev.data)));
        return;
      case 'message_delta':
        this.onDelta(obj(parsed ?? this.parse(ev.data)));
        return;
      case 'error':
        this.onError(ev.data, parsed ?? this.parse(ev.data));
        return;
      default:
        return; // content_block_start/stop, ping, unknown future events
    }
  }

  /** Final (or so-far) usage; undefined if no `message_start` was seen. */
  usage(): Usage | undefined {
    return this.cur === undefined ? undefined : { ...this.cur };
  }
  /**
   * What was wrong with the usage the stream reported (`invalid:<field>`, `missing:<field>`,
   * `missing:usage`): empty for a well-formed stream. A complete stream must carry message_start
   * usage and an output count in a message_delta.
   */
  anomalies(): string[] {
    const out = [...this.notes];
    if (this._complete && this.cur === undefined) out.push('missing:usage');
    else if (this._complete && !this.sawOutput) out.push('missing:output_tokens');
    return [...new Set(out)];
  }
  /** Last non-null `delta.stop_reason`. */
  get stopReason(): string | undefined {
    return this._stopReason;
  }
  /** The final counts arrive with the stop reason (`message_delta`). */
  get final(): boolean {
    return this._stopReason !== undefined;
  }
  /** `message_stop` was seen. */
  get complete(): boolean {
    return this._complete;
  }
  /** An `error` event (first one wins). */
  get error(): StreamError | undefined {
    return this._error;
  }
  get messageId(): string | undefined {
    return this._id;
  }
  get model(): string | undefined {
    return this._model;
  }
  /** `now()` at the first `content_block_delta` (time to first token). */
  get firstContentAt(): number | undefined {
    return this._firstContentAt;
  }
  /** Events whose JSON could not be parsed (diagnostics). */
  get malformedEvents(): number {
    return this._malformed;
  }

  private parse(data: string): unknown {
    const v = tryParse(data);
    if (v === undefined) this._malformed++;
    return v;
  }

  private onStart(o: Json | undefined): void {
    const msg = obj(o?.message);
    if (!msg) return;
    this._id ??= str(msg.id);
    this._model ??= str(msg.model);
    this.cur = usageFromAnthropic(msg.usage, this.notes);
    if (str(msg.stop_reason)) this._stopReason = msg.stop_reason as string;
  }

  private onDelta(o: Json | undefined): void {
    if (!o) return;
    const reason = str(obj(o.delta)?.stop_reason);
    if (reason !== undefined) this._stopReason = reason;
    const u = obj(o.usage);
    if (!u) return;
    // Without message_start there is no base to override; still track, usage() stays undefined.
    const c = this.cur ?? (this.deltaOnly ??= emptyUsage());
    const given = (v: unknown) => v !== undefined && v !== null;
    if (given(u.input_tokens)) c.inputTokens = checkedCount(u.input_tokens, 'input_tokens', this.notes);
    if (given(u.output_tokens)) {
      c.outputTokens = checkedCount(u.output_tokens, 'output_tokens', this.notes);
      this.sawOutput = true;
    }
    if (given(u.cache_read_input_tokens)) c.cacheReadTokens = checkedCount(u.cache_read_input_tokens, 'cache_read_input_tokens', this.notes);
    noteCacheFields(u, this.notes);
    [c.cacheWrite5mTokens, c.cacheWrite1hTokens] = cacheWrites(u, c.cacheWrite5mTokens, c.cacheWrite1hTokens);
    const stu = obj(u.server_tool_use);
    if (stu && given(stu.web_search_requests)) c.webSearchRequests = checkedCount(stu.web_search_requests, 'web_search_requests', this.notes);
    applyReported(c, u);
  }

  private onError(data: string, parsed: unknown): void {
    if (this._error) return;
    const e = obj(obj(parsed)?.error);
    this._error = e
      ? { type: str(e.type) ?? 'error', message: typeof e.message === 'string' ? e.message : '' }
      : { type: 'error', message: data.slice(0, 1000) };
  }
}
