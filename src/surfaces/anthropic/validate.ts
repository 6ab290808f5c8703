/**
 * Validates the parts of a Messages request the gateway relies on (model, max_tokens, messages,
 * stream, system, tools). Everything else passes through to the upstream, which validates it too.
 * The validators are assertions into the wire types of `src/wire/anthropic.ts`: they check the
 * top level and each message's role and content; the blocks inside are checked where they are
 * read (translate/, metering/), which treat them as possibly malformed.
 */
import { invalidRequest } from '../../core/errors.ts';
import type { AnthropicMessagesRequest } from '../../wire/anthropic.ts';

/** A Messages request body as checked: the wire type, plus whatever else the client sent. */
export type MessagesRequestBody = AnthropicMessagesRequest & Record<string, unknown>;
/** A count_tokens body: a Messages request without `max_tokens`. */
export type CountTokensRequestBody = Omit<AnthropicMessagesRequest, 'max_tokens'> & { max_tokens?: number } & Record<string, unknown>;

export interface MessagesShape {
  model: string;
  maxTokens: number;
  stream: boolean;
  /** Whether any block asks for caching, and the longest TTL asked for. */
  cacheTtl: '5m' | '1h' | null;
}

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** Throws a 400 in Anthropic's words unless `b` is a Messages request. */
export function validateMessagesRequest(b: Record<string, unknown>): asserts b is MessagesRequestBody {
  check(b, false);
}

/** Throws a 400 in Anthropic's words unless `b` is a count_tokens request. */
export function validateCountTokensRequest(b: Record<string, unknown>): asserts b is CountTokensRequestBody {
  check(b, true);
}

function check(b: Record<string, unknown>, countTokens: boolean): void {
  if (typeof b.model !== 'string' || !b.model) throw invalidRequest('model: Field required', { param: 'model' });
  if (!countTokens) {
    if (b.max_tokens === undefined) throw invalidRequest('max_tokens: Field required', { param: 'max_tokens' });
    if (!isInt(b.max_tokens) || b.max_tokens < 0) throw invalidRequest('max_tokens: Input should be a non-negative integer', { param: 'max_tokens' });
  }
  if (b.stream !== undefined && typeof b.stream !== 'boolean') throw invalidRequest('stream: Input should be a valid boolean', { param: 'stream' });
  if (b.max_tokens === 0 && b.stream === true) throw invalidRequest('max_tokens: 0 is not allowed with stream: true', { param: 'max_tokens' });
  if (!Array.isArray(b.messages)) throw invalidRequest('messages: Field required (an array of messages)', { param: 'messages' });
  for (const [i, m] of (b.messages as unknown[]).entries()) {
    if (!isObject(m)) throw invalidRequest(`messages.${i}: Input should be an object`, { param: `messages.${i}` });
    if (m.role !== 'user' && m.role !== 'assistant')
      throw invalidRequest(`messages.${i}.role: Input should be 'user' or 'assistant'`, { param: `messages.${i}.role` });
    if (typeof m.content !== 'string' && !Array.isArray(m.content))
      throw invalidRequest(`messages.${i}.content: Input should be a string or an array of content blocks`, { param: `messages.${i}.content` });
  }
  if (b.system !== undefined && typeof b.system !== 'string' && !Array.isArray(b.system))
    throw invalidRequest('system: Input should be a string or an array of text blocks', { param: 'system' });
  if (b.tools !== undefined && !Array.isArray(b.tools)) throw invalidRequest('tools: Input should be an array', { param: 'tools' });
  for (const k of ['temperature', 'top_p', 'top_k'] as const) {
    if (b[k] !== undefined && typeof b[k] !== 'number') throw invalidRequest(`${k}: Input should be a number`, { param: k });
  }
}

/** What the gateway takes from a checked request: model, output ceiling, stream, cache TTL. */
export function messagesShape(b: MessagesRequestBody | CountTokensRequestBody): MessagesShape {
  return { model: b.model, maxTokens: isInt(b.max_tokens) ? b.max_tokens : 0, stream: b.stream === true, cacheTtl: findCacheTtl(b) };
}

/** Scans for `cache_control` (top level, system, tools, message blocks); returns the longest TTL. */
export function findCacheTtl(b: object): '5m' | '1h' | null {
  let ttl: '5m' | '1h' | null = null;
  const see = (cc: unknown) => {
    if (!isObject(cc)) return;
    if (cc.ttl === '1h') ttl = '1h';
    else if (!ttl) ttl = '5m';
  };
  const blocks = (arr: unknown) => {
    if (Array.isArray(arr)) for (const x of arr) if (isObject(x)) see(x.cache_control);
  };
  const body = b as Record<string, unknown>;
  see(body.cache_control);
  blocks(body.system);
  blocks(body.tools);
  if (Array.isArray(body.messages)) for (const m of body.messages) if (isObject(m)) blocks(m.content);
  return ttl;
}
