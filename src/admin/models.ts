/**
 * Admin API — models and prices: the reseller's storefront (docs/accounts.md).
 *   GET orgs/{org}/models → ModelPriceList: every model the org can call (priced, with an upstream)
 *   at the org's own price (its price group), beside the list price and the discount.
 */
import type { ModelPriceList, ModelPriceView, PriceView } from '../accounts/api-types.ts';
import { microToUsd } from '../core/money.ts';
import type { PriceVector } from '../pricing/types.ts';
import { dbOf, sendJson } from './respond.ts';
import type { AdminContext, AdminRoute } from './types.ts';

const view = (p: PriceVector): PriceView => ({
  input: microToUsd(p.input),
  output: microToUsd(p.output),
  cache_write_5m: microToUsd(p.cache_write_5m),
  cache_write_1h: microToUsd(p.cache_write_1h),
  cache_read: microToUsd(p.cache_read),
});

/** Basis points below list, from the input price (the output price would give the same for a group discount). */
function discountBps(list: PriceVector, yours: PriceVector): number {
  const base = list.input > 0n ? 'input' : 'output';
  if (list[base] === 0n) return 0;
  return Number(((list[base] - yours[base]) * 10_000n) / list[base]);
}

async function models(c: AdminContext) {
  c.req.resume();
  const { rt } = c;
  const now = rt.clock.now();
  const org = await dbOf(rt).selectFrom('orgs').select(['price_group']).where('id', '=', c.params.org!).executeTakeFirstOrThrow();
  const book = rt.prices();
  const out: ModelPriceView[] = [];
  for (const m of rt.models().all) {
    const yours = book.resolve(m.id, org.price_group, now);
    const list = book.list(m.id, now);
    if (!yours || !list || !rt.router.route(m)) continue;
    out.push({
      id: m.id,
      display_name: m.displayName ?? m.id,
      provider: m.provider,
      rate_class: m.rateClass,
      context_window: m.contextWindow ?? null,
      list: view(list.prices),
      yours: view(yours.prices),
      discount_bps: discountBps(list.prices, yours.prices),
    });
  }
  const body: ModelPriceList = { org_id: c.params.org!, price_group: org.price_group, models: out };
  sendJson(c.res, c.requestId, 200, body);
}

export const modelRoutes: AdminRoute[] = [{ method: 'GET', pattern: 'orgs/:org/models', permission: 'org:read', handler: models }];
