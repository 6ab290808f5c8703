/**
 * OpenAI and OpenAI-compatible upstreams (base URL includes `/v1` or the vendor's prefix).
 * Vendor quirks are data: see KNOWN_QUIRKS.
 */
import { listsModel, mappedModel, poolFields } from '../matching.ts';
import type { Operation, UpstreamAdapter, UpstreamConfig, UpstreamQuirks } from '../types.ts';

/** Quirks of OpenAI-compatible servers (sources: https://platform.openai.com/docs/api-reference/chat §5). */
export const KNOWN_QUIRKS: Record<string, UpstreamQuirks> = {
  openai: {},
  deepseek: { noDeveloperRole: true },
  deepinfra: { noDeveloperRole: true },
  groq: {},
  openrouter: {},
  together: {},
  ollama: { forceIncludeUsage: true, useMaxTokensField: true },
  vllm: { forceIncludeUsage: true },
  llamacpp: { forceIncludeUsage: true, useMaxTokensField: true },
  'openai-compatible': { useMaxTokensField: true },
  simulator: {},
};

const PROVIDER_OF_KIND: Record<string, string> = { simulator: '*', openai: 'openai', deepseek: 'deepseek', groq: 'groq', openrouter: '*', together: '*' };

export function openaiAdapter(cfg: UpstreamConfig, index = 0): UpstreamAdapter {
  const url = new URL(cfg.baseUrl);
  const prefix = url.pathname.replace(/\/+$/, '');
  const quirks = KNOWN_QUIRKS[cfg.kind] ?? KNOWN_QUIRKS['openai-compatible']!;
  return {
    name: cfg.name,
    kind: cfg.kind,
    wire: 'openai',
    quirks: { forceIncludeUsage: true, ...quirks },
    origin: url.origin,
    path: (_op: Operation) => `${prefix}/chat/completions`,
    headers() {
      const h: Record<string, string> = { 'content-type': 'application/json' };
      if (cfg.apiKey) h.authorization = `Bearer ${cfg.apiKey}`;
      return h;
    },
    ...poolFields(cfg, index),
    upstreamModel: (m) => mappedModel(cfg, m),
    serves: (m) => {
      if (cfg.models !== '*') return listsModel(cfg.models, m);
      const p = PROVIDER_OF_KIND[cfg.kind];
      return p === '*' || p === m.provider;
    },
  };
}
