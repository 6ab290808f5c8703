/**
 * Money coming back on invoices, through the official `stripe` SDK against the fake Stripe API
 * and webhooks signed by the SDK: a refund (partial or full) or a dispute of an invoice's card
 * payment reopens the invoice — partially paid, or unpaid — exactly once per refund or dispute id
 * in any delivery order, with its status history kept and its content unchanged; a failed refund
 * and a won dispute settle it again. Credit notes on a paid invoice give the overpaid part back:
 * a Stripe refund (idempotency key = the credit note's id) when it was paid by card, account
 * credit that the next invoice uses when it was paid by transfer. Only USD: events in another
 * currency are acknowledged, ignored, and reported to the operator.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/core/clock.ts';
import { picoToUsd, usdToPico } from '../../src/core/money.ts';
import { centsToUsd } from '../../src/billing/invoices/rounding.ts';
import { refundNote } from '../../src/billing/credit-notes.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { startFakeStripe, stripeEnv, type FakeStripe } from '../support/fake-stripe.ts';
import { insertEvents } from '../support/usage-events.ts';
import { saveCard, sendAll } from '../support/billing.ts';
import { viewOfDoc } from '../../src/billing/invoices/view.ts';

const clock = new ManualClock(Date.UTC(2026, 4, 20, 12));
let fake: FakeStripe;
let tg: TestGateway;

before(async () => {
  fake = await startFakeStripe();
  tg = await startTestGateway({ clock, env: { ...stripeEnv(fake), TOLLGATE_AUTO_CLOSE_AFTER_MIN: '0', TOLLGATE_OPERATOR_ALERT_EMAIL: 'ops@tollgate.test' } });
});
after(async () => {
  await tg?.close();
  await fake?.close();
});

/** A post-paid org with 400 usage events in May 2026. */
async function postpaidOrg(mode: 'card' | 'invoice', name: string, seed: number) {
  const c = await tg.customer({ name, credits: '0' });
  await tg.accounts.updateOrg(c.orgId, { billingMode: mode });
  await tg.gw.billing.invoices.profiles.addContact(c.orgId, `ap@${seed}.test`);
  await insertEvents(tg, c.orgId, 400, (i) => Date.UTC(2026, 4, 2) + i * 60_000, { workspaces: [c.workspaceId], keyId: c.keyId, seed, discounted: '' });
  return { ...c, org: { id: c.orgId, name } };
}
async function closeMay(orgId: string) {
  clock.set(Date.UTC(2026, 5, 1, 1));
  const [r] = await tg.gw.billing.closeMonth('2026-05', orgId);
  return (await tg.gw.billing.invoices.row(r!.invoice!.id))!;
}
/** The invoice as `invoices show --json` prints it (in-process: the CLI's own view). */
const shown = async (_tg: TestGateway, number: string) => JSON.parse(JSON.stringify(viewOfDoc(await tg.gw.billing.invoices.get(number))));
/** What a finalised invoice says (never changes), without its payment state. */
const content = (v: any) => ({
  number: v.number,
  lines: v.lines,
  subtotal: v.subtotal_exact_usd,
  tax: v.tax_usd,
  total: v.total_usd,
  issued: v.issued_at,
  due: v.due_at,
  customer: v.customer,
});
const history = async (invoiceId: string) =>
  (
    await tg.gw.store.db
      .selectFrom('invoice_status_history')
      .select(['from_status', 'to_status', 'via'])
      .where('invoice_id', '=', invoiceId)
      .orderBy('seq')
      .execute()
  ).map((h) => `${h.from_status}→${h.to_status}`);
const chargeOfOrg = (orgId: string) =>
  [...fake.intents.values()].find((p) => p.metadata?.tollgate_org_id === orgId && p.status === 'succeeded')!.latest_charge as string;
async function payByCheckout(c: { org: { id: string; name: string } }, invoiceId: string) {
  const inv = (await tg.gw.billing.invoices.row(invoiceId))!;
  const due = inv.total_cents - inv.credited_cents - inv.paid_cents;
  const link = await tg.gw.billing.stripe!.invoiceCheckout(c.org, { id: inv.id, number: inv.number, dueCents: due });
  const events = fake.completeCheckout(link.id);
  await sendAll(tg, clock, events);
  return (events[0]!.data.object as any).id as string;
}

test('a refund of a paid card statement reopens it: partial → that much due again, full → unpaid; once per refund, any order; content unchanged', async () => {
  const c = await postpaidOrg('card', 'Refund Co', 31);
  await saveCard(tg, clock, fake, c.org);
  const inv = await closeMay(c.orgId);
  assert.equal(inv.status, 'paid', 'charged to the card at issue');
  const before = await tg.cli('invoices', 'show', inv.number);
  assert.equal(before.status, 'paid');
  const total = inv.total_cents;
  const chargeId = chargeOfOrg(c.orgId);

  // A partial refund ($1.00): refund.created overtakes charge.refunded; Stripe retries both.
  const [refunded1, created1] = fake.refund(chargeId, 100);
  assert.deepEqual(await sendAll(tg, clock, [created1, refunded1, created1, refunded1]), ['processed', 'processed', 'duplicate', 'duplicate']);
  let v = await shown(tg, inv.number);
  assert.equal(v.status, 'open');
  assert.equal(v.amount_due_usd, '1.00');
  assert.equal(v.paid_usd, centsToUsd(total - 100n));
  assert.deepEqual(content(v), content(before), 'the finalised content never changes');

  // The rest is refunded: unpaid again. charge.refunded lists both refunds; the first counts once.
  const [refunded2, created2] = fake.refund(chargeId, Number(total) - 100);
  assert.deepEqual(await sendAll(tg, clock, [refunded2, created2]), ['processed', 'processed']);
  v = await shown(tg, inv.number);
  assert.equal(v.status, 'open');
  assert.equal(v.amount_due_usd, centsToUsd(total));
  assert.equal(v.paid_usd, '0.00');
  assert.deepEqual(content(v), content(before));
  assert.deepEqual(await history(inv.id), ['open→paid', 'paid→open']);
  const moves = await tg.gw.store.db
    .selectFrom('invoice_payments')
    .select(['kind', 'amount_cents', 'object_id'])
    .where('invoice_id', '=', inv.id)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  assert.deepEqual(
    moves.map((m) => [m.kind, m.amount_cents]).sort(),
    [
      ['payment', total],
      ['refund', -100n],
      ['refund', -(total - 100n)],
    ].sort(),
  );
  assert.deepEqual((await tg.ledger.entries(c.orgId)).length, 0, 'an invoice refund takes no credit (there was none)');
  const mail = await tg.gw.store.db.selectFrom('billing_mail').select('topic').where('org_id', '=', c.orgId).execute();
  assert.equal(mail.filter((m) => m.topic.includes(':reopened:')).length, 1, 'the customer is told once, when it reopened');

  // The customer pays again by card through Checkout: paid, and the history keeps every step.
  await payByCheckout(c, inv.id);
  v = await shown(tg, inv.number);
  assert.equal(v.status, 'paid');
  assert.equal(v.amount_due_usd, '0.00');
  assert.deepEqual(await history(inv.id), ['open→paid', 'paid→open', 'open→paid']);
});

test('a dispute of an invoice paid through Checkout reopens it; won, it is paid again; a refund that fails gives the payment back, whatever arrives late', async () => {
  const c = await postpaidOrg('invoice', 'Dispute Co', 32);
  const inv = await closeMay(c.orgId);
  assert.equal(inv.status, 'open');
  const chargeId = await payByCheckout(c, inv.id);
  assert.equal((await shown(tg, inv.number)).status, 'paid');

  const [dispute] = fake.dispute(chargeId, Number(inv.total_cents));
  assert.deepEqual(await sendAll(tg, clock, [dispute, dispute]), ['processed', 'duplicate']);
  let v = await shown(tg, inv.number);
  assert.equal(v.status, 'open');
  assert.equal(v.amount_due_usd, centsToUsd(inv.total_cents));
  await sendAll(tg, clock, fake.closeDispute((dispute!.data.object as any).id, 'won'));
  v = await shown(tg, inv.number);
  assert.equal(v.status, 'paid');
  assert.equal(v.amount_due_usd, '0.00');

  // A $0.50 refund, then it fails (card closed): refund.failed first, the older refund.created last.
  const [, created] = fake.refund(chargeId, 50);
  assert.equal((await sendAll(tg, clock, [created]))[0], 'processed');
  assert.equal((await shown(tg, inv.number)).amount_due_usd, '0.50');
  const [failed, updated] = fake.failRefund((created!.data.object as any).id);
  await sendAll(tg, clock, [failed, updated, created]);
  v = await shown(tg, inv.number);
  assert.equal(v.status, 'paid');
  assert.equal(v.amount_due_usd, '0.00');
  assert.equal(v.paid_usd, centsToUsd(inv.total_cents));
  assert.deepEqual(await history(inv.id), ['open→paid', 'paid→open', 'open→paid', 'paid→open', 'open→paid']);

  // And a refund of a failed refund's id arriving much later (a new event id) still takes nothing.
  const late = { ...created!, id: `${created!.id}_late` };
  assert.deepEqual(await sendAll(tg, clock, [late]), ['processed']);
  assert.equal((await shown(tg, inv.number)).amount_due_usd, '0.00');
});

test('a credit note on a card-paid invoice refunds its amount through Stripe (idempotency key = the note), recorded against the note; the invoice stays settled', async () => {
  const c = await postpaidOrg('card', 'Note Co', 33);
  await saveCard(tg, clock, fake, c.org);
  const inv = await closeMay(c.orgId);
  assert.equal(inv.status, 'paid');
  const note = await tg.cli('invoices', 'credit-note', inv.number, '--usd', '1.23', '--reason', 'Outage credit');
  const noteRow = (await tg.gw.billing.invoices.get(note.number)).invoice;
  assert.equal(note.settlement.how, 'stripe_refund');
  assert.equal(note.settlement.amount_usd, '1.23');
  assert.match(note.settlement.ref, /^re_/);
  const calls = fake.requests.filter((r) => r.method === 'POST' && r.path === '/v1/refunds');
  assert.equal(calls.length, 1);
  assert.equal(calls[0]!.body.amount, '123');
  assert.equal(calls[0]!.idempotencyKey, noteRow.id);
  assert.equal(calls[0]!.body.metadata.tollgate_credit_note_id, noteRow.id);

  // Stripe's own events about that refund change nothing more; neither does a retried refund call.
  assert.deepEqual(await sendAll(tg, clock, fake.apiEvents()), ['processed', 'processed']);
  await refundNote(tg.gw.billing, noteRow);
  const v = await shown(tg, inv.number);
  assert.equal(v.status, 'paid');
  assert.equal(v.amount_due_usd, '0.00');
  assert.equal(v.credited_usd, '1.23');
  assert.equal(v.paid_usd, centsToUsd(inv.total_cents - 123n));
  assert.equal([...fake.refunds.values()].filter((r) => r.charge === chargeOfOrg(c.orgId)).length, 1, 'one refund at Stripe');
  assert.deepEqual(await history(inv.id), ['open→paid']);
  assert.equal((await tg.ledger.entries(c.orgId)).length, 0);
});

test('a credit note on an invoice paid by transfer becomes account credit, which the next invoice uses; a Stripe refund is refused there', async () => {
  const c = await postpaidOrg('invoice', 'Wire Co', 34);
  const inv = await closeMay(c.orgId);
  await tg.cli('invoices', 'pay', inv.number, '--ref', 'wire 2026-06-03');
  await assert.rejects(tg.cli('invoices', 'credit-note', inv.number, '--usd', '1', '--reason', 'x', '--settle', 'refund'), /not paid by card through Stripe/);
  const note = await tg.cli('invoices', 'credit-note', inv.number, '--usd', '0.75', '--reason', 'Goodwill');
  assert.equal(note.settlement.how, 'account_credit');
  assert.equal(note.settlement.amount_usd, '0.75');
  const entries = await tg.ledger.entries(c.orgId);
  assert.deepEqual(
    entries.map((e) => [e.kind, picoToUsd(e.amount), e.ref?.split(':')[0]]),
    [['adjustment', '0.75', 'credit_note']],
  );
  assert.equal((await shown(tg, inv.number)).status, 'paid');

  // June: the next invoice is paid first from that credit.
  await insertEvents(tg, c.orgId, 100, (i) => Date.UTC(2026, 5, 3) + i * 60_000, { workspaces: [c.workspaceId], keyId: c.keyId, seed: 35, discounted: '' });
  clock.set(Date.UTC(2026, 6, 1, 1));
  const [june] = await tg.gw.billing.closeMonth('2026-06', c.orgId);
  const v = await shown(tg, june!.invoice!.number);
  assert.equal(v.paid_usd, '0.75');
  assert.equal(v.amount_due_usd, centsToUsd(june!.invoice!.total_cents - 75n));
  assert.equal(picoToUsd((await tg.ledger.entries(c.orgId)).reduce((s, e) => s + e.amount, 0n)), '0', 'the credit is used up');
});

test('USD only: Checkout and invoices are in USD; a payment, refund or dispute in another currency is acknowledged, ignored and reported to the operator', async () => {
  const c = await tg.customer({ name: 'Euro Co', credits: '0' });
  const link = await tg.gw.billing.stripe!.topupCheckout({ id: c.orgId, name: 'Euro Co' }, usdToPico('25'));
  const created = fake.requests.find((r) => r.path === '/v1/checkout/sessions' && r.body.metadata?.tollgate_org_id === c.orgId)!;
  assert.equal(created.body.line_items[0].price_data.currency, 'usd');
  fake.sessions.get(link.id)!.currency = 'eur'; // the Stripe account presents it in EUR (adaptive pricing, misconfiguration…)
  const outcomes = await sendAll(tg, clock, fake.completeCheckout(link.id));
  assert.deepEqual(outcomes, ['ignored', 'ignored', 'ignored']);
  assert.equal((await tg.ledger.balance(c.orgId)).balance, 0n, 'nothing credited');
  assert.equal((await tg.cli('credits', 'purchases', '--org', c.orgId))[0].status, 'pending');

  const p = await postpaidOrg('invoice', 'Euro Invoice Co', 36);
  const inv = await closeMay(p.orgId);
  assert.equal(inv.currency, 'usd');
  const chargeId = await payByCheckout(p, inv.id);
  const [refunded, refund] = fake.refund(chargeId, 100);
  const [dispute] = fake.dispute(chargeId, 100);
  for (const ev of [refunded!, refund!, dispute!]) (ev.data.object as any).currency = 'eur';
  assert.deepEqual(await sendAll(tg, clock, [refund, dispute]), ['ignored', 'ignored']);
  const v = await shown(tg, inv.number);
  assert.equal(v.status, 'paid');
  assert.equal(v.amount_due_usd, '0.00');

  await tg.gw.rt.operatorAlerts!.idle();
  const mail = await tg.gw.store.db.selectFrom('outbox').selectAll().where('to', '=', 'ops@tollgate.test').execute();
  assert.ok(
    mail.some((m) => /payment foreign currency/.test(m.subject) && m.subject.includes(c.orgId) && /EUR/.test(m.text)),
    mail.map((m) => m.subject).join('; '),
  );
  assert.ok(mail.some((m) => m.subject.includes(p.orgId)));
});
