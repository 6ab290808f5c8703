/**
 * Validates the parts of a Chat Completions request the gateway relies on: an assertion into the
 * wire type of `src/wire/openai.ts` that checks the top level and each message's role; message
 * contents are checked where they are read (translate/, metering/).
 */
import { fail, invalidRequest } from '../../core/errors.ts';
import type { ChatCompletionRequest } from '../../wire/openai.ts';

/** A Chat Completions request body as checked: the wire type, plus whatever else the client sent. */
export type ChatRequestBody = ChatCompletionRequest & Record<string, unknown>;

export interface ChatShape {
  model: string;
  stream: boolean;
  includeUsage: boolean;
  /** max_completion_tokens ?? max_tokens, if given. */
  maxTokens: number | undefined;
}

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

const ROLES: readonly unknown[] = ['system', 'developer', 'user', 'assistant', 'tool', 'function'];

/** Throws a 400 in OpenAI's words unless `b` is a Chat Completions request. */
export function validateChatRequest(b: Record<string, unknown>): asserts b is ChatRequestBody {
  if (typeof b.model !== 'string' || !b.model) throw fail.missing_required_parameter('you must provide a model parameter', { param: 'model' });
  if (!Array.isArray(b.messages) || b.messages.length === 0) throw invalidRequest("'messages' must be a non-empty array", { param: 'messages' });
  for (const [i, m] of (b.messages as unknown[]).entries()) {
    if (typeof m !== 'object' || m === null || !('role' in m) || typeof m.role !== 'string')
      throw invalidRequest(`messages[${i}]: each message must be an object with a role`, { param: `messages[${i}].role` });
    if (!ROLES.includes(m.role)) throw invalidRequest(`messages[${i}].role: unsupported role ${JSON.stringify(m.role)}`, { param: `messages[${i}].role` });
  }
  if (b.stream !== undefined && b.stream !== null && typeof b.stream !== 'boolean') throw invalidRequest("'stream' must be a boolean", { param: 'stream' });
  for (const k of ['max_tokens', 'max_completion_tokens'] as const) {
    if (b[k] !== undefined && b[k] !== null && (!isInt(b[k]) || (b[k] as number) < 1)) throw invalidRequest(`'${k}' must be a positive integer`, { param: k });
  }
  if (b.stream_options != null && (typeof b.stream_options !== 'object' || Array.isArray(b.stream_options)))
    throw invalidRequest("'stream_options' must be an object", { param: 'stream_options' });
}

/** What the gateway takes from a checked request: model, stream, usage chunk asked for, output ceiling. */
export function chatShape(b: ChatRequestBody): ChatShape {
  return {
    model: b.model,
    stream: b.stream === true,
    includeUsage: b.stream_options?.include_usage === true,
    maxTokens: b.max_completion_tokens ?? b.max_tokens ?? undefined,
  };
}
