/**
 * Billing tab: the credit balance (credits in − usage); Buy credits (a Stripe Checkout redirect,
 * or without Stripe a purchase request the operator approves); the card on file (saved through
 * Checkout in setup mode); invoices and statements to download (PDF, CSV) or pay by card; the
 * ledger history newest first; and — for the operator only — a form to grant or record credits.
 */
import type { BillingResponse, CheckoutResponse, CreditsResponse, InvoiceList, InvoiceListRow, LedgerRow } from '../../../src/admin/api-types.ts';
import { api, fetchBlob, orgPath } from '../api.ts';
import type { Ctx } from '../ctx.ts';
import { h, replace } from '../dom.ts';
import { dateTime, signedUsd, usd, usdShort } from '../format.ts';
import { badge, field, guarded, loading, notice, section, stat, table, messageOf } from '../ui.ts';

const PAGE = 50;
const KIND: Record<string, string> = { purchase: 'ok', grant: 'ok', refund: 'ok', adjustment: 'info', expiry: 'muted', usage: 'usage' };

export function renderBilling(root: HTMLElement, ctx: Ctx): void {
  const orgId = ctx.orgId!;
  const body = h('div', { class: 'stack' }, loading());
  root.append(h('div', { class: 'toolbar' }, h('h1', {}, 'Billing')), body);
  void load();

  async function load() {
    await guarded(body, async () => {
      const [c, b, inv] = await Promise.all([
        api<CreditsResponse>(orgPath(orgId, '/credits')),
        api<BillingResponse>(orgPath(orgId, '/billing')),
        api<InvoiceList>(orgPath(orgId, '/invoices')),
      ]);
      replace(
        body,
        b.billing_mode_pending
          ? notice(
              `Billing switches from ${b.billing_mode_pending.from} to ${b.billing_mode_pending.to} on ${dateTime(b.billing_mode_pending.effective_at)}; usage until then is billed as ${b.billing_mode_pending.from}.`,
              'info',
            )
          : null,
        b.suspended
          ? notice(`API access is suspended for non-payment (${b.suspended.reason.replace(/_/g, ' ')}). Pay the open invoice or save a new card to restore it.`)
          : null,
        h(
          'div',
          { class: 'stats' },
          b.billing_mode === 'prepaid'
            ? stat(
                'Balance',
                usdShort(c.balance_usd),
                Number(c.balance_usd) <= 0 ? 'requests are refused until credits are added' : 'available for requests',
                usd(c.balance_usd),
              )
            : stat(
                'Billing',
                b.billing_mode === 'card' ? 'Card, monthly' : 'Invoice, monthly',
                b.billing_mode === 'card' ? 'usage is charged to the card on file at month close' : 'usage is invoiced at month close',
              ),
          stat('Credits added', usdShort(c.credits_usd), 'purchases, grants and adjustments, less expiries', usd(c.credits_usd)),
          stat('Usage to date', usdShort(c.usage_usd), 'all metered requests', usd(c.usage_usd)),
        ),
        b.billing_mode === 'prepaid' ? buyCredits(b) : null,
        card(b),
        invoices(inv.invoices, b),
        ctx.can('credits:grant') ? addCredits(load) : null,
        history(c.history),
      );
    });
  }

  function buyCredits(b: BillingResponse) {
    const amount = h('input', { name: 'amount', type: 'text', inputmode: 'decimal', placeholder: '25.00', required: true, autocomplete: 'off' });
    const status = h('div', {});
    const submit = h('button', { type: 'submit', class: 'primary' }, b.stripe ? 'Buy with card' : 'Request credits');
    const form = h(
      'form',
      {
        class: 'inline-form',
        'data-testid': 'buy-credits',
        on: {
          submit: async (e) => {
            e.preventDefault();
            submit.disabled = true;
            try {
              const r = await api<CheckoutResponse>(orgPath(orgId, '/checkout'), {
                method: 'POST',
                body: { amount_usd: amount.value.trim().replace(/^\$/, '') },
              });
              if (r.url) {
                location.assign(r.url);
                return;
              }
              replace(status, notice(`Purchase ${r.payment_id} is waiting for the operator's approval.`, 'info'));
            } catch (err) {
              replace(status, notice(messageOf(err)));
            }
            submit.disabled = false;
          },
        },
      },
      field('Amount (USD)', amount, `$${b.topup_limits.min_usd} – $${b.topup_limits.max_usd}`),
      submit,
    );
    return section('Buy credits', form, status);
  }

  function card(b: BillingResponse) {
    const status = h('div', {});
    const c = b.card;
    const text = c ? `${c.brand} •••• ${c.last4}${c.exp ? ` (expires ${c.exp})` : ''}` : 'No card on file.';
    const save = b.stripe
      ? h(
          'button',
          {
            type: 'button',
            class: c ? 'ghost' : 'primary',
            on: {
              click: async () => {
                try {
                  location.assign((await api<CheckoutResponse>(orgPath(orgId, '/card'), { method: 'POST' })).url!);
                } catch (err) {
                  replace(status, notice(messageOf(err)));
                }
              },
            },
          },
          c ? 'Replace card' : 'Add a card',
        )
      : null;
    return section(
      'Card on file',
      h('p', { 'data-testid': 'card-on-file' }, text, c?.status === 'failed' ? h('span', { class: 'badge warn' }, ' declined — auto-reload paused') : null),
      save,
      status,
    );
  }

  function invoices(rows: InvoiceListRow[], b: BillingResponse) {
    const status = h('div', {});
    const download = async (number: string, ext: 'pdf' | 'csv') => {
      try {
        const url = URL.createObjectURL(await fetchBlob(orgPath(orgId, `/invoices/${encodeURIComponent(number)}.${ext}`)));
        const a = h('a', { href: url, download: `${number}.${ext}` });
        document.body.append(a);
        a.click();
        a.remove();
        setTimeout(() => URL.revokeObjectURL(url), 10_000);
      } catch (err) {
        replace(status, notice(messageOf(err)));
      }
    };
    const payByCard = async (number: string) => {
      try {
        location.assign((await api<CheckoutResponse>(orgPath(orgId, `/invoices/${encodeURIComponent(number)}/checkout`), { method: 'POST' })).url!);
      } catch (err) {
        replace(status, notice(messageOf(err)));
      }
    };
    return section(
      'Invoices and statements',
      table<InvoiceListRow>({
        testid: 'invoices-table',
        rows,
        empty:
          b.billing_mode === 'prepaid'
            ? 'Prepaid orgs get no invoices: usage is paid from credits.'
            : 'No invoice yet: the first one comes when this month closes.',
        columns: [
          { label: 'Number', value: (r) => r.number },
          { label: 'Period', value: (r) => r.period },
          { label: 'Issued', value: (r) => (r.issued_at ?? '').slice(0, 10) },
          { label: 'Status', value: (r) => badge(r.status, r.status === 'paid' ? 'ok' : r.status === 'open' ? 'warn' : 'muted') },
          { label: 'Total', num: true, class: 'money', value: (r) => usd(r.total_usd) },
          { label: 'Due', num: true, class: 'money', value: (r) => usd(r.amount_due_usd) },
          {
            label: 'Actions',
            value: (r) => [
              h('button', { type: 'button', class: 'ghost small', on: { click: () => download(r.number, 'pdf') } }, 'PDF'),
              h('button', { type: 'button', class: 'ghost small', on: { click: () => download(r.number, 'csv') } }, 'CSV'),
              b.stripe && r.status === 'open' && r.kind === 'invoice'
                ? h('button', { type: 'button', class: 'primary small', on: { click: () => payByCard(r.number) } }, 'Pay by card')
                : null,
            ],
          },
        ],
      }),
      status,
    );
  }

  function addCredits(reload: () => Promise<void>) {
    const kind = h(
      'select',
      { name: 'kind' },
      [
        ['purchase', 'Purchase'],
        ['grant', 'Grant (free)'],
        ['adjustment', 'Adjustment (±)'],
      ].map(([v, t]) => h('option', { value: v }, t)),
    );
    const amount = h('input', { name: 'amount', type: 'text', inputmode: 'decimal', placeholder: '25.00', required: true, autocomplete: 'off' });
    const note = h('input', { name: 'note', type: 'text', maxlength: 500, placeholder: 'optional', autocomplete: 'off' });
    const days = h('input', { name: 'expires', type: 'number', min: 1, max: 3650, placeholder: 'never', autocomplete: 'off' });
    const status = h('div', {});
    const submit = h('button', { type: 'submit', class: 'primary' }, 'Add');
    const form = h(
      'form',
      {
        class: 'inline-form',
        on: {
          submit: async (e) => {
            e.preventDefault();
            submit.disabled = true;
            try {
              const body: Record<string, unknown> = { kind: kind.value, amount_usd: amount.value.trim().replace(/^\$/, '') };
              if (note.value.trim()) body.note = note.value.trim();
              if (days.value) body.expires_in_days = Number(days.value);
              await api(orgPath(orgId, '/credits'), { method: 'POST', body });
              await reload();
            } catch (err) {
              replace(status, notice(messageOf(err)));
              submit.disabled = false;
            }
          },
        },
      },
      field('Type', kind),
      field('Amount (USD)', amount),
      field('Expires in (days)', days),
      field('Note', note),
      submit,
    );
    return section('Add credits (operator)', form, status);
  }
}

function history(rows: LedgerRow[]) {
  const newest = [...rows].reverse();
  const wrap = h('div', {});
  let shown = PAGE;
  const draw = () =>
    replace(
      wrap,
      table<LedgerRow>({
        testid: 'ledger-table',
        rows: newest.slice(0, shown),
        empty: 'No ledger entries yet.',
        columns: [
          { label: 'Date', value: (r) => (r.kind === 'usage' ? r.at.slice(0, 10) : dateTime(r.at)) },
          { label: 'Type', value: (r) => badge(r.kind, KIND[r.kind] ?? '') },
          {
            label: 'Amount',
            num: true,
            class: 'money',
            value: (r) => h('span', { class: r.amount_usd.startsWith('-') ? 'neg' : 'pos' }, signedUsd(r.amount_usd)),
          },
          { label: 'Note', value: (r) => (r.note ?? '').replace(/^1 requests$/, '1 request') },
          { label: 'Expires', value: (r) => (r.expires_at ? dateTime(r.expires_at) : '') },
        ],
      }),
      newest.length > shown
        ? h(
            'button',
            {
              type: 'button',
              class: 'ghost',
              on: {
                click: () => {
                  shown += PAGE;
                  draw();
                },
              },
            },
            `Show more (${newest.length - shown} older)`,
          )
        : null,
    );
  draw();
  return section('Credit history', wrap);
}
