/**
 * Validates the parts of a Messages request the gateway relies on (model, max_tokens, messages,
 * stream, system, tools). Everything else passes through to the upstream, which validates it too.
 */
import { invalidRequest } from '../../core/errors.ts';

export interface MessagesShape {
  model: string;
  maxTokens: number;
  stream: boolean;
  /** Whether any block asks for caching, and the longest TTL asked for. */
  cacheTtl: '5m' | '1h' | null;
}

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

export function validateMessagesRequest(b: Record<string, unknown>, opts: { countTokens?: boolean } = {}): MessagesShape {
  if (typeof b.model !== 'string' || !b.model) throw invalidRequest('model: Field required', { param: 'model' });
  if (!opts.countTokens) {
    if (b.max_tokens === undefined) throw invalidRequest('max_tokens: Field required', { param: 'max_tokens' });
    if (!isInt(b.max_tokens) || b.max_tokens < 0) throw invalidRequest('max_tokens: Input should be a non-negative integer', { param: 'max_tokens' });
  }
  if (b.stream !== undefined && typeof b.stream !== 'boolean') throw invalidRequest('stream: Input should be a valid boolean', { param: 'stream' });
  if (b.max_tokens === 0 && b.stream === true) throw invalidRequest('max_tokens: 0 is not allowed with stream: true', { param: 'max_tokens' });
  if (!Array.isArray(b.messages)) throw invalidRequest('messages: Field required (an array of messages)', { param: 'messages' });
  for (let i = 0; i < b.messages.length; i++) {
    const m = b.messages[i] as any;
    if (!m || typeof m !== 'object') throw invalidRequest(`messages.${i}: Input should be an object`, { param: `messages.${i}` });
    if (m.role !== 'user' && m.role !== 'assistant') throw invalidRequest(`messages.${i}.role: Input should be 'user' or 'assistant'`, { param: `messages.${i}.role` });
    if (typeof m.content !== 'string' && !Array.isArray(m.content)) throw invalidRequest(`messages.${i}.content: Input should be a string or an array of content blocks`, { param: `messages.${i}.content` });
  }
  if (b.system !== undefined && typeof b.system !== 'string' && !Array.isArray(b.system)) throw invalidRequest('system: Input should be a string or an array of text blocks', { param: 'system' });
  if (b.tools !== undefined && !Array.isArray(b.tools)) throw invalidRequest('tools: Input should be an array', { param: 'tools' });
  for (const k of ['temperature', 'top_p', 'top_k'] as const) {
    if (b[k] !== undefined && typeof b[k] !== 'number') throw invalidRequest(`${k}: Input should be a number`, { param: k });
  }
  return { model: b.model, maxTokens: isInt(b.max_tokens) ? b.max_tokens : 0, stream: b.stream === true, cacheTtl: findCacheTtl(b) };
}

/** Scans for `cache_control` (top level, system, tools, message blocks); returns the longest TTL. */
export function findCacheTtl(b: Record<string, unknown>): '5m' | '1h' | null {
  let ttl: '5m' | '1h' | null = null;
  const see = (cc: any) => {
    if (!cc || typeof cc !== 'object') return;
    if (cc.ttl === '1h') ttl = '1h';
    else if (!ttl) ttl = '5m';
  };
  see(b.cache_control);
  const blocks = (arr: unknown) => { if (Array.isArray(arr)) for (const x of arr) if (x && typeof x === 'object') see((x as any).cache_control); };
  blocks(b.system);
  blocks(b.tools);
  if (Array.isArray(b.messages)) for (const m of b.messages as any[]) if (m && Array.isArray(m.content)) blocks(m.content);
  return ttl;
}
