/**
 * Models & prices: every model this organization can call, at its own price per million tokens,
 * with the list price and the discount beside it — the reseller's storefront.
 */
import type { ModelPriceList, ModelPriceView } from '../../../src/accounts/api-types.ts';
import { api, orgPath } from '../api.ts';
import type { Ctx } from '../ctx.ts';
import { h, replace } from '../dom.ts';
import { compact, usd } from '../format.ts';
import { badge, guarded, input, loading, section, table } from '../ui.ts';

/** 2000 basis points → "20% off"; negative → a markup. */
export function discountLabel(bps: number): string {
  if (bps === 0) return 'list price';
  const pct = `${Math.abs(bps) / 100}%`;
  return bps > 0 ? `${pct} off` : `${pct} above list`;
}

export function renderModels(root: HTMLElement, ctx: Ctx): void {
  const orgId = ctx.orgId!;
  const body = h('div', {}, loading());
  const filter = input('filter', { type: 'search', placeholder: 'claude, gpt, …' });
  let all: ModelPriceView[] = [];
  filter.addEventListener('input', () => draw());
  root.append(
    h(
      'div',
      { class: 'toolbar' },
      h('h1', {}, 'Models & prices'),
      h('label', { class: 'field inline' }, h('span', { class: 'field-label' }, 'Filter'), filter),
    ),
    h('p', { class: 'lede' }, 'What each model costs this organization, in USD per million tokens, next to the list price.'),
    section('Models', body),
  );
  void load();

  async function load() {
    await guarded(body, async () => {
      const list = await api<ModelPriceList>(orgPath(orgId, '/models'));
      all = list.models;
      draw();
    });
  }

  function draw() {
    const q = filter.value.trim().toLowerCase();
    const rows = all.filter((m) => !q || m.id.toLowerCase().includes(q) || m.display_name.toLowerCase().includes(q) || m.provider.toLowerCase().includes(q));
    const price = (yours: string, list: string) =>
      h('span', {}, usd(yours), yours !== list ? h('s', { class: 'muted list-price', 'aria-label': `list price ${usd(list)}` }, usd(list)) : null);
    replace(
      body,
      table<ModelPriceView>({
        testid: 'models-table',
        rows,
        empty: q ? 'No model matches that filter.' : 'No models are priced for this organization yet. Ask the operator to add prices.',
        columns: [
          { label: 'Model', value: (m) => h('span', {}, h('code', {}, m.id), h('span', { class: 'hint block' }, m.display_name)) },
          { label: 'Provider', value: (m) => m.provider },
          { label: 'Context', num: true, value: (m) => (m.context_window ? compact(m.context_window) : '—') },
          { label: 'Input', num: true, class: 'money', value: (m) => price(m.yours.input, m.list.input) },
          { label: 'Output', num: true, class: 'money', value: (m) => price(m.yours.output, m.list.output) },
          { label: 'Cache write', num: true, class: 'money', value: (m) => price(m.yours.cache_write_5m, m.list.cache_write_5m) },
          { label: 'Cache read', num: true, class: 'money', value: (m) => price(m.yours.cache_read, m.list.cache_read) },
          { label: 'Discount', value: (m) => badge(discountLabel(m.discount_bps), m.discount_bps > 0 ? 'ok' : m.discount_bps < 0 ? 'warn' : 'muted') },
        ],
      }),
    );
  }
}
