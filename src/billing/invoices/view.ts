/**
 * The outside views of an invoice or a draft: JSON (money as decimal strings — `total_usd`, and per
 * line `amount_usd`, rounded; `amount_exact_usd` before rounding) and CSV (one row per line, then
 * subtotal, tax and total rows).
 */
import { microToUsd, picoToUsd } from '../../core/money.ts';
import { centsToUsd, formatTaxRate } from './rounding.ts';
import { amountDue, type Draft, type InvoiceDoc, type Party } from './service.ts';

const iso = (ms: number | bigint | null) => (ms == null ? null : new Date(Number(ms)).toISOString());

export interface InvoiceView {
  number: string | null;
  kind: string;
  org_id: string;
  period: string;
  status: string;
  collection: string;
  issued_at: string | null;
  due_at: string | null;
  currency: string;
  issuer: Party;
  customer: Party;
  lines: Array<{
    line_no: number;
    kind: string;
    usage_month: string | null;
    model: string | null;
    token_kind: string | null;
    workspace_id: string | null;
    description: string;
    quantity: string;
    unit_price_usd_per_million: string;
    amount_exact_usd: string;
    amount_usd: string;
  }>;
  subtotal_exact_usd: string;
  subtotal_usd: string;
  tax_rate_percent: string;
  tax_usd: string;
  total_usd: string;
  credited_usd: string;
  amount_due_usd: string;
  paid_usd: string;
  /** Credit notes on a paid invoice: how the overpaid part went back (`stripe_refund` with the refund id, or `account_credit`). */
  settlement: { how: string; amount_usd: string; ref: string | null } | null;
  paid_at: string | null;
  paid_via: string | null;
  corrects: string | null;
  reason: string | null;
}

export function viewOfDoc(d: InvoiceDoc, correctsNumber: string | null = null): InvoiceView {
  const i = d.invoice;
  return {
    number: i.number,
    kind: i.kind,
    org_id: i.org_id,
    period: i.period,
    status: i.status,
    collection: i.collection,
    issued_at: iso(i.issued_at),
    due_at: iso(i.due_at),
    currency: i.currency,
    issuer: JSON.parse(i.issuer_json),
    customer: JSON.parse(i.customer_json),
    lines: d.lines.map((l) => ({
      line_no: Number(l.line_no),
      kind: l.kind,
      usage_month: l.usage_month,
      model: l.model,
      token_kind: l.token_kind,
      workspace_id: l.workspace_id,
      description: l.description,
      quantity: String(l.quantity),
      unit_price_usd_per_million: microToUsd(l.unit_price),
      amount_exact_usd: picoToUsd(l.amount_exact),
      amount_usd: centsToUsd(l.amount_cents),
    })),
    subtotal_exact_usd: picoToUsd(i.subtotal_exact),
    subtotal_usd: centsToUsd(i.subtotal_cents),
    tax_rate_percent: formatTaxRate(i.tax_rate_e4),
    tax_usd: centsToUsd(i.tax_cents),
    total_usd: centsToUsd(i.total_cents),
    credited_usd: centsToUsd(i.credited_cents),
    amount_due_usd: centsToUsd(i.kind === 'invoice' ? amountDue(i) : 0n),
    paid_usd: centsToUsd(i.kind === 'invoice' ? i.paid_cents : 0n),
    settlement: i.kind === 'credit_note' && i.paid_via ? { how: i.paid_via, amount_usd: centsToUsd(i.paid_cents), ref: i.payment_ref } : null,
    paid_at: iso(i.paid_at),
    paid_via: i.paid_via,
    corrects: correctsNumber,
    reason: i.reason,
  };
}

export function viewOfDraft(d: Draft): InvoiceView {
  return {
    number: null,
    kind: 'invoice',
    org_id: d.orgId,
    period: d.period,
    status: 'draft',
    collection: d.collection,
    issued_at: iso(d.issuedAt),
    due_at: iso(d.dueAt),
    currency: 'usd',
    issuer: d.issuer,
    customer: d.customer,
    lines: d.lines.map((l, i) => ({
      line_no: i + 1,
      kind: l.kind,
      usage_month: l.usageMonth,
      model: l.model,
      token_kind: l.tokenKind,
      workspace_id: l.workspaceId,
      description: l.description,
      quantity: String(l.quantity),
      unit_price_usd_per_million: microToUsd(l.unitPrice),
      amount_exact_usd: picoToUsd(l.amount),
      amount_usd: centsToUsd(l.cents),
    })),
    subtotal_exact_usd: picoToUsd(d.subtotalExact),
    subtotal_usd: centsToUsd(d.subtotalCents),
    tax_rate_percent: formatTaxRate(d.taxRateE4),
    tax_usd: centsToUsd(d.taxCents),
    total_usd: centsToUsd(d.totalCents),
    credited_usd: '0.00',
    amount_due_usd: centsToUsd(d.totalCents),
    paid_usd: '0.00',
    settlement: null,
    paid_at: null,
    paid_via: null,
    corrects: null,
    reason: null,
  };
}

const csvCell = (v: unknown) => {
  const s = v == null ? '' : String(v);
  // Quote when needed; a leading = + - @ is prefixed with ' so spreadsheets never run it as a formula.
  const safe = /^[=+\-@\t\r]/.test(s) && !/^-?\d/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};

export function invoiceCsv(v: InvoiceView): string {
  const head = [
    'invoice',
    'period',
    'line_no',
    'kind',
    'usage_month',
    'model',
    'token_kind',
    'workspace_id',
    'description',
    'quantity',
    'unit_price_usd_per_million',
    'amount_exact_usd',
    'amount_usd',
  ];
  const rows: unknown[][] = v.lines.map((l) => [
    v.number ?? 'DRAFT',
    v.period,
    l.line_no,
    l.kind,
    l.usage_month,
    l.model,
    l.token_kind,
    l.workspace_id,
    l.description,
    l.quantity,
    l.unit_price_usd_per_million,
    l.amount_exact_usd,
    l.amount_usd,
  ]);
  const tail = (kind: string, desc: string, exact: string, usd: string) => [v.number ?? 'DRAFT', v.period, '', kind, '', '', '', '', desc, '', '', exact, usd];
  rows.push(tail('subtotal', 'Subtotal', v.subtotal_exact_usd, v.subtotal_usd));
  rows.push(tail('tax', `Tax ${v.tax_rate_percent} %`, '', v.tax_usd));
  rows.push(tail('total', 'Total', '', v.total_usd));
  return [head, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}
