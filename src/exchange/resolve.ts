/** Model → (catalog entry, price, upstream pool), with the errors a customer should see for each miss. */
import type { Principal } from '../accounts/key-cache.ts';
import { clip, fail, type GatewayError } from '../core/errors.ts';
import type { ResolvedPrice } from '../pricing/price-book.ts';
import type { CatalogModel } from '../pricing/types.ts';
import type { PoolWalk } from '../providers/router.ts';
import type { UpstreamAdapter } from '../providers/types.ts';
import type { Runtime } from './runtime.ts';

export interface Target {
  model: CatalogModel;
  price: ResolvedPrice;
  adapter: UpstreamAdapter;
  walk: PoolWalk;
}

/** The price the customer pays, with what `adapter` costs the operator as its `list`. */
export function priceVia(rt: Runtime, model: CatalogModel, price: ResolvedPrice, adapter: UpstreamAdapter, now: number): ResolvedPrice {
  // What the upstream costs the operator: the `upstream:<name>` price group if one is set (a
  // negotiated discount), else list price.
  const cost = rt.prices().resolve(model.id, `upstream:${adapter.name}`, now);
  return cost && cost.prices !== price.list ? { ...price, list: cost.prices } : price;
}

export function resolveTarget(rt: Runtime, principal: Principal, name: string, now: number): Target {
  const shown = clip(name);
  const model = rt.models().resolve(name);
  if (!model) throw fail.model_not_found(`model: ${shown}`, { param: 'model' });
  const price = rt.prices().resolve(model.id, principal.org.priceGroup, now);
  if (!price) {
    throw fail.model_not_priced(
      `model: ${shown} has no price configured on this gateway, so it cannot be served. An operator can add one with \`tollgate prices import\`.`,
      { param: 'model' },
    );
  }
  if (!rt.router.serves(model)) throw fail.model_not_served(`model: ${shown} is not served by any configured upstream`, { param: 'model' });
  const walk = rt.router.attempts(model);
  const adapter = walk.first();
  if (!adapter) throw poolUnavailable(model.id, walk.retryAt(), now);
  // A model its provider has retired fails on the first-party API (and the simulator behaves the
  // same); upstreams of other kinds (clouds, routers) may still serve it.
  if (model.retiredOn !== undefined && now >= Date.parse(model.retiredOn) && (adapter.kind === 'anthropic' || adapter.kind === 'simulator')) {
    throw fail.model_retired(`model: ${shown} was retired on ${model.retiredOn} and is no longer served`, { param: 'model' });
  }
  return { model, price: priceVia(rt, model, price, adapter, now), adapter, walk };
}

/** Every upstream of the model's pool is resting (breaker open, or cooling down after a 429 / 529). */
export function poolUnavailable(modelId: string, retryAt: number | undefined, now: number): GatewayError {
  const secs = retryAt !== undefined && retryAt > now ? Math.max(1, Math.ceil((retryAt - now) / 1000)) : 1;
  return fail.upstreams_unavailable(`Every upstream serving ${clip(modelId)} is temporarily unavailable; retry shortly`, {
    headers: { 'retry-after': String(secs) },
  });
}
