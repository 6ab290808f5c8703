/** Anthropic Messages API upstream: `x-api-key`, `anthropic-version`, betas passed through. */
import { listsModel, mappedModel, poolFields } from '../matching.ts';
import type { Operation, UpstreamAdapter, UpstreamConfig, UpstreamQuirks } from '../types.ts';

export function anthropicAdapter(cfg: UpstreamConfig, index = 0): UpstreamAdapter {
  const url = new URL(cfg.baseUrl);
  const prefix = url.pathname.replace(/\/+$/, '').replace(/\/v1$/, '');
  const quirks: UpstreamQuirks = {};
  return {
    name: cfg.name,
    kind: cfg.kind,
    wire: 'anthropic',
    quirks,
    origin: url.origin,
    path: (op: Operation) => (op === 'count_tokens' ? `${prefix}/v1/messages/count_tokens` : `${prefix}/v1/messages`),
    headers(_op, client) {
      const h: Record<string, string> = {
        'content-type': 'application/json',
        'anthropic-version': typeof client['anthropic-version'] === 'string' ? client['anthropic-version'] : '2023-06-01',
      };
      if (cfg.apiKey) h['x-api-key'] = cfg.apiKey;
      const beta = client['anthropic-beta'];
      if (typeof beta === 'string' && beta) h['anthropic-beta'] = beta;
      return h;
    },
    ...poolFields(cfg, index),
    upstreamModel: (m) => mappedModel(cfg, m),
    serves: (m) => (cfg.models === '*' ? m.provider === 'anthropic' : listsModel(cfg.models, m)),
  };
}
