/**
 * Usage page: what a finance person needs to recompute and audit the cost of a range, per model —
 * cache writes by TTL (5 minutes / 1 hour are priced differently), server-tool uses, and the
 * requests billed on estimated usage, at a bound because the upstream's usage could not be believed
 * (anomalies), or answered by the simulator (never revenue), with their cost (docs/billing.md).
 */
import type { UsageResponse, UsageRow } from '../../../src/admin/api-types.ts';
import { h } from '../dom.ts';
import { int, usd } from '../format.ts';
import { section, table } from '../ui.ts';

type Row = UsageRow & { model?: string };

/** "3 · $0.12" for a count with its cost; "—" for none. */
const counted = (n: number, cost: string) => (n ? h('span', {}, int(n), h('span', { class: 'muted' }, ` · ${usd(cost)}`)) : '—');

export function billingDetail(r: UsageResponse): HTMLElement {
  const total: Row = { ...r, model: 'Total' };
  return section(
    'Billing detail',
    table<Row>({
      testid: 'usage-billing-detail',
      rows: r.by_model,
      footer: total,
      empty: 'No usage in this range.',
      columns: [
        { label: 'Model', value: (x) => (x === total ? 'Total' : h('code', {}, x.model ?? '')) },
        // Cache writes by TTL (tokens), server-tool uses, then requests · their cost.
        { label: 'Cache 5m', num: true, value: (x) => int(x.cache_write_5m_input_tokens) },
        { label: 'Cache 1h', num: true, value: (x) => int(x.cache_write_1h_input_tokens) },
        { label: 'Searches', num: true, value: (x) => int(x.web_search_requests) },
        { label: 'Fetches', num: true, value: (x) => int(x.web_fetch_requests) },
        { label: 'Code exec.', num: true, value: (x) => int(x.code_execution_requests) },
        { label: 'Estimated', num: true, value: (x) => counted(x.estimated_requests, x.estimated_cost_usd) },
        { label: 'Anomalies', num: true, value: (x) => counted(x.anomaly_requests, x.anomaly_cost_usd) },
        { label: 'Simulated', num: true, value: (x) => counted(x.simulated_requests, x.simulated_cost_usd) },
      ],
    }),
  );
}
