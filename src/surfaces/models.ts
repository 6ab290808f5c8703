/**
 * `GET /v1/models` and `GET /v1/models/{id}`, in Anthropic's shape when the caller sends
 * `anthropic-version` (the Anthropic SDK always does), else OpenAI's. Lists what the key may use:
 * priced models with an upstream, with their prices (USD per million tokens).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { authenticateInference } from '../http/authenticate.ts';
import { clip, fail } from '../core/errors.ts';
import { microToUsd } from '../core/money.ts';
import type { CatalogModel } from '../pricing/types.ts';
import type { Runtime } from '../exchange/runtime.ts';

export async function handleModels(rt: Runtime, req: IncomingMessage, res: ServerResponse, requestId: string, id?: string): Promise<void> {
  const now = rt.clock.now();
  const principal = await authenticateInference(rt, req, res, now);
  const anthropic = typeof req.headers['anthropic-version'] === 'string';
  const book = rt.prices();
  const entry = (m: CatalogModel) => {
    const p = book.resolve(m.id, principal.org.priceGroup, now);
    if (!p || !rt.router.route(m)) return undefined;
    const pricing = Object.fromEntries(Object.entries(p.prices).map(([k, v]) => [k, microToUsd(v)]));
    const created = m.created ?? 0;
    return anthropic
      ? {
          type: 'model',
          id: m.id,
          display_name: m.displayName ?? m.id,
          created_at: new Date(created * 1000).toISOString(),
          max_input_tokens: m.contextWindow ?? null,
          max_tokens: m.maxOutputTokens ?? null,
          pricing: { unit: 'USD per million tokens', ...pricing },
        }
      : {
          id: m.id,
          object: 'model',
          created,
          owned_by: m.provider,
          pricing: { unit: 'USD per million tokens', ...pricing },
          context_window: m.contextWindow ?? null,
        };
  };
  const reqHeader = anthropic ? 'request-id' : 'x-request-id';
  let body: unknown;
  if (id) {
    let name = id;
    try {
      name = decodeURIComponent(id);
    } catch {
      /* a malformed escape: no such model */
    }
    const m = rt.models().resolve(name);
    const e = m && entry(m);
    if (!e) throw fail.model_not_found(`model: ${clip(id)}`);
    body = e;
  } else {
    const data = rt
      .models()
      .all.map(entry)
      .filter((e) => e !== null && e !== undefined);
    body = anthropic ? { data, has_more: false, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null } : { object: 'list', data };
  }
  const out = JSON.stringify(body);
  res.writeHead(200, { 'content-type': 'application/json', [reqHeader]: requestId, 'content-length': String(Buffer.byteLength(out)) }).end(out);
}
