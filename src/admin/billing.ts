/**
 * Admin API — payments and invoices (the console's Billing page; issue 11's accounts wire it in).
 *   GET  orgs/{org}/billing                      mode, card on file, suspension, profile, contacts, recent payments
 *   POST orgs/{org}/checkout   {amount_usd}      Stripe Checkout for a top-up → {id, url}; without Stripe: a manual
 *                                                purchase awaiting the operator's approval → {payment_id, status}
 *   POST orgs/{org}/card                         Stripe Checkout (setup mode) that saves a card → {id, url}
 *   GET  orgs/{org}/invoices                     the org's invoices and credit notes
 *   GET  orgs/{org}/invoices/{number}            JSON; `{number}.pdf` / `{number}.csv` download the document
 *   POST orgs/{org}/invoices/{number}/checkout   pay an open invoice by card (Checkout) → {id, url}
 *   PUT  orgs/{org}/billing/profile              operator: {legal_name?, address?, tax_id?, tax_rate_percent?, net_days?, per_workspace?}
 *   POST orgs/{org}/billing/contacts             {email, name?} (operator or the org)
 *   POST orgs/{org}/billing/contacts/{id}/remove
 *   POST payments/{id}/approve | payments/{id}/reject   operator: manual purchases
 *   POST invoices/{number}/pay                   operator: mark paid
 */
import { z } from 'zod';
import { ManualProvider } from '../billing/payments.ts';
import { cardView, PaymentStore } from '../billing/payments/store.ts';
import { centsToUsd, formatTaxRate, parseTaxRate } from '../billing/invoices/rounding.ts';
import { amountDue, type InvoiceRow } from '../billing/invoices/service.ts';
import { invoiceCsv, viewOfDoc } from '../billing/invoices/view.ts';
import { billingOf } from '../billing/context.ts';
import { fail, invalidRequest, notFound, permissionError } from '../core/errors.ts';
import { picoToUsd, usdToPico } from '../core/money.ts';
import { dbOf, iso, readJsonBody, sendJson, usdAmount } from './respond.ts';
import type { AdminContext, AdminRoute } from './types.ts';
import type { BillingResponse, InvoiceListRow } from './api-types.ts';
import { recordAudit } from '../audit/log.ts';

/** Audit row for a payment the caller started (a Checkout session or a manual purchase). */
const auditStart = (c: AdminContext, action: string, targetId: string, after: Record<string, unknown>) =>
  recordAudit(dbOf(c.rt), c.caller.actor, c.rt.clock.now(), { orgId: c.params.org!, action, targetType: 'payment', targetId, after });

const listRow = (i: InvoiceRow): InvoiceListRow => ({
  number: i.number,
  kind: i.kind,
  period: i.period,
  status: i.status,
  collection: i.collection,
  issued_at: iso(Number(i.issued_at)),
  due_at: iso(Number(i.due_at)),
  total_usd: centsToUsd(i.total_cents),
  amount_due_usd: centsToUsd(i.kind === 'invoice' ? amountDue(i) : 0n),
});

async function orgName(c: AdminContext) {
  const o = await dbOf(c.rt).selectFrom('orgs').select(['id', 'name']).where('id', '=', c.params.org!).executeTakeFirstOrThrow();
  return { id: o.id, name: o.name };
}

async function getBilling(c: AdminContext) {
  const db = dbOf(c.rt);
  const b = billingOf(c.rt);
  const orgId = c.params.org!;
  const org = await db.selectFrom('orgs').select(['billing_mode']).where('id', '=', orgId).executeTakeFirstOrThrow();
  const [profile, contacts, customer, hold, payments] = await Promise.all([
    b.invoices.profiles.get(orgId),
    b.invoices.profiles.contacts(orgId),
    db.selectFrom('payment_customers').selectAll().where('org_id', '=', orgId).executeTakeFirst(),
    db.selectFrom('billing_holds').selectAll().where('org_id', '=', orgId).executeTakeFirst(),
    new PaymentStore(db, c.rt.clock).list(orgId),
  ]);
  sendJson(c.res, c.requestId, 200, {
    org_id: orgId,
    billing_mode: org.billing_mode,
    billing_mode_pending: await b.modes.pending(orgId),
    stripe: !!b.stripe,
    card: cardView(customer),
    topup_limits: { min_usd: c.rt.config.stripe.minTopupUsd, max_usd: c.rt.config.stripe.maxTopupUsd },
    suspended: hold ? { reason: hold.reason, since: iso(Number(hold.since)) } : null,
    profile: {
      legal_name: profile.legalName,
      address: profile.address,
      tax_id: profile.taxId,
      tax_rate_percent: formatTaxRate(profile.taxRateE4),
      net_days: profile.netDays ?? c.rt.config.billing.netDays,
      per_workspace: profile.perWorkspace,
    },
    contacts: contacts.map((x) => ({ id: x.id, email: x.email, name: x.name })),
    payments: payments.slice(0, 50).map((p) => ({
      id: p.id,
      provider: p.provider,
      purpose: p.purpose,
      amount_usd: picoToUsd(p.amount),
      status: p.status,
      created_at: iso(Number(p.created_at)),
      failure: p.failure_message,
    })),
  } satisfies BillingResponse);
}

const Checkout = z.strictObject({ amount_usd: usdAmount });

async function checkout(c: AdminContext) {
  const body = await readJsonBody(c.req, Checkout);
  const b = billingOf(c.rt);
  const amount = usdToPico(String(body.amount_usd));
  if (b.stripe) {
    const link = await b.stripe.topupCheckout(await orgName(c), amount);
    await auditStart(c, 'payment.checkout', link.payment_id, { checkout_session: link.id, amount_usd: picoToUsd(amount) });
    sendJson(c.res, c.requestId, 201, { id: link.id, url: link.url });
    return;
  }
  const r = await new ManualProvider(dbOf(c.rt), c.rt.clock).purchase({
    orgId: c.params.org!,
    amount,
    ref: `manual:${c.params.org}:${c.requestId}`,
    note: c.caller.kind === 'operator' ? 'requested by the operator' : 'requested in the console',
  });
  await auditStart(c, 'payment.request', r.paymentId ?? '', { status: r.status, amount_usd: picoToUsd(amount) });
  sendJson(c.res, c.requestId, 202, { payment_id: r.paymentId, status: r.status });
}

async function cardSetup(c: AdminContext) {
  c.req.resume();
  const b = billingOf(c.rt);
  if (!b.stripe) throw fail.stripe_not_configured('card payments are not configured on this gateway');
  const link = await b.stripe.setupCheckout(await orgName(c));
  await auditStart(c, 'payment.card_setup', link.payment_id, { checkout_session: link.id });
  sendJson(c.res, c.requestId, 201, { id: link.id, url: link.url });
}

async function listInvoices(c: AdminContext) {
  const rows = await billingOf(c.rt).invoices.list(c.params.org!);
  sendJson(c.res, c.requestId, 200, { org_id: c.params.org, invoices: rows.map(listRow) });
}

async function docOf(c: AdminContext, number: string) {
  const b = billingOf(c.rt);
  const doc = await b.invoices.get(number).catch(() => null);
  if (!doc || doc.invoice.org_id !== c.params.org) throw notFound(`invoice ${number} not found`);
  const corrects = doc.invoice.corrects_id ? ((await b.invoices.row(doc.invoice.corrects_id))?.number ?? null) : null;
  return viewOfDoc(doc, corrects);
}

async function getInvoice(c: AdminContext) {
  const raw = c.params.number!;
  const m = /^(.*)\.(pdf|csv)$/.exec(raw);
  const v = await docOf(c, m ? m[1]! : raw);
  if (!m) {
    sendJson(c.res, c.requestId, 200, v);
    return;
  }
  // pdfkit is loaded on the first download only (it is large; most requests never need it).
  const body = m[2] === 'pdf' ? await (await import('../billing/invoices/pdf.ts')).renderInvoicePdf(v) : Buffer.from(invoiceCsv(v));
  c.res.writeHead(200, {
    'content-type': m[2] === 'pdf' ? 'application/pdf' : 'text/csv; charset=utf-8',
    'content-length': String(body.length),
    'content-disposition': `attachment; filename="${v.number}.${m[2]}"`,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'x-request-id': c.requestId,
  });
  c.res.end(body);
}

async function payInvoiceByCard(c: AdminContext) {
  c.req.resume();
  const b = billingOf(c.rt);
  if (!b.stripe) throw fail.stripe_not_configured('card payments are not configured on this gateway');
  const v = await docOf(c, c.params.number!);
  const { invoice } = await b.invoices.get(v.number!);
  if (invoice.kind !== 'invoice' || invoice.status !== 'open') throw invalidRequest(`invoice ${v.number} is not open`);
  const link = await b.stripe.invoiceCheckout(await orgName(c), { id: invoice.id, number: invoice.number, dueCents: amountDue(invoice) });
  await auditStart(c, 'invoice.checkout', link.id, { checkout_session: link.id, invoice: invoice.number, amount_due_usd: centsToUsd(amountDue(invoice)) });
  sendJson(c.res, c.requestId, 201, { id: link.id, url: link.url });
}

const Profile = z.strictObject({
  legal_name: z.string().trim().max(200).nullable().optional(),
  address: z.string().max(500).nullable().optional(),
  tax_id: z.string().trim().max(100).nullable().optional(),
  tax_rate_percent: z
    .string()
    .regex(/^\d{1,3}(\.\d{1,4})?$/, 'a percentage like "19" or "8.875"')
    .optional(),
  net_days: z.number().int().min(0).max(365).nullable().optional(),
  per_workspace: z.boolean().optional(),
});

async function putProfile(c: AdminContext) {
  const body = await readJsonBody(c.req, Profile);
  let rate: bigint | undefined;
  try {
    rate = body.tax_rate_percent === undefined ? undefined : parseTaxRate(body.tax_rate_percent);
  } catch (e) {
    throw invalidRequest(`invalid body: tax_rate_percent: ${(e as Error).message}`);
  }
  const p = await billingOf(c.rt).invoices.profiles.set(
    c.params.org!,
    { legalName: body.legal_name, address: body.address, taxId: body.tax_id, taxRateE4: rate, netDays: body.net_days, perWorkspace: body.per_workspace },
    c.caller.actor,
  );
  sendJson(c.res, c.requestId, 200, {
    legal_name: p.legalName,
    address: p.address,
    tax_id: p.taxId,
    tax_rate_percent: formatTaxRate(p.taxRateE4),
    net_days: p.netDays,
    per_workspace: p.perWorkspace,
  });
}

const ContactBody = z.strictObject({ email: z.string().max(254), name: z.string().max(200).optional() });

async function addContact(c: AdminContext) {
  const body = await readJsonBody(c.req, ContactBody);
  const x = await billingOf(c.rt).invoices.profiles.addContact(c.params.org!, body.email, body.name, c.caller.actor);
  sendJson(c.res, c.requestId, 201, { id: x.id, email: x.email, name: x.name });
}

async function removeContact(c: AdminContext) {
  c.req.resume();
  const x = await billingOf(c.rt).invoices.profiles.removeContact(c.params.org!, c.params.contact!, c.caller.actor);
  sendJson(c.res, c.requestId, 200, { id: x.id, email: x.email, removed: true });
}

async function decide(c: AdminContext, approve: boolean) {
  c.req.resume();
  const m = new ManualProvider(dbOf(c.rt), c.rt.clock);
  const p = approve ? await m.approve(c.params.payment!, c.caller.actor) : await m.reject(c.params.payment!, null, c.caller.actor);
  sendJson(c.res, c.requestId, 200, { id: p.id, org_id: p.org_id, status: p.status, amount_usd: picoToUsd(p.amount) });
}

async function payInvoice(c: AdminContext) {
  if (c.caller.kind !== 'operator') throw permissionError('this endpoint needs the operator admin token');
  c.req.resume();
  const i = await billingOf(c.rt).invoices.pay(c.params.number!, 'admin API', c.caller.actor);
  sendJson(c.res, c.requestId, 200, { org_id: i.org_id, ...listRow(i) });
}

export const billingRoutes: AdminRoute[] = [
  { method: 'GET', pattern: 'orgs/:org/billing', permission: 'billing:read', handler: getBilling },
  { method: 'POST', pattern: 'orgs/:org/checkout', permission: 'billing:pay', handler: checkout },
  { method: 'POST', pattern: 'orgs/:org/card', permission: 'billing:pay', handler: cardSetup },
  { method: 'GET', pattern: 'orgs/:org/invoices', permission: 'billing:read', handler: listInvoices },
  { method: 'GET', pattern: 'orgs/:org/invoices/:number', permission: 'billing:read', handler: getInvoice },
  { method: 'POST', pattern: 'orgs/:org/invoices/:number/checkout', permission: 'billing:pay', handler: payInvoiceByCard },
  { method: 'PUT', pattern: 'orgs/:org/billing/profile', permission: 'billing:manage', handler: putProfile },
  { method: 'POST', pattern: 'orgs/:org/billing/contacts', permission: 'billing:pay', handler: addContact },
  { method: 'POST', pattern: 'orgs/:org/billing/contacts/:contact/remove', permission: 'billing:pay', handler: removeContact },
  { method: 'POST', pattern: 'payments/:payment/approve', permission: 'billing:manage', handler: (c) => decide(c, true) },
  { method: 'POST', pattern: 'payments/:payment/reject', permission: 'billing:manage', handler: (c) => decide(c, false) },
  { method: 'POST', pattern: 'invoices/:number/pay', permission: 'billing:manage', handler: payInvoice },
];
