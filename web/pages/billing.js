/**
 * Billing tab: the credit balance (credits in − usage), the ledger history newest first
 * (purchases, grants, adjustments, expiries and each day's usage debit), and — for the
 * operator only — a form to grant or record purchased credits.
 */
import { api, orgPath } from '../api.js';
import { h, replace } from '../dom.js';
import { dateTime, signedUsd, usd, usdShort } from '../format.js';
import { badge, field, guarded, loading, notice, section, stat, table } from '../ui.js';

const PAGE = 50;
const KIND = { purchase: 'ok', grant: 'ok', refund: 'ok', adjustment: 'info', expiry: 'muted', usage: 'usage' };

export function renderBilling(root, ctx) {
  const body = h('div', { class: 'stack' }, loading());
  root.append(h('div', { class: 'toolbar' }, h('h1', {}, 'Billing')), body);
  load();

  async function load() {
    await guarded(body, async () => {
      const c = await api(orgPath(ctx.orgId, '/credits'));
      replace(body,
        h('div', { class: 'stats' },
          stat('Balance', usdShort(c.balance_usd), Number(c.balance_usd) <= 0 ? 'requests are refused until credits are added' : 'available for requests', usd(c.balance_usd)),
          stat('Credits added', usdShort(c.credits_usd), 'purchases, grants and adjustments, less expiries', usd(c.credits_usd)),
          stat('Usage to date', usdShort(c.usage_usd), 'all metered requests', usd(c.usage_usd))),
        ctx.operator ? addCredits(load) : null,
        history(c.history));
    });
  }

  function addCredits(reload) {
    const kind = h('select', { name: 'kind' }, [['purchase', 'Purchase'], ['grant', 'Grant (free)'], ['adjustment', 'Adjustment (±)']].map(([v, t]) => h('option', { value: v }, t)));
    const amount = h('input', { name: 'amount', type: 'text', inputmode: 'decimal', placeholder: '25.00', required: true, autocomplete: 'off' });
    const note = h('input', { name: 'note', type: 'text', maxlength: 500, placeholder: 'optional', autocomplete: 'off' });
    const days = h('input', { name: 'expires', type: 'number', min: 1, max: 3650, placeholder: 'never', autocomplete: 'off' });
    const status = h('div', {});
    const submit = h('button', { type: 'submit', class: 'primary' }, 'Add');
    const form = h('form', { class: 'inline-form', on: { submit: async (e) => {
      e.preventDefault();
      submit.disabled = true;
      try {
        const body = { kind: kind.value, amount_usd: amount.value.trim().replace(/^\$/, '') };
        if (note.value.trim()) body.note = note.value.trim();
        if (days.value) body.expires_in_days = Number(days.value);
        await api(orgPath(ctx.orgId, '/credits'), { method: 'POST', body });
        await reload();
      } catch (err) {
        replace(status, notice(err.message));
        submit.disabled = false;
      }
    } } }, field('Type', kind), field('Amount (USD)', amount), field('Expires in (days)', days), field('Note', note), submit);
    return section('Add credits (operator)', form, status);
  }
}

function history(rows) {
  const newest = [...rows].reverse();
  const wrap = h('div', {});
  let shown = PAGE;
  const draw = () => replace(wrap,
    table({
      testid: 'ledger-table', rows: newest.slice(0, shown), empty: 'No ledger entries yet.',
      columns: [
        { label: 'Date', value: (r) => (r.kind === 'usage' ? r.at.slice(0, 10) : dateTime(r.at)) },
        { label: 'Type', value: (r) => badge(r.kind, KIND[r.kind] ?? '') },
        { label: 'Amount', num: true, class: 'money', value: (r) => h('span', { class: r.amount_usd.startsWith('-') ? 'neg' : 'pos' }, signedUsd(r.amount_usd)) },
        { label: 'Note', value: (r) => (r.note ?? '').replace(/^1 requests$/, '1 request') },
        { label: 'Expires', value: (r) => (r.expires_at ? dateTime(r.expires_at) : '') },
      ],
    }),
    newest.length > shown ? h('button', { type: 'button', class: 'ghost', on: { click: () => { shown += PAGE; draw(); } } }, `Show more (${newest.length - shown} older)`) : null);
  draw();
  return section('Credit history', wrap);
}
