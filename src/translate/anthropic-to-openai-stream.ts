/**
 * Anthropic SSE events → OpenAI `chat.completion.chunk` SSE frames (Claude served on the OpenAI
 * surface, streaming). Reference openai-translation.md §1.4, §3.5, §7.
 *
 * - First chunk: `delta {role:'assistant', content:''}` (sent on `message_start`).
 * - `text_delta` → `delta.content`; thinking / signature / citations deltas are dropped.
 * - `tool_use` block start → `tool_calls[{index, id, type, function:{name, arguments:''}}]` where
 *   `index` counts TOOL CALLS (0, 1, …), not Anthropic block indexes; `input_json_delta` →
 *   `tool_calls[{index, function:{arguments}}]`. A tool call that streamed no arguments gets
 *   `arguments:'{}'` at its block stop so clients can always JSON.parse the concatenation.
 * - `message_delta` → finish chunk (`delta:{}`, mapped `finish_reason`); `message_stop` → usage
 *   chunk (`choices: []`, only when `includeUsage`) then `data: [DONE]`.
 * - Usage = `message_start.message.usage` overridden by non-null cumulative `message_delta` fields.
 * - `error` event → `data: {"error":{message,type,code}}` and the translator stops (no [DONE]).
 * - `end()` without `message_stop`: if the finish chunk was already sent the stream is closed
 *   normally; otherwise an error frame (`code: 'upstream_stream_incomplete'`) is emitted.
 *
 * Hot path: frames are assembled by string concatenation around a precomputed prefix; only the
 * variable strings (text, partial JSON) go through JSON.stringify.
 */
import { codes } from '../core/errors.ts';
import type { Usage } from '../metering/usage.ts';
import type { AnthropicMessageDeltaUsage, AnthropicUsage } from '../wire/anthropic.ts';
import { DONE_FRAME, type Fields, dataFrame, fields, parsePayload } from './sse-frames.ts';
import { anthropicStopToOpenaiFinish } from './stop-reasons.ts';
import { mergeAnthropicDeltaUsage, usageFromAnthropic, usageToOpenai } from './usage-map.ts';

export interface AnthropicToOpenaiStreamOptions {
  id: string;
  /** Unix seconds, shared by every chunk. */
  created: number;
  model: string;
  /** The client's `stream_options.include_usage`. */
  includeUsage: boolean;
}

interface ToolState {
  index: number;
  hasArgs: boolean;
}

export class AnthropicToOpenaiStream {
  readonly #head: string;
  readonly #tail: string;
  readonly #includeUsage: boolean;
  #started = false;
  #finished = false;
  #done = false;
  #toolCount = 0;
  /** Keyed by the upstream block `index` as sent (a number from Anthropic; never coerced). */
  readonly #tools = new Map<unknown, ToolState>();
  #usage: AnthropicUsage | undefined;

  constructor(opts: AnthropicToOpenaiStreamOptions) {
    this.#head = `{"id":${JSON.stringify(opts.id)},"object":"chat.completion.chunk","created":${Number(opts.created)},"model":${JSON.stringify(opts.model)},"choices":[`;
    this.#tail = opts.includeUsage ? '],"usage":null}' : ']}';
    this.#includeUsage = opts.includeUsage;
  }

  /** Feeds one Anthropic SSE event (`data` parsed or raw JSON text); returns OpenAI frames. */
  push(ev: { event?: string; data: unknown }): string[] {
    if (this.#done) return [];
    const data = fields(parsePayload(ev.data));
    if (!data) return [];
    switch (typeof data.type === 'string' ? data.type : ev.event) {
      case 'message_start': {
        const u = fields(data.message)?.usage;
        if (u && typeof u === 'object') this.#usage = { ...u } as AnthropicUsage;
        return this.#start([]);
      }
      case 'content_block_start':
        return this.#blockStart(data);
      case 'content_block_delta':
        return this.#blockDelta(data);
      case 'content_block_stop': {
        const tool = this.#tools.get(data.index);
        if (!tool || tool.hasArgs) return [];
        tool.hasArgs = true;
        return [this.#argsChunk(tool.index, '{}')];
      }
      case 'message_delta': {
        if (data.usage && typeof data.usage === 'object') {
          this.#usage = mergeAnthropicDeltaUsage(this.#usage, data.usage as AnthropicMessageDeltaUsage);
        }
        const reason = fields(data.delta)?.stop_reason;
        if (this.#finished || reason == null) return [];
        return this.#finish(this.#start([]), reason);
      }
      case 'message_stop': {
        const out = this.#finished ? [] : this.#finish(this.#start([]), 'end_turn');
        return this.#close(out);
      }
      case 'error': {
        const e = fields(data.error) ?? {};
        const type = typeof e.type === 'string' ? e.type : 'api_error';
        const message = typeof e.message === 'string' ? e.message : 'Upstream error';
        return [this.#errorFrame(message, type, type)];
      }
      default: // ping and unknown future events
        return [];
    }
  }

  /** Upstream finished (or broke off); returns the closing frames, if any are still due. */
  end(): string[] {
    if (this.#done) return [];
    if (this.#finished) return this.#close([]);
    return [this.#errorFrame('Upstream stream ended before the response was complete', 'api_error', codes.upstream_stream_incomplete)];
  }

  /** Usage seen so far (message_start + cumulative message_delta), or undefined if none arrived. */
  usage(): Usage | undefined {
    return this.#usage ? usageFromAnthropic(this.#usage) : undefined;
  }

  #blockStart(data: Fields): string[] {
    if (!data.content_block) return [];
    const out = this.#start([]);
    const block = fields(data.content_block) ?? {};
    if (block.type === 'tool_use') {
      const tool: ToolState = { index: this.#toolCount++, hasArgs: false };
      this.#tools.set(data.index, tool);
      out.push(
        this.#chunk(
          `{"tool_calls":[{"index":${tool.index},"id":${JSON.stringify(String(block.id ?? ''))},"type":"function","function":{"name":${JSON.stringify(String(block.name ?? ''))},"arguments":""}}]}`,
        ),
      );
      const input = block.input;
      if (input && typeof input === 'object' && Object.keys(input).length) {
        tool.hasArgs = true;
        out.push(this.#argsChunk(tool.index, JSON.stringify(input)));
      }
    } else if (block.type === 'text' && typeof block.text === 'string' && block.text) {
      out.push(this.#chunk(`{"content":${JSON.stringify(block.text)}}`));
    }
    return out;
  }

  #blockDelta(data: Fields): string[] {
    const delta = fields(data.delta);
    if (!delta) return [];
    if (delta.type === 'text_delta') {
      if (typeof delta.text !== 'string' || delta.text === '') return [];
      return this.#start([this.#chunk(`{"content":${JSON.stringify(delta.text)}}`)]);
    }
    if (delta.type === 'input_json_delta') {
      const tool = this.#tools.get(data.index);
      if (!tool || typeof delta.partial_json !== 'string' || delta.partial_json === '') return [];
      tool.hasArgs = true;
      return [this.#argsChunk(tool.index, delta.partial_json)];
    }
    return []; // thinking_delta, signature_delta, citations_delta
  }

  /** Prepends the role chunk the first time anything is emitted. */
  #start(out: string[]): string[] {
    if (this.#started) return out;
    this.#started = true;
    out.unshift(this.#chunk('{"role":"assistant","content":""}'));
    return out;
  }

  #finish(out: string[], stopReason: unknown): string[] {
    this.#finished = true;
    out.push(this.#chunk('{}', anthropicStopToOpenaiFinish(stopReason)));
    return out;
  }

  #close(out: string[]): string[] {
    this.#done = true;
    if (this.#includeUsage && this.#usage) {
      const usage = JSON.stringify(usageToOpenai(usageFromAnthropic(this.#usage)));
      out.push(dataFrame(`${this.#head}],"usage":${usage}}`));
    }
    out.push(DONE_FRAME);
    return out;
  }

  #chunk(deltaJson: string, finishReason?: string): string {
    const fr = finishReason ? `"${finishReason}"` : 'null';
    return dataFrame(`${this.#head}{"index":0,"delta":${deltaJson},"logprobs":null,"finish_reason":${fr}}${this.#tail}`);
  }

  #argsChunk(index: number, args: string): string {
    return this.#chunk(`{"tool_calls":[{"index":${index},"function":{"arguments":${JSON.stringify(args)}}}]}`);
  }

  #errorFrame(message: string, type: string, code: string): string {
    this.#done = true;
    return dataFrame(JSON.stringify({ error: { message, type, code } }));
  }
}
