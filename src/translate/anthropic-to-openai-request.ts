/**
 * Anthropic Messages request → OpenAI Chat Completions request (serving OpenAI-compatible
 * upstream models on `/v1/messages`). Reference openai-translation.md §3, §5.
 *
 * Decisions:
 * - `system` (string or text blocks, joined with "\n") → one leading `system` message, or
 *   `developer` when `supportsDeveloperRole` is set (DeepSeek/DeepInfra reject `developer`).
 * - A user turn's `tool_result` blocks become `tool` messages placed BEFORE the rest of the turn
 *   (OpenAI needs them right after the assistant `tool_calls`). Tool-result text blocks are joined
 *   with "\n"; images/documents inside a tool result move into the following user message
 *   (OpenAI tool messages carry text only). `is_error` has no OpenAI equivalent and is dropped.
 * - Assistant text blocks are concatenated; `thinking`/`redacted_thinking` blocks are dropped.
 * - `max_tokens` → `max_completion_tokens` (or `max_tokens` with `useMaxTokensField`).
 * - `stop_sequences` → `stop` as-is (OpenAI itself accepts at most 4; other servers may allow more,
 *   so the upstream decides). `metadata.user_id` → `user`.
 * - Streaming ALWAYS adds `stream_options: {include_usage: true}` (billing needs the usage chunk).
 * - `output_config.format` (json_schema) → `response_format` json_schema.
 * - Dropped: see `DROPPED_ANTHROPIC_PARAMS`. Rejected (400): Anthropic server tools,
 *   `mcp_servers`, `file` sources, URL documents, server-tool blocks in history.
 */
import { invalidRequest } from '../core/errors.ts';
import type { AnthropicMessagesRequest } from '../wire/anthropic.ts';
import type {
  ChatCompletionContentPart,
  ChatCompletionFunctionTool,
  ChatCompletionMessageParam,
  ChatCompletionMessageToolCall,
  ChatCompletionRequest,
  ChatCompletionToolChoiceOption,
} from '../wire/openai.ts';
import { toDataUrl } from './media.ts';

export interface AnthropicToOpenaiRequestOptions {
  upstreamModel: string;
  /** Send `system` as a `developer` message (OpenAI o-series / GPT-5). Default false → `system`. */
  supportsDeveloperRole?: boolean;
  /** Emit the legacy `max_tokens` instead of `max_completion_tokens` (older compatible servers). */
  useMaxTokensField?: boolean;
}

/** Anthropic request fields that are accepted and ignored on OpenAI-compatible upstreams. */
export const DROPPED_ANTHROPIC_PARAMS: readonly string[] = [
  'top_k',
  'thinking',
  'cache_control (top level and on blocks/tools; OpenAI caches automatically)',
  'metadata (except user_id → user)',
  'service_tier',
  'inference_geo',
  'container',
  'output_config.effort',
  'tool_result.is_error',
  'citations',
  'document title/context',
  'thinking / redacted_thinking blocks',
];

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export function anthropicToOpenaiRequest(req: AnthropicMessagesRequest, opts: AnthropicToOpenaiRequestOptions): ChatCompletionRequest {
  if (!isObj(req)) throw invalidRequest('Request body must be a JSON object');
  const messages: ChatCompletionMessageParam[] = [];
  const system = systemText(req.system);
  if (system) messages.push({ role: opts.supportsDeveloperRole ? 'developer' : 'system', content: system });
  if (!Array.isArray(req.messages) || !req.messages.length) {
    throw invalidRequest('messages must be a non-empty array', { param: 'messages' });
  }
  req.messages.forEach((m, i) => {
    convertMessage(m, `messages.${i}`, messages);
  });

  if (!Number.isInteger(req.max_tokens) || req.max_tokens < 0) {
    throw invalidRequest('max_tokens must be a non-negative integer', { param: 'max_tokens' });
  }
  const out: ChatCompletionRequest = { model: opts.upstreamModel, messages };
  if (opts.useMaxTokensField) out.max_tokens = req.max_tokens;
  else out.max_completion_tokens = req.max_tokens;

  if (Array.isArray(req.mcp_servers) && req.mcp_servers.length) {
    throw invalidRequest('mcp_servers is not supported for this model', { param: 'mcp_servers' });
  }
  const tools = convertTools(req.tools);
  if (tools) {
    out.tools = tools;
    const tc = req.tool_choice as Obj | undefined;
    if (isObj(tc)) {
      out.tool_choice = convertToolChoice(tc);
      if (tc.disable_parallel_tool_use === true && tc.type !== 'none') out.parallel_tool_calls = false;
    }
  }
  if (Array.isArray(req.stop_sequences) && req.stop_sequences.length) out.stop = [...req.stop_sequences];
  if (typeof req.temperature === 'number') out.temperature = req.temperature;
  if (typeof req.top_p === 'number') out.top_p = req.top_p;
  const userId = req.metadata?.user_id;
  if (typeof userId === 'string' && userId) out.user = userId;
  const format = isObj(req.output_config) ? req.output_config.format : undefined;
  if (isObj(format) && format.type === 'json_schema' && isObj(format.schema)) {
    out.response_format = { type: 'json_schema', json_schema: { name: 'response', schema: format.schema, strict: true } };
  }
  if (req.stream === true) {
    out.stream = true;
    out.stream_options = { include_usage: true };
  }
  return out;
}

function systemText(system: unknown): string {
  if (system == null) return '';
  if (typeof system === 'string') return system;
  if (!Array.isArray(system)) throw invalidRequest('system must be a string or an array of text blocks', { param: 'system' });
  return system
    .map((b: unknown, i) => {
      if (!isObj(b) || b.type !== 'text' || typeof b.text !== 'string') {
        throw invalidRequest('system blocks must be text blocks', { param: `system.${i}` });
      }
      return b.text;
    })
    .join('\n');
}

function convertMessage(m: unknown, p: string, out: ChatCompletionMessageParam[]): void {
  if (!isObj(m) || (m.role !== 'user' && m.role !== 'assistant')) {
    throw invalidRequest(`${p}.role must be "user" or "assistant"`, { param: `${p}.role` });
  }
  const content = m.content;
  if (typeof content === 'string') {
    out.push({ role: m.role, content });
    return;
  }
  if (!Array.isArray(content)) throw invalidRequest(`${p}.content must be a string or an array`, { param: `${p}.content` });
  if (m.role === 'assistant') assistantMessage(content, p, out);
  else userMessages(content, p, out);
}

function assistantMessage(blocks: unknown[], p: string, out: ChatCompletionMessageParam[]): void {
  let text = '';
  const toolCalls: ChatCompletionMessageToolCall[] = [];
  blocks.forEach((b, j) => {
    const bp = `${p}.content.${j}`;
    if (!isObj(b)) throw invalidRequest(`${bp} must be an object`, { param: bp });
    if (b.type === 'text' && typeof b.text === 'string') text += b.text;
    else if (b.type === 'tool_use') {
      if (typeof b.id !== 'string' || typeof b.name !== 'string') throw invalidRequest(`${bp} needs id and name`, { param: bp });
      toolCalls.push({ id: b.id, type: 'function', function: { name: b.name, arguments: JSON.stringify(b.input ?? {}) } });
    } else if (b.type !== 'thinking' && b.type !== 'redacted_thinking') {
      throw invalidRequest(`Content block type '${String(b.type)}' is not supported for this model`, { param: bp });
    }
  });
  if (!text && !toolCalls.length) return;
  const msg: ChatCompletionMessageParam = { role: 'assistant', content: text || null };
  if (toolCalls.length) msg.tool_calls = toolCalls;
  out.push(msg);
}

function userMessages(blocks: unknown[], p: string, out: ChatCompletionMessageParam[]): void {
  const parts: ChatCompletionContentPart[] = [];
  blocks.forEach((b, j) => {
    const bp = `${p}.content.${j}`;
    if (!isObj(b)) throw invalidRequest(`${bp} must be an object`, { param: bp });
    if (b.type === 'tool_result') {
      if (typeof b.tool_use_id !== 'string') throw invalidRequest(`${bp}.tool_use_id is required`, { param: bp });
      out.push({ role: 'tool', tool_call_id: b.tool_use_id, content: toolResultText(b.content, bp, parts) });
    } else if (b.type === 'thinking' || b.type === 'redacted_thinking') {
      // never meaningful in a user turn
    } else {
      parts.push(...mediaOrTextParts(b, bp));
    }
  });
  if (!parts.length) return;
  const [only] = parts;
  if (parts.length === 1 && only?.type === 'text') out.push({ role: 'user', content: only.text });
  else out.push({ role: 'user', content: parts });
}

/** Text of a tool_result; non-text blocks are appended to `extra` (the following user message). */
function toolResultText(content: unknown, p: string, extra: ChatCompletionContentPart[]): string {
  if (content == null) return '';
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) throw invalidRequest(`${p}.content must be a string or an array`, { param: `${p}.content` });
  const texts: string[] = [];
  content.forEach((b: unknown, k) => {
    for (const part of mediaOrTextParts(b, `${p}.content.${k}`)) {
      if (part.type === 'text') texts.push(part.text);
      else extra.push(part);
    }
  });
  return texts.join('\n');
}

function mediaOrTextParts(b: unknown, p: string): ChatCompletionContentPart[] {
  if (!isObj(b)) throw invalidRequest(`${p} must be an object`, { param: p });
  const src = isObj(b.source) ? b.source : undefined;
  switch (b.type) {
    case 'text':
      if (typeof b.text !== 'string') throw invalidRequest(`${p}.text must be a string`, { param: p });
      return [{ type: 'text', text: b.text }];
    case 'image':
      if (src?.type === 'base64' && typeof src.data === 'string') {
        return [{ type: 'image_url', image_url: { url: toDataUrl(String(src.media_type), src.data) } }];
      }
      if (src?.type === 'url' && typeof src.url === 'string') return [{ type: 'image_url', image_url: { url: src.url } }];
      throw invalidRequest('Only base64 and url image sources are supported for this model', { param: `${p}.source` });
    case 'document':
      if (src?.type === 'base64' && typeof src.data === 'string') {
        const filename = typeof b.title === 'string' && b.title ? b.title : 'document.pdf';
        return [{ type: 'file', file: { file_data: toDataUrl(String(src.media_type ?? 'application/pdf'), src.data), filename } }];
      }
      if (src?.type === 'text' && typeof src.data === 'string') return [{ type: 'text', text: src.data }];
      if (src?.type === 'content') {
        if (typeof src.content === 'string') return [{ type: 'text', text: src.content }];
        if (Array.isArray(src.content)) return src.content.flatMap((c: unknown, k) => mediaOrTextParts(c, `${p}.source.content.${k}`));
      }
      throw invalidRequest('Only base64, text and content document sources are supported for this model', { param: `${p}.source` });
    default:
      throw invalidRequest(`Content block type '${String(b.type)}' is not supported for this model`, { param: p });
  }
}

function convertTools(tools: unknown): ChatCompletionFunctionTool[] | undefined {
  if (tools == null) return undefined;
  if (!Array.isArray(tools)) throw invalidRequest('tools must be an array', { param: 'tools' });
  if (!tools.length) return undefined;
  return tools.map((t: unknown, j) => {
    const p = `tools.${j}`;
    if (!isObj(t) || typeof t.name !== 'string') throw invalidRequest(`${p}.name is required`, { param: p });
    if (!isObj(t.input_schema) || (t.type != null && t.type !== 'custom')) {
      throw invalidRequest(
        `Tool '${t.name}'${typeof t.type === 'string' ? ` (${t.type})` : ''} is an Anthropic server tool or lacks input_schema; only custom tools are supported for this model`,
        { param: p },
      );
    }
    const fn: ChatCompletionFunctionTool['function'] = { name: t.name, parameters: t.input_schema };
    if (typeof t.description === 'string' && t.description) fn.description = t.description;
    return { type: 'function', function: fn };
  });
}

function convertToolChoice(tc: Obj): ChatCompletionToolChoiceOption {
  switch (tc.type) {
    case 'auto':
      return 'auto';
    case 'any':
      return 'required';
    case 'none':
      return 'none';
    case 'tool':
      if (typeof tc.name === 'string' && tc.name) return { type: 'function', function: { name: tc.name } };
      throw invalidRequest('tool_choice.name is required for type "tool"', { param: 'tool_choice.name' });
    default:
      throw invalidRequest(`tool_choice type '${String(tc.type)}' is not supported`, { param: 'tool_choice' });
  }
}
