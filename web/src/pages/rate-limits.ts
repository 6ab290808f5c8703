/**
 * Rate limits: the organization's usage tier, its limits per model class (requests, input and
 * output tokens per minute), what is left right now, and what the next tier needs.
 */
import type { RateClassView, RateLimitsView } from '../../../src/accounts/api-types.ts';
import { api, orgPath } from '../api.ts';
import type { Ctx } from '../ctx.ts';
import { h, replace } from '../dom.ts';
import { int, usd, usdShort } from '../format.ts';
import { badge, guarded, loading, progress, section, stat, table } from '../ui.ts';

function left(remaining: number, limit: number, what: string) {
  const pct = limit > 0 ? (remaining / limit) * 100 : 0;
  return h(
    'div',
    { class: 'used' },
    progress(100 - pct, `${what}: ${int(remaining)} of ${int(limit)} left`),
    h('span', { class: 'used-label' }, `${int(remaining)} / ${int(limit)}`),
  );
}

/** "Tier 2", or "2 · Scale" when the tier has a name of its own. */
const tierLabel = (n: number, name: string) => (name.trim().toLowerCase() === `tier ${n}` ? name : `${n} · ${name}`);

export function renderRateLimits(root: HTMLElement, ctx: Ctx): void {
  const orgId = ctx.orgId!;
  const body = h('div', { class: 'stack' }, loading());
  root.append(h('div', { class: 'toolbar' }, h('h1', {}, 'Rate limits')), body);
  void guarded(body, async () => {
    const r = await api<RateLimitsView>(orgPath(orgId, '/rate-limits'));
    const n = r.next_tier;
    replace(
      body,
      h(
        'div',
        { class: 'stats' },
        stat('Usage tier', tierLabel(r.tier, r.tier_name), r.tier_pinned ? 'set by the operator' : 'rises with total spend'),
        stat('Total spend', usdShort(r.total_spend_usd), 'decides the tier', usd(r.total_spend_usd)),
        stat('Monthly ceiling', r.monthly_spend_cap_usd === null ? 'none' : usdShort(r.monthly_spend_cap_usd), 'of this tier'),
        stat(
          'Next tier',
          n ? tierLabel(n.tier, n.name) : '—',
          n ? `after ${usdShort(n.spend_needed_usd)} more spend` : r.tier_pinned ? 'the tier is pinned' : 'this is the top tier',
        ),
      ),
      h(
        'p',
        { class: 'lede' },
        'Limits are per minute and per model class. A request over a limit gets 429 with retry-after; "left" is what this gateway instance has right now.',
      ),
      section(
        'Limits per model class',
        table<RateClassView>({
          testid: 'rate-limits-table',
          rows: r.classes,
          empty: 'No rate limits apply.',
          columns: [
            { label: 'Class', value: (c) => h('span', {}, h('code', {}, c.rate_class), c.custom ? badge('custom', 'info') : null) },
            { label: 'Requests / min', num: true, value: (c) => int(c.limits.rpm) },
            { label: 'Input tokens / min', num: true, value: (c) => int(c.limits.input_tpm) },
            { label: 'Output tokens / min', num: true, value: (c) => int(c.limits.output_tpm) },
            { label: 'Requests left', class: 'progress-cell', value: (c) => left(c.remaining.requests, c.limits.rpm, `${c.rate_class} requests`) },
            {
              label: 'Input tokens left',
              class: 'progress-cell',
              value: (c) => left(c.remaining.input_tokens, c.limits.input_tpm, `${c.rate_class} input tokens`),
            },
          ],
        }),
      ),
      n
        ? section(
            `Next: ${tierLabel(n.tier, n.name)}`,
            h('p', {}, `Reached at ${usd(n.min_spend_usd)} of total spend — ${usd(n.spend_needed_usd)} from now. Its limits:`),
            table({
              testid: 'next-tier-table',
              rows: n.classes,
              columns: [
                { label: 'Class', value: (c) => h('code', {}, c.rate_class) },
                { label: 'Requests / min', num: true, value: (c) => int(c.rpm) },
                { label: 'Input tokens / min', num: true, value: (c) => int(c.input_tpm) },
                { label: 'Output tokens / min', num: true, value: (c) => int(c.output_tpm) },
              ],
            }),
          )
        : null,
    );
  });
}
