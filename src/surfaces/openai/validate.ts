/** Validates the parts of a Chat Completions request the gateway relies on. */
import { fail, invalidRequest } from '../../core/errors.ts';

export interface ChatShape {
  model: string;
  stream: boolean;
  includeUsage: boolean;
  /** max_completion_tokens ?? max_tokens, if given. */
  maxTokens: number | undefined;
}

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

export function validateChatRequest(b: Record<string, unknown>): ChatShape {
  if (typeof b.model !== 'string' || !b.model) throw fail.missing_required_parameter('you must provide a model parameter', { param: 'model' });
  if (!Array.isArray(b.messages) || b.messages.length === 0) throw invalidRequest("'messages' must be a non-empty array", { param: 'messages' });
  for (let i = 0; i < b.messages.length; i++) {
    const m = b.messages[i] as any;
    if (!m || typeof m !== 'object' || typeof m.role !== 'string') throw invalidRequest(`messages[${i}]: each message must be an object with a role`, { param: `messages[${i}].role` });
    if (!['system', 'developer', 'user', 'assistant', 'tool', 'function'].includes(m.role)) throw invalidRequest(`messages[${i}].role: unsupported role ${JSON.stringify(m.role)}`, { param: `messages[${i}].role` });
  }
  if (b.stream !== undefined && b.stream !== null && typeof b.stream !== 'boolean') throw invalidRequest("'stream' must be a boolean", { param: 'stream' });
  for (const k of ['max_tokens', 'max_completion_tokens'] as const) {
    if (b[k] !== undefined && b[k] !== null && (!isInt(b[k]) || (b[k] as number) < 1)) throw invalidRequest(`'${k}' must be a positive integer`, { param: k });
  }
  if (b.stream_options != null && (typeof b.stream_options !== 'object' || Array.isArray(b.stream_options))) throw invalidRequest("'stream_options' must be an object", { param: 'stream_options' });
  const so = b.stream_options as { include_usage?: unknown } | undefined | null;
  const mt = (b.max_completion_tokens ?? b.max_tokens) as number | undefined | null;
  return { model: b.model, stream: b.stream === true, includeUsage: so?.include_usage === true, maxTokens: mt ?? undefined };
}
