/**
 * OpenAI chat `messages` → Anthropic `system` + `messages` (part of openai-to-anthropic-request).
 *
 * - `system`/`developer` messages (any position) are hoisted in order into `system` text blocks.
 * - `tool` messages become user turns of `tool_result` blocks; consecutive same-role turns are
 *   merged, and inside every user turn the `tool_result` blocks are moved FIRST (stable), as
 *   Anthropic requires after a `tool_use` turn.
 * - Assistant `tool_calls` → `tool_use` blocks after the text (arguments JSON-parsed; invalid JSON
 *   or a non-object → 400 naming `messages[i].tool_calls[j].function.arguments`).
 * - Images: data URLs → base64 source (png/jpeg/gif/webp; application/pdf → document),
 *   http(s) → url source. `file` parts with inline `file_data` (data URL, or raw base64 taken as
 *   PDF). `input_audio` → 400.
 * - Empty text parts are dropped (Anthropic rejects empty text blocks); a final assistant
 *   (prefill) turn has its trailing whitespace trimmed (Anthropic rejects it).
 * - `cache_control` on parts is passed through (LiteLLM/OpenRouter extension).
 */
import { invalidRequest } from '../core/errors.ts';
import type {
  AnthropicCacheControl,
  AnthropicContentBlockParam,
  AnthropicMessageParam,
  AnthropicTextBlockParam,
  AnthropicToolResultBlockParam,
} from '../wire/anthropic.ts';
import { blockFromData, blockFromImageUrl, parseDataUrl } from './media.ts';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `{type:'ephemeral', ttl?: '5m'|'1h'}` or undefined; anything else is a 400. */
export function cacheControl(v: unknown, param = 'cache_control'): AnthropicCacheControl | undefined {
  if (v == null) return undefined;
  if (!isObj(v) || v.type !== 'ephemeral' || (v.ttl != null && v.ttl !== '5m' && v.ttl !== '1h')) {
    throw invalidRequest('cache_control must be {"type":"ephemeral","ttl"?:"5m"|"1h"}', { param });
  }
  return v.ttl ? { type: 'ephemeral', ttl: v.ttl } : { type: 'ephemeral' };
}

export interface ConvertedMessages {
  system: AnthropicTextBlockParam[];
  messages: AnthropicMessageParam[];
  usesTools: boolean;
}

export function convertOpenaiMessages(input: unknown): ConvertedMessages {
  if (!Array.isArray(input) || input.length === 0) {
    throw invalidRequest('messages must be a non-empty array', { param: 'messages' });
  }
  const system: AnthropicTextBlockParam[] = [];
  const turns: Array<{ role: 'user' | 'assistant'; content: AnthropicContentBlockParam[] }> = [];
  let usesTools = false;
  const push = (role: 'user' | 'assistant', blocks: AnthropicContentBlockParam[]) => {
    if (!blocks.length) return;
    const last = turns[turns.length - 1];
    if (last && last.role === role) last.content.push(...blocks);
    else turns.push({ role, content: blocks });
  };

  for (let i = 0; i < input.length; i++) {
    const m: unknown = input[i];
    const p = `messages[${i}]`;
    if (!isObj(m)) throw invalidRequest(`${p} must be an object`, { param: p });
    switch (m.role) {
      case 'system':
      case 'developer':
        system.push(...textBlocks(m.content, `${p}.content`));
        break;
      case 'user':
        push('user', userBlocks(m.content, `${p}.content`));
        break;
      case 'assistant': {
        const blocks = assistantBlocks(m, p);
        if (blocks.some((b) => b.type === 'tool_use')) usesTools = true;
        push('assistant', blocks);
        break;
      }
      case 'tool':
        usesTools = true;
        push('user', [toolResult(m, p)]);
        break;
      case 'function':
        throw invalidRequest('The legacy "function" role is not supported; use "tool" messages', { param: `${p}.role` });
      default:
        throw invalidRequest(`${p}.role '${String(m.role)}' is not supported`, { param: `${p}.role` });
    }
  }

  for (const t of turns) if (t.role === 'user') toolResultsFirst(t.content);
  trimFinalAssistant(turns);
  if (!turns.length) {
    throw invalidRequest('messages must contain at least one non-empty user or assistant message', { param: 'messages' });
  }
  return { system, messages: turns, usesTools };
}

/** Anthropic requires the tool_result blocks at the START of a user turn (stable partition). */
function toolResultsFirst(blocks: AnthropicContentBlockParam[]): void {
  let seenOther = false;
  let needed = false;
  for (const b of blocks) {
    if (b.type !== 'tool_result') seenOther = true;
    else if (seenOther) {
      needed = true;
      break;
    }
  }
  if (!needed) return;
  const sorted = [...blocks.filter((b) => b.type === 'tool_result'), ...blocks.filter((b) => b.type !== 'tool_result')];
  blocks.splice(0, blocks.length, ...sorted);
}

function trimFinalAssistant(turns: Array<{ role: string; content: AnthropicContentBlockParam[] }>): void {
  const last = turns[turns.length - 1];
  if (last?.role !== 'assistant') return;
  const b = last.content[last.content.length - 1];
  if (b?.type !== 'text') return;
  b.text = b.text.trimEnd();
  if (b.text === '') last.content.pop();
  if (!last.content.length) turns.pop();
}

function textBlock(part: Obj, param: string): AnthropicTextBlockParam | undefined {
  if (typeof part.text !== 'string') throw invalidRequest(`${param}.text must be a string`, { param });
  if (part.text === '') return undefined;
  const b: AnthropicTextBlockParam = { type: 'text', text: part.text };
  const cc = cacheControl(part.cache_control, `${param}.cache_control`);
  if (cc) b.cache_control = cc;
  return b;
}

/** System / developer / tool content: a string or text parts only. */
function textBlocks(content: unknown, param: string): AnthropicTextBlockParam[] {
  if (content == null) return [];
  if (typeof content === 'string') return content ? [{ type: 'text', text: content }] : [];
  if (!Array.isArray(content)) throw invalidRequest(`${param} must be a string or an array of text parts`, { param });
  const out: AnthropicTextBlockParam[] = [];
  content.forEach((part: unknown, j) => {
    const pp = `${param}[${j}]`;
    if (!isObj(part) || part.type !== 'text') throw invalidRequest(`${pp} must be a text part`, { param: pp });
    const b = textBlock(part, pp);
    if (b) out.push(b);
  });
  return out;
}

function userBlocks(content: unknown, param: string): AnthropicContentBlockParam[] {
  if (typeof content === 'string') return content ? [{ type: 'text', text: content }] : [];
  if (!Array.isArray(content)) throw invalidRequest(`${param} must be a string or an array of content parts`, { param });
  const out: AnthropicContentBlockParam[] = [];
  content.forEach((part: unknown, j) => {
    const pp = `${param}[${j}]`;
    if (!isObj(part)) throw invalidRequest(`${pp} must be an object`, { param: pp });
    let block: AnthropicContentBlockParam | undefined;
    switch (part.type) {
      case 'text':
        block = textBlock(part, pp);
        break;
      case 'image_url':
        block = blockFromImageUrl(isObj(part.image_url) ? part.image_url.url : undefined, pp);
        break;
      case 'file':
        block = fileBlock(part.file, pp);
        break;
      case 'input_audio':
        throw invalidRequest('Audio input is not supported for Claude models', { param: pp });
      default:
        throw invalidRequest(`Unsupported content part type '${String(part.type)}'`, { param: pp });
    }
    if (!block) return;
    const cc = cacheControl(part.cache_control, `${pp}.cache_control`);
    if (cc && block.type !== 'text') (block as { cache_control?: AnthropicCacheControl }).cache_control = cc;
    out.push(block);
  });
  return out;
}

/** `file` parts: inline `file_data` (a data URL, or raw base64 taken as PDF). `file_id` cannot be resolved. */
function fileBlock(file: unknown, param: string): AnthropicContentBlockParam {
  if (!isObj(file) || typeof file.file_data !== 'string' || !file.file_data) {
    throw invalidRequest('Only inline file parts (file.file_data) are supported; file_id references are not', { param });
  }
  const d = parseDataUrl(file.file_data, param) ?? { mediaType: 'application/pdf', data: file.file_data };
  const block = blockFromData(d, param);
  if (block.type === 'document' && typeof file.filename === 'string' && file.filename) block.title = file.filename;
  return block;
}

function assistantBlocks(m: Obj, p: string): AnthropicContentBlockParam[] {
  if (m.function_call != null) {
    throw invalidRequest('Legacy assistant function_call is not supported; use tool_calls', { param: `${p}.function_call` });
  }
  const out: AnthropicContentBlockParam[] = [];
  const c = m.content;
  if (typeof c === 'string') {
    if (c) out.push({ type: 'text', text: c });
  } else if (Array.isArray(c)) {
    c.forEach((part: unknown, j) => {
      const pp = `${p}.content[${j}]`;
      if (isObj(part) && part.type === 'refusal' && typeof part.refusal === 'string') {
        if (part.refusal) out.push({ type: 'text', text: part.refusal });
        return;
      }
      if (!isObj(part) || part.type !== 'text') throw invalidRequest(`${pp} must be a text or refusal part`, { param: pp });
      const b = textBlock(part, pp);
      if (b) out.push(b);
    });
  } else if (c != null) {
    throw invalidRequest(`${p}.content must be a string, an array or null`, { param: `${p}.content` });
  }
  if (!out.length && typeof m.refusal === 'string' && m.refusal) out.push({ type: 'text', text: m.refusal });
  if (m.tool_calls != null) {
    if (!Array.isArray(m.tool_calls)) throw invalidRequest(`${p}.tool_calls must be an array`, { param: `${p}.tool_calls` });
    m.tool_calls.forEach((tc: unknown, j) => {
      const tp = `${p}.tool_calls[${j}]`;
      if (!isObj(tc) || !isObj(tc.function) || typeof tc.id !== 'string' || !tc.id || typeof tc.function.name !== 'string') {
        throw invalidRequest(`${tp} must have an id and a function name`, { param: tp });
      }
      if (tc.type != null && tc.type !== 'function') throw invalidRequest(`${tp}.type must be "function"`, { param: `${tp}.type` });
      const input = parseArguments(tc.function.arguments, `${tp}.function.arguments`);
      out.push({ type: 'tool_use', id: tc.id, name: tc.function.name, input });
    });
  }
  return out;
}

function parseArguments(raw: unknown, param: string): Record<string, unknown> {
  if (raw == null) return {};
  if (isObj(raw)) return raw;
  if (typeof raw !== 'string') throw invalidRequest('Tool call arguments must be a JSON string', { param });
  if (raw.trim() === '') return {};
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    throw invalidRequest('Tool call arguments are not valid JSON', { param });
  }
  if (!isObj(v)) throw invalidRequest('Tool call arguments must encode a JSON object', { param });
  return v;
}

function toolResult(m: Obj, p: string): AnthropicToolResultBlockParam {
  if (typeof m.tool_call_id !== 'string' || !m.tool_call_id) {
    throw invalidRequest(`${p}.tool_call_id is required`, { param: `${p}.tool_call_id` });
  }
  const block: AnthropicToolResultBlockParam = { type: 'tool_result', tool_use_id: m.tool_call_id };
  if (typeof m.content === 'string') {
    if (m.content) block.content = m.content;
  } else {
    const blocks = textBlocks(m.content, `${p}.content`);
    if (blocks.length) block.content = blocks;
  }
  return block;
}
