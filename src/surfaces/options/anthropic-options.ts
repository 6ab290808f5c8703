/**
 * The Anthropic surface's option gate: body fields, `anthropic-beta` values and tool types must be
 * on the allow-lists, and every price-changing option must be one this gateway prices exactly for
 * the model. Anything else is a 400 naming the option — never forwarded silently.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { toolFamily, type AllowLists } from './allow-lists.ts';
import { standardRequest, unsupportedOption, type ModelOptions, type PremiumRequest } from './premium.ts';

/** Hold bounds for server tools that do not state their own (`max_uses`, `max_content_tokens`). */
export const DEFAULT_WEB_SEARCH_USES = 20;
export const DEFAULT_WEB_FETCH_USES = 10;
export const DEFAULT_WEB_FETCH_TOKENS = 100_000;

/** `anthropic-beta` values of a request (comma-separated, possibly repeated headers). */
export function betasOf(headers: IncomingHttpHeaders): string[] {
  const raw = headers['anthropic-beta'];
  const all = Array.isArray(raw) ? raw.join(',') : (raw ?? '');
  return all
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const typeOf = (t: unknown): unknown => (isObject(t) ? t.type : undefined);
const posInt = (v: unknown): number | undefined => (typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : undefined);

export function checkAnthropicOptions(body: Record<string, unknown>, betas: readonly string[], lists: AllowLists, model: ModelOptions): PremiumRequest {
  for (const k of Object.keys(body)) {
    if (!lists.anthropicFields.has(k))
      throw unsupportedOption(
        k,
        'this request field is not supported by this gateway (it may change what the request costs); remove it or ask the operator to allow it',
      );
  }
  for (const b of betas) {
    if (!lists.anthropicBetas.has(b))
      throw unsupportedOption(`anthropic-beta: ${b}`, 'this beta is not supported by this gateway; remove it or ask the operator to allow it');
  }
  const out = standardRequest();

  if (body.speed !== undefined && body.speed !== null && body.speed !== 'standard') {
    if (body.speed !== 'fast') throw unsupportedOption('speed', `${JSON.stringify(body.speed)} is not a supported speed`);
    if (!model.fast) throw unsupportedOption('speed', `fast mode is not available for ${model.id} on this gateway`);
    out.fast = true;
  }
  if (body.inference_geo !== undefined && body.inference_geo !== null && body.inference_geo !== 'global') {
    const geo = body.inference_geo;
    if (typeof geo !== 'string' || !model.geos.includes(geo))
      throw unsupportedOption('inference_geo', `${JSON.stringify(geo)} is not available for ${model.id} on this gateway`);
    out.geo = geo;
  }
  if (body.service_tier !== undefined && body.service_tier !== null && body.service_tier !== 'auto' && body.service_tier !== 'standard_only') {
    throw unsupportedOption('service_tier', `${JSON.stringify(body.service_tier)} is not supported (use "auto" or "standard_only")`);
  }

  if (Array.isArray(body.tools)) {
    const families = body.tools.map((t) => toolFamily(typeOf(t)));
    const types = body.tools.map(typeOf);
    // Code execution is free only together with the 20260209+ web tools (Anthropic pricing, "Code execution").
    const freeCodeExec = types.some((t) => typeof t === 'string' && /^(web_search|web_fetch)_(\d{8})$/.test(t) && t.slice(-8) >= '20260209');
    for (let i = 0; i < body.tools.length; i++) {
      const tool: unknown = body.tools[i];
      const opt = (k: string) => (isObject(tool) ? posInt(tool[k]) : undefined);
      const family = families[i]!;
      const type = types[i];
      const allowed = lists.anthropicToolTypes.has(family) || (typeof type === 'string' && lists.anthropicToolTypes.has(type));
      if (family === 'code_execution' && freeCodeExec) continue;
      if (!allowed) {
        const why =
          family === 'code_execution'
            ? 'code execution bills container hours the response does not report, so it is only accepted together with web_search/web_fetch 20260209 or later (where it is free)'
            : 'this tool type is not supported by this gateway (it may change what the request costs); ask the operator to allow it';
        throw unsupportedOption(`tools.${i}.type: ${String(type)}`, why);
      }
      if (family === 'web_search') out.webSearches += opt('max_uses') ?? DEFAULT_WEB_SEARCH_USES;
      if (family === 'web_fetch')
        out.serverToolInputTokens += (opt('max_uses') ?? DEFAULT_WEB_FETCH_USES) * (opt('max_content_tokens') ?? DEFAULT_WEB_FETCH_TOKENS);
    }
  }
  return out;
}
