/**
 * Runs a surface's option gate for a routed request: the allow-lists (built once per config) and
 * what the model is priced for on this gateway (variant rows, data-residency geos).
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Config } from '../../config/config.ts';
import type { ResolvedPrice } from '../../pricing/price-book.ts';
import type { CatalogModel } from '../../pricing/types.ts';
import { buildAllowLists, type AllowLists } from './allow-lists.ts';
import { betasOf, checkAnthropicOptions } from './anthropic-options.ts';
import { checkOpenaiOptions } from './openai-options.ts';
import type { ModelOptions, PremiumRequest } from './premium.ts';

const cache = new WeakMap<Config, AllowLists>();
export function allowListsOf(config: Config): AllowLists {
  let l = cache.get(config);
  if (!l) cache.set(config, (l = buildAllowLists(config.requestOptions)));
  return l;
}

export function modelOptions(model: CatalogModel, price: ResolvedPrice): ModelOptions {
  const tiers: ('priority' | 'flex')[] = [];
  if (price.variants?.priority) tiers.push('priority');
  if (price.variants?.flex) tiers.push('flex');
  return { id: model.id, fast: price.variants?.fast !== undefined, geos: model.inferenceGeos ?? [], tiers };
}

export function gateAnthropic(config: Config, headers: IncomingHttpHeaders, body: Record<string, unknown>, model: CatalogModel, price: ResolvedPrice): PremiumRequest {
  return checkAnthropicOptions(body, betasOf(headers), allowListsOf(config), modelOptions(model, price));
}

export function gateOpenai(config: Config, body: Record<string, unknown>, model: CatalogModel, price: ResolvedPrice): PremiumRequest {
  return checkOpenaiOptions(body, allowListsOf(config), modelOptions(model, price));
}
