/**
 * OpenAI `chat.completion.chunk` stream → Anthropic SSE events (OpenAI-compatible upstream served
 * on `/v1/messages`, streaming). Emits the official order: `message_start`, then per block
 * `content_block_start` / `content_block_delta`… / `content_block_stop` (a text block, then one
 * `tool_use` block per tool call; the open block is closed before another opens), then
 * `message_delta` (stop_reason + cumulative usage) and `message_stop`.
 *
 * - OpenAI sends the finish_reason chunk BEFORE the include_usage chunk (`choices: []`), so
 *   `message_delta`/`message_stop` are emitted when usage arrives after (or with) the finish
 *   reason, or from `end()` (then with whatever usage is known, possibly none).
 * - Usage sources: `chunk.usage` or Groq's `chunk.x_groq.usage`; the LAST one wins, never a sum.
 * - `choices` may be `[]`, null or missing; only choice index 0 is read.
 * - `{"error":…}` chunks → `event: error` and the translator stops.
 * - Text and `refusal` deltas go to the text block (a refusal sets `stop_reason: 'refusal'`);
 *   `reasoning_content` is dropped.
 * - Tool calls are keyed by their OpenAI `index`. Arguments arriving for a tool call whose block was
 *   already closed (interleaved parallel calls, which OpenAI does not produce) are dropped.
 * - `end()` before any finish_reason → `event: error` (api_error): the upstream stream broke off.
 *
 * Hot path: delta frames are assembled by string concatenation; only the variable strings go
 * through JSON.stringify.
 */
import type { Usage } from '../metering/usage.ts';
import type { OpenaiUsageLike } from '../wire/openai.ts';
import { type Fields, eventFrame, fields, parsePayload } from './sse-frames.ts';
import { openaiFinishToAnthropicStop } from './stop-reasons.ts';
import { usageFromOpenai } from './usage-map.ts';

export interface OpenaiToAnthropicStreamOptions {
  /** The model name the client asked for. */
  model: string;
  /** `msg_…` id for `message_start`. */
  messageId: string;
}

const ANTHROPIC_ERROR_TYPES: ReadonlySet<string> = new Set([
  'invalid_request_error',
  'authentication_error',
  'billing_error',
  'permission_error',
  'not_found_error',
  'request_too_large',
  'rate_limit_error',
  'api_error',
  'timeout_error',
  'overloaded_error',
]);

export class OpenaiToAnthropicStream {
  readonly #model: string;
  readonly #messageId: string;
  #started = false;
  #done = false;
  #finishReason: string | null = null;
  #stopSequence: string | null = null;
  #refused = false;
  #usage: OpenaiUsageLike | undefined;
  #nextBlock = 0;
  /** Anthropic index of the open block, or -1; `#openIsText` tells its kind. */
  #openBlock = -1;
  #openIsText = false;
  /** OpenAI tool-call index → Anthropic block index. */
  readonly #tools = new Map<number, number>();

  constructor(opts: OpenaiToAnthropicStreamOptions) {
    this.#model = opts.model;
    this.#messageId = opts.messageId;
  }

  /** Feeds one upstream chunk (parsed, raw JSON text, or `'[DONE]'`); returns Anthropic frames. */
  push(chunk: unknown): string[] {
    if (this.#done) return [];
    if (chunk === '[DONE]') return this.end();
    const c = fields(parsePayload(chunk));
    if (!c) return [];
    if (c.error != null) return [this.#error(c.error)];

    const groqUsage = fields(c.x_groq)?.usage;
    const usage = c.usage && typeof c.usage === 'object' ? c.usage : groqUsage && typeof groqUsage === 'object' ? groqUsage : undefined;
    if (usage) this.#usage = usage as OpenaiUsageLike;
    const out: string[] = [];
    if (!this.#started) this.#start(out);
    const choices = c.choices;
    if (Array.isArray(choices)) {
      for (let i = 0; i < choices.length; i++) {
        const ch = fields(choices[i]);
        if (ch && (ch.index ?? 0) === 0) this.#choice(ch, out);
      }
    }
    if (usage && this.#finishReason !== null) this.#final(out);
    return out;
  }

  /** Upstream closed: emits whatever is still due (message_delta/message_stop, or an error). */
  end(): string[] {
    if (this.#done) return [];
    if (this.#finishReason === null) {
      return [
        this.#error({
          type: 'api_error',
          message: this.#started ? 'Upstream stream ended before the response was complete' : 'Upstream stream ended without any data',
        }),
      ];
    }
    const out: string[] = [];
    this.#final(out);
    return out;
  }

  /** Last usage reported by the upstream, or undefined if none arrived. */
  usage(): Usage | undefined {
    return this.#usage ? usageFromOpenai(this.#usage) : undefined;
  }

  #start(out: string[]): void {
    this.#started = true;
    const u = this.#usage ? usageFromOpenai(this.#usage) : undefined;
    out.push(
      eventFrame(
        'message_start',
        JSON.stringify({
          type: 'message_start',
          message: {
            id: this.#messageId,
            type: 'message',
            role: 'assistant',
            model: this.#model,
            content: [],
            stop_reason: null,
            stop_sequence: null,
            usage: {
              input_tokens: u?.inputTokens ?? 0,
              cache_creation_input_tokens: u?.cacheWrite5mTokens ?? 0,
              cache_read_input_tokens: u?.cacheReadTokens ?? 0,
              output_tokens: 0,
            },
          },
        }),
      ),
    );
  }

  #choice(ch: Fields, out: string[]): void {
    const d = fields(ch.delta);
    if (d) {
      if (typeof d.content === 'string' && d.content !== '') this.#text(d.content, out);
      if (typeof d.refusal === 'string' && d.refusal !== '') {
        this.#refused = true;
        this.#text(d.refusal, out);
      }
      const calls = d.tool_calls;
      if (Array.isArray(calls)) for (let i = 0; i < calls.length; i++) this.#tool(calls[i], out);
    }
    if (ch.finish_reason != null && this.#finishReason === null) {
      this.#finishReason = String(ch.finish_reason);
      if (typeof ch.stop_reason === 'string') this.#stopSequence = ch.stop_reason; // vLLM: matched stop string
      this.#closeBlock(out);
    }
  }

  #text(text: string, out: string[]): void {
    if (this.#openBlock < 0 || !this.#openIsText) {
      this.#closeBlock(out);
      this.#openBlock = this.#nextBlock++;
      this.#openIsText = true;
      out.push(eventFrame('content_block_start', `{"type":"content_block_start","index":${this.#openBlock},"content_block":{"type":"text","text":""}}`));
    }
    out.push(
      `event: content_block_delta\ndata: {"type":"content_block_delta","index":${this.#openBlock},"delta":{"type":"text_delta","text":${JSON.stringify(text)}}}\n\n`,
    );
  }

  #tool(call: unknown, out: string[]): void {
    const tc = fields(call);
    if (!tc) return;
    // Without an index (some servers): a call with an id starts a new one, otherwise it continues the last.
    const key = typeof tc.index === 'number' ? tc.index : Math.max(0, this.#tools.size - (tc.id ? 0 : 1));
    let block = this.#tools.get(key);
    if (block === undefined) {
      this.#closeBlock(out);
      block = this.#nextBlock++;
      this.#tools.set(key, block);
      this.#openBlock = block;
      this.#openIsText = false;
      const id = typeof tc.id === 'string' && tc.id ? tc.id : `toolu_${this.#messageId.replace(/^msg_/, '')}_${block}`;
      const name = String(fields(tc.function)?.name ?? '');
      out.push(
        eventFrame(
          'content_block_start',
          `{"type":"content_block_start","index":${block},"content_block":{"type":"tool_use","id":${JSON.stringify(id)},"name":${JSON.stringify(name)},"input":{}}}`,
        ),
      );
    }
    const args = fields(tc.function)?.arguments;
    if (typeof args === 'string' && args !== '' && block === this.#openBlock) {
      out.push(
        `event: content_block_delta\ndata: {"type":"content_block_delta","index":${block},"delta":{"type":"input_json_delta","partial_json":${JSON.stringify(args)}}}\n\n`,
      );
    }
  }

  #closeBlock(out: string[]): void {
    if (this.#openBlock < 0) return;
    out.push(eventFrame('content_block_stop', `{"type":"content_block_stop","index":${this.#openBlock}}`));
    this.#openBlock = -1;
  }

  #final(out: string[]): void {
    this.#done = true;
    this.#closeBlock(out);
    let reason: string = openaiFinishToAnthropicStop(this.#finishReason);
    if (this.#refused && reason === 'end_turn') reason = 'refusal';
    let stopSequence = 'null';
    if (reason === 'end_turn' && this.#stopSequence !== null) {
      reason = 'stop_sequence';
      stopSequence = JSON.stringify(this.#stopSequence);
    }
    const u = this.#usage ? usageFromOpenai(this.#usage) : undefined;
    const usage = u
      ? `{"input_tokens":${u.inputTokens},"cache_creation_input_tokens":${u.cacheWrite5mTokens},"cache_read_input_tokens":${u.cacheReadTokens},"output_tokens":${u.outputTokens}}`
      : '{"output_tokens":0}';
    out.push(eventFrame('message_delta', `{"type":"message_delta","delta":{"stop_reason":"${reason}","stop_sequence":${stopSequence}},"usage":${usage}}`));
    out.push(eventFrame('message_stop', '{"type":"message_stop"}'));
  }

  #error(err: unknown): string {
    this.#done = true;
    const e: Fields = fields(err) ?? { message: String(err) };
    const raw = typeof e.type === 'string' ? e.type : '';
    const type = ANTHROPIC_ERROR_TYPES.has(raw)
      ? raw
      : raw.includes('rate_limit') || e.code === 'rate_limit_exceeded' || e.code === 429
        ? 'rate_limit_error'
        : 'api_error';
    const message = typeof e.message === 'string' && e.message ? e.message : 'Upstream error';
    return eventFrame('error', JSON.stringify({ type: 'error', error: { type, message } }));
  }
}
