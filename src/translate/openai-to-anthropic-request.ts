/**
 * OpenAI Chat Completions request → Anthropic Messages request (serving Claude on the OpenAI
 * surface). Rules: reference openai-translation.md §3 and §7.
 *
 * Decisions (also exported as data for the docs):
 * - Message conversion (system hoisting, tool results, merging, media): openai-messages-to-anthropic.ts.
 * - `temperature` is CLAMPED to [0, 1] (OpenAI allows 0–2, Anthropic 0–1): values above 1 become 1,
 *   as Anthropic's own compatibility layer does; it is not rescaled.
 * - Parameters in `DROPPED_OPENAI_PARAMS` are silently ignored; those in `REJECTED_OPENAI_PARAMS`
 *   are a 400 because honouring them is impossible and ignoring them would change billing or the
 *   meaning of the answer.
 * - Extensions passed through: `thinking`, `top_k`, and `cache_control` on text/image/file parts
 *   and on tools (LiteLLM/OpenRouter convention), so prompt caching works from OpenAI clients.
 * - `user` (else `safety_identifier`) → `metadata.user_id`.
 */
import { invalidRequest } from '../core/errors.ts';
import type { AnthropicCustomTool, AnthropicMessagesRequest, AnthropicThinkingConfig, AnthropicToolChoice } from '../wire/anthropic.ts';
import type { ChatCompletionRequest } from '../wire/openai.ts';
import { cacheControl, convertOpenaiMessages } from './openai-messages-to-anthropic.ts';

export interface OpenaiToAnthropicRequestOptions {
  upstreamModel: string;
  defaultMaxTokens: number;
}

/** OpenAI request fields that are accepted and ignored on the Claude path. */
export const DROPPED_OPENAI_PARAMS: readonly string[] = [
  'frequency_penalty',
  'presence_penalty',
  'logit_bias',
  'seed',
  'store',
  'metadata',
  'service_tier',
  'prediction',
  'response_format (type "text" only)',
  'logprobs (false only)',
  'top_logprobs (0 only)',
  'modalities (["text"] only)',
  'reasoning_effort',
  'verbosity',
  'prompt_cache_key',
  'prompt_cache_retention',
  'stream_options (read by the gateway, not forwarded)',
  'tools[].function.strict',
  'image_url.detail',
  'messages[].name',
];

/** OpenAI request fields/values that are a 400 on the Claude path, with the reason. */
export const REJECTED_OPENAI_PARAMS: Readonly<Record<string, string>> = {
  n: 'n > 1: Claude returns exactly one choice',
  logprobs: 'logprobs: true / top_logprobs > 0: Claude does not return log probabilities',
  audio: 'audio output, modalities containing "audio", and input_audio content parts: not supported',
  response_format: 'json_object / json_schema: not enforced by Claude; use tools or /v1/messages',
  functions: 'legacy functions / function_call / role "function": use tools / tool_choice',
  web_search_options: 'web search is not available through this surface',
  tools: 'non-function (custom) tools; tool messages or tool_calls without `tools`',
  tool_choice: 'allowed_tools / custom forms; required or named choice without tools',
  stop: 'whitespace-only stop sequences (Anthropic rejects them)',
};

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export function openaiToAnthropicRequest(req: ChatCompletionRequest, opts: OpenaiToAnthropicRequestOptions): AnthropicMessagesRequest {
  if (!isObj(req)) throw invalidRequest('Request body must be a JSON object');
  rejectUnsupported(req);
  const { system, messages, usesTools } = convertOpenaiMessages(req.messages);
  const tools = convertTools(req.tools);
  if (usesTools && !tools) {
    throw invalidRequest('Requests that contain tool calls or tool results (role "tool" messages) must also define `tools`', { param: 'tools' });
  }
  const out: AnthropicMessagesRequest = { model: opts.upstreamModel, max_tokens: maxTokens(req, opts.defaultMaxTokens), messages };
  if (system.length) out.system = system;
  if (tools) {
    out.tools = tools;
    const choice = convertToolChoice(req.tool_choice, req.parallel_tool_calls, tools);
    if (choice) out.tool_choice = choice;
  } else if (req.tool_choice != null && req.tool_choice !== 'none' && req.tool_choice !== 'auto') {
    throw invalidRequest('tool_choice requires `tools`', { param: 'tool_choice' });
  }
  const stop = convertStop(req.stop);
  if (stop) out.stop_sequences = stop;
  const temperature = optNumber(req.temperature, 'temperature');
  if (temperature !== undefined) out.temperature = Math.min(1, Math.max(0, temperature));
  const topP = optNumber(req.top_p, 'top_p');
  if (topP !== undefined) out.top_p = topP;
  const topK = optNumber(req.top_k, 'top_k');
  if (topK !== undefined) out.top_k = topK;
  const user = typeof req.user === 'string' && req.user ? req.user : req.safety_identifier;
  if (typeof user === 'string' && user) out.metadata = { user_id: user };
  if (typeof req.stream === 'boolean') out.stream = req.stream;
  if (isObj(req.thinking)) out.thinking = req.thinking as unknown as AnthropicThinkingConfig;
  return out;
}

function rejectUnsupported(req: ChatCompletionRequest): void {
  if (req.n != null && req.n !== 1) {
    throw invalidRequest('n must be 1: Claude models return a single choice per request', { param: 'n' });
  }
  if (req.logprobs === true) throw invalidRequest('logprobs is not supported for Claude models', { param: 'logprobs' });
  if (typeof req.top_logprobs === 'number' && req.top_logprobs > 0) {
    throw invalidRequest('top_logprobs is not supported for Claude models', { param: 'top_logprobs' });
  }
  if (req.audio != null) throw invalidRequest('Audio output is not supported for Claude models', { param: 'audio' });
  if (Array.isArray(req.modalities) && req.modalities.includes('audio')) {
    throw invalidRequest('Audio output is not supported for Claude models', { param: 'modalities' });
  }
  const rf = req.response_format as unknown;
  if (rf != null && !(isObj(rf) && rf.type === 'text')) {
    throw invalidRequest(
      `response_format ${isObj(rf) ? `type '${String(rf.type)}' ` : ''}is not supported for Claude models on this endpoint; ` +
        'describe the format in the prompt, use tools, or call /v1/messages',
      { param: 'response_format' },
    );
  }
  if (req.functions != null || req.function_call != null) {
    throw invalidRequest('Legacy function calling is not supported; use `tools` and `tool_choice`', {
      param: req.functions != null ? 'functions' : 'function_call',
    });
  }
  if (req.web_search_options != null) {
    throw invalidRequest('web_search_options is not supported for Claude models', { param: 'web_search_options' });
  }
}

function maxTokens(req: ChatCompletionRequest, fallback: number): number {
  const param = req.max_completion_tokens != null ? 'max_completion_tokens' : 'max_tokens';
  const v = req.max_completion_tokens ?? req.max_tokens ?? fallback;
  if (!Number.isInteger(v) || v < 0) throw invalidRequest(`${param} must be a non-negative integer`, { param });
  return v;
}

function optNumber(v: unknown, param: string): number | undefined {
  if (v == null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw invalidRequest(`${param} must be a number`, { param });
  return v;
}

function convertStop(stop: unknown): string[] | undefined {
  if (stop == null) return undefined;
  const list = typeof stop === 'string' ? [stop] : stop;
  if (!Array.isArray(list) || !list.every((s) => typeof s === 'string')) {
    throw invalidRequest('stop must be a string or an array of strings', { param: 'stop' });
  }
  if (list.some((s: string) => s.trim() === '')) {
    throw invalidRequest('Stop sequences must contain non-whitespace characters for Claude models', { param: 'stop' });
  }
  return list.length ? (list as string[]) : undefined;
}

// ───────────────────────────── tools ─────────────────────────────

function convertTools(tools: unknown): AnthropicCustomTool[] | undefined {
  if (tools == null) return undefined;
  if (!Array.isArray(tools)) throw invalidRequest('tools must be an array', { param: 'tools' });
  if (!tools.length) return undefined;
  return tools.map((t: unknown, j) => {
    const p = `tools[${j}]`;
    if (!isObj(t) || t.type !== 'function' || !isObj(t.function)) {
      throw invalidRequest('Only function tools are supported for Claude models', { param: p });
    }
    const fn = t.function;
    if (typeof fn.name !== 'string' || !fn.name) throw invalidRequest(`${p}.function.name is required`, { param: `${p}.function.name` });
    const params = fn.parameters;
    if (params != null && (!isObj(params) || (params.type != null && params.type !== 'object'))) {
      throw invalidRequest('Tool parameters must be a JSON schema of type "object"', { param: `${p}.function.parameters` });
    }
    const schema = params && Object.keys(params).length ? { ...params, type: 'object' as const } : { type: 'object' as const, properties: {} };
    const tool: AnthropicCustomTool = { name: fn.name, input_schema: schema };
    if (typeof fn.description === 'string' && fn.description) tool.description = fn.description;
    const cc = cacheControl(t.cache_control, `${p}.cache_control`);
    if (cc) tool.cache_control = cc;
    return tool;
  });
}

function convertToolChoice(choice: unknown, parallel: unknown, tools: AnthropicCustomTool[]): AnthropicToolChoice | undefined {
  const disable = parallel === false ? { disable_parallel_tool_use: true } : {};
  if (choice == null || choice === 'auto') return parallel === false ? { type: 'auto', ...disable } : choice ? { type: 'auto' } : undefined;
  if (choice === 'none') return { type: 'none' };
  if (choice === 'required') return { type: 'any', ...disable };
  if (isObj(choice) && choice.type === 'function' && isObj(choice.function) && typeof choice.function.name === 'string') {
    const name = choice.function.name;
    if (!tools.some((t) => t.name === name)) {
      throw invalidRequest(`tool_choice names '${name}', which is not in tools`, { param: 'tool_choice' });
    }
    return { type: 'tool', name, ...disable };
  }
  throw invalidRequest('tool_choice must be "none", "auto", "required" or {type:"function", function:{name}}', { param: 'tool_choice' });
}
