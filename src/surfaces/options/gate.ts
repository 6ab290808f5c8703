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
import { unsupportedOption, type ModelOptions, type PremiumRequest } from './premium.ts';
import { inspectInput } from '../../metering/estimate.ts';
import { longContextBand } from '../../pricing/variants.ts';

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

export function gateAnthropic(
  config: Config,
  headers: IncomingHttpHeaders,
  body: Record<string, unknown>,
  model: CatalogModel,
  price: ResolvedPrice,
): PremiumRequest {
  return checkAnthropicOptions(body, betasOf(headers), allowListsOf(config), modelOptions(model, price));
}

export function gateOpenai(config: Config, body: Record<string, unknown>, model: CatalogModel, price: ResolvedPrice): PremiumRequest {
  const out = checkOpenaiOptions(body, allowListsOf(config), modelOptions(model, price));
  // OpenAI's priority prices exclude long context (openai.com/api-priority-processing): no price
  // exists for a priority request whose prompt crosses the model's band, so it is refused here.
  const band = longContextBand(price, model);
  if (out.serviceTier === 'priority' && band !== undefined) {
    const tokens = inspectInput(body as Parameters<typeof inspectInput>[0], model.provider === 'anthropic' ? 'claude' : 'openai').tokens;
    if (tokens > band)
      throw unsupportedOption(
        'service_tier',
        `"priority" is not priced for prompts above ${band} tokens on ${model.id} (this prompt is about ${tokens}); OpenAI's priority prices exclude long context. Use the default tier or a shorter prompt`,
      );
  }
  return out;
}
