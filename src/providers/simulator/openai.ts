/**
 * Pure generator for the OpenAI Chat Completions surface: validates a request body and returns
 * the `chat.completion` object and the `chat.completion.chunk` sequence for the same reply.
 * Usage is prompt_tokens (cache-inclusive; this surface reports no cache hits unless forced),
 * completion_tokens and total_tokens. The usage chunk (`choices: []`) is produced only when
 * `stream_options.include_usage` is set; the `[DONE]` terminator is added by the framing layer.
 */
import { SimulatorError } from './errors.ts';
import type { SimState } from './state.ts';
import { applyLimits, charCount, contentText, estimateTokens, outputTokens, replyText, splitDeltas } from './text.ts';
import type { GenerateOptions, OpenaiChunk, OpenaiCompletion, OpenaiFinishReason, OpenaiUsage } from './types.ts';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);
const bad = (message: string, param: string | null = null) => new SimulatorError(400, 'invalid_request_error', message, param);

/** Throws SimulatorError(400) unless `body` has the minimal Chat Completions shape. */
export function validateOpenai(body: unknown): asserts body is Obj {
  if (!isObj(body)) throw bad('The request body must be a JSON object.');
  if (typeof body.model !== 'string' || !body.model) throw bad("Missing required parameter: 'model'.", 'model');
  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    throw bad("Invalid 'messages': empty array. Expected an array with minimum length 1.", 'messages');
  }
  body.messages.forEach((m, i) => {
    if (!isObj(m) || typeof m.role !== 'string') throw bad(`Missing required parameter: 'messages[${i}].role'.`, `messages[${i}].role`);
  });
  for (const k of ['max_tokens', 'max_completion_tokens'] as const) {
    const v = body[k];
    if (v !== undefined && v !== null && (!Number.isInteger(v) || (v as number) < 1)) {
      throw bad(`Invalid '${k}': integer below minimum value. Expected a value >= 1.`, k);
    }
  }
  if (body.stream_options != null && body.stream !== true) {
    throw bad("The 'stream_options' parameter is only allowed when 'stream' is enabled.", 'stream_options');
  }
}

function promptChars(body: Obj): number {
  let n = 0;
  for (const m of body.messages as Obj[]) {
    const c = m.content;
    if (typeof c === 'string') n += charCount(c);
    else if (Array.isArray(c)) for (const p of c) n += charCount(isObj(p) && p.type === 'text' && typeof p.text === 'string' ? p.text : JSON.stringify(p));
    if (Array.isArray(m.tool_calls)) n += charCount(JSON.stringify(m.tool_calls));
  }
  if (Array.isArray(body.tools)) for (const t of body.tools) n += charCount(JSON.stringify(t));
  return n;
}

/** OpenAI usage from the simulated counts, with Anthropic-style and raw overrides applied. */
export function openaiUsage(promptTokens: number, completionTokens: number, opts: GenerateOptions): OpenaiUsage {
  const o = opts.usage;
  let prompt = promptTokens;
  let cached = 0;
  let completion = completionTokens;
  if (o) {
    const writes =
      o.cache_creation_input_tokens ??
      (o.cache_creation ? (o.cache_creation.ephemeral_5m_input_tokens ?? 0) + (o.cache_creation.ephemeral_1h_input_tokens ?? 0) : 0);
    cached = o.cache_read_input_tokens ?? 0;
    if (o.input_tokens !== undefined || writes || cached) prompt = (o.input_tokens ?? promptTokens) + writes + cached;
    completion = o.output_tokens ?? completion;
  }
  const base: OpenaiUsage = {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: cached, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
  return { ...base, ...(opts.openaiUsage ?? {}) };
}

export interface OpenaiSimulation {
  completion: OpenaiCompletion;
  /** Chunks of the streamed form (usage chunk included only with include_usage). */
  chunks: OpenaiChunk[];
}

/** Simulates one `POST /v1/chat/completions` at time `now` (ms). Throws SimulatorError when invalid. */
export function simulateOpenai(body: unknown, state: SimState, now: number, opts: GenerateOptions = {}): OpenaiSimulation {
  validateOpenai(body);
  const model = body.model as string;
  const max = (body.max_completion_tokens ?? body.max_tokens ?? undefined) as number | undefined;
  const stops = typeof body.stop === 'string' ? [body.stop] : Array.isArray(body.stop) ? body.stop.filter((s): s is string => typeof s === 'string') : [];
  let lastUser = '';
  for (const m of body.messages as Obj[]) if (m.role === 'user') lastUser = contentText(m.content);
  const limited = applyLimits(opts.text ?? replyText(lastUser, opts.textChars), max, stops);
  const finish: OpenaiFinishReason = limited.reason === 'max_tokens' ? 'length' : 'stop';
  const usage = openaiUsage(estimateTokens(promptChars(body)), outputTokens(limited.text), opts);
  const id = `chatcmpl-${state.nextId()}`;
  const created = Math.floor(now / 1000);
  const fingerprint = 'fp_sim0000001';
  const completion: OpenaiCompletion = {
    id,
    object: 'chat.completion',
    created,
    model,
    choices: [{ index: 0, message: { role: 'assistant', content: limited.text, refusal: null }, logprobs: null, finish_reason: finish }],
    usage,
    system_fingerprint: fingerprint,
  };
  const includeUsage = isObj(body.stream_options) && body.stream_options.include_usage === true;
  const chunk = (choices: OpenaiChunk['choices'], u?: OpenaiUsage): OpenaiChunk => {
    const c: OpenaiChunk = { id, object: 'chat.completion.chunk', created, model, system_fingerprint: fingerprint, choices };
    if (includeUsage) c.usage = u ?? null;
    return c;
  };
  const chunks: OpenaiChunk[] = [chunk([{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }])];
  for (const piece of splitDeltas(limited.text)) chunks.push(chunk([{ index: 0, delta: { content: piece }, logprobs: null, finish_reason: null }]));
  chunks.push(chunk([{ index: 0, delta: {}, logprobs: null, finish_reason: finish }]));
  if (includeUsage) chunks.push(chunk([], usage));
  return { completion, chunks };
}
