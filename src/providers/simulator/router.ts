/**
 * Transport-independent routing: turns (method, path, headers, raw body) into a fully computed
 * SimResponse. The HTTP server writes it as is; the test fake upstream reshapes its delivery.
 *
 *   POST /v1/messages               Anthropic Messages (JSON or SSE)
 *   POST /v1/messages/count_tokens  Anthropic token count
 *   POST /v1/chat/completions       OpenAI Chat Completions (JSON or SSE)
 *   GET  /v1/models                 Anthropic shape when `anthropic-version` is sent, else OpenAI's
 *   GET  /healthz                   "ok"
 */
import { simulateAnthropic, simulateCountTokens } from './anthropic.ts';
import { SimulatorError, errorBodyFor, newRequestId, requestIdHeaders } from './errors.ts';
import { simulateOpenai } from './openai.ts';
import { OPENAI_DONE, SSE_HEADERS, anthropicFrame, openaiFrame } from './sse.ts';
import type { SimState } from './state.ts';
import type { GenerateOptions, SimResponse, Surface } from './types.ts';

/** Model ids listed by `GET /v1/models` unless configured otherwise (any id is accepted). */
export const DEFAULT_SIM_MODELS: readonly string[] = [
  'claude-sonnet-4-5-20250929',
  'claude-haiku-4-5-20251001',
  'claude-opus-4-1-20250805',
  'gpt-4o',
  'gpt-4o-mini',
];

export interface RouteOptions extends GenerateOptions {
  models?: readonly string[];
}

export interface RouteRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  /** Lower-cased header names. */
  headers: Record<string, string | string[] | undefined>;
  rawBody: string;
}

/** Which wire format a path speaks (decides error envelopes and SSE framing). */
export const surfaceOf = (path: string): Surface => (path.startsWith('/v1/chat/') ? 'openai' : 'anthropic');

/** Whether a JSON body asks for streaming. */
const wantsStream = (body: unknown): boolean => !!body && typeof body === 'object' && (body as { stream?: unknown }).stream === true;

function json(surface: Surface, status: number, rid: string, value: unknown): SimResponse {
  return {
    surface,
    status,
    headers: { 'content-type': 'application/json', ...requestIdHeaders(surface, rid) },
    body: JSON.stringify(value),
  };
}

function sse(surface: Surface, rid: string, frames: string[]): SimResponse {
  return { surface, status: 200, headers: { ...SSE_HEADERS, ...requestIdHeaders(surface, rid) }, frames };
}

/** The error response of a surface for a status (default type/message from the status). */
export function errorResponse(surface: Surface, status: number, message?: string, type?: string, param: string | null = null): SimResponse {
  const rid = newRequestId();
  return json(surface, status, rid, errorBodyFor(surface, status, rid, type, message, param));
}

function models(req: RouteRequest, ids: readonly string[], rid: string): SimResponse {
  if (req.headers['anthropic-version'] !== undefined) {
    const data = ids.map((id) => ({ id, type: 'model', display_name: `${id} (simulated)`, created_at: '2025-01-01T00:00:00Z' }));
    return json('anthropic', 200, rid, { data, has_more: false, first_id: ids[0] ?? null, last_id: ids[ids.length - 1] ?? null });
  }
  return json('openai', 200, rid, { object: 'list', data: ids.map((id) => ({ id, object: 'model', created: 1735689600, owned_by: 'tollgate-simulator' })) });
}

/**
 * Routes one request. Never throws: validation failures become error envelopes.
 * `now` is the injected clock reading (ms) used for cache TTLs and `created` stamps.
 */
export function routeSimulated(req: RouteRequest, state: SimState, now: number, opts: RouteOptions = {}): SimResponse {
  const surface = surfaceOf(req.path);
  const rid = newRequestId();
  if (req.method === 'GET' && req.path === '/healthz') {
    return { surface, status: 200, headers: { 'content-type': 'text/plain', ...requestIdHeaders(surface, rid) }, body: 'ok' };
  }
  if (req.method === 'GET' && req.path === '/v1/models') return models(req, opts.models ?? DEFAULT_SIM_MODELS, rid);
  const known = ['/v1/messages', '/v1/messages/count_tokens', '/v1/chat/completions'].includes(req.path);
  if (!known) return json(surface, 404, rid, errorBodyFor(surface, 404, rid, undefined, `Not found: ${req.method} ${req.path}`));
  if (req.method !== 'POST') return json(surface, 405, rid, errorBodyFor(surface, 405, rid, 'invalid_request_error', `Method ${req.method} not allowed`));
  let body: unknown;
  try {
    body = JSON.parse(req.rawBody);
  } catch {
    return json(surface, 400, rid, errorBodyFor(surface, 400, rid, 'invalid_request_error', 'There was an error parsing the body: invalid JSON'));
  }
  try {
    if (req.path === '/v1/messages/count_tokens') return json(surface, 200, rid, simulateCountTokens(body, opts));
    if (req.path === '/v1/messages') {
      const sim = simulateAnthropic(body, state, now, opts);
      return wantsStream(body) ? sse(surface, rid, sim.events.map(anthropicFrame)) : json(surface, 200, rid, sim.message);
    }
    const sim = simulateOpenai(body, state, now, opts);
    return wantsStream(body) ? sse(surface, rid, [...sim.chunks.map(openaiFrame), OPENAI_DONE]) : json(surface, 200, rid, sim.completion);
  } catch (e) {
    if (e instanceof SimulatorError) return json(surface, e.status, rid, errorBodyFor(surface, e.status, rid, e.type, e.message, e.param));
    throw e;
  }
}
