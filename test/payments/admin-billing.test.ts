/**
 * The billing admin API the console uses: an org key buys credits through Checkout and saves a
 * card (its own org only), downloads its invoices as PDF and CSV; another org's key gets 403;
 * manual purchases wait for the operator's approval and credit nothing until then.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/core/clock.ts';
import { picoToUsd, usdToPico } from '../../src/core/money.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { deliver, startFakeStripe, stripeEnv, type FakeStripe } from '../support/fake-stripe.ts';
import { insertEvents } from '../support/usage-events.ts';

const ADMIN = 'billing-admin-token-0123456789abcdef';
const clock = new ManualClock(Date.UTC(2026, 1, 10));
let fake: FakeStripe;
let tg: TestGateway;
before(async () => {
  fake = await startFakeStripe();
  tg = await startTestGateway({ clock, env: { ...stripeEnv(fake), TOLLGATE_ADMIN_TOKEN: ADMIN, TOLLGATE_AUTO_CLOSE_AFTER_MIN: '0' } });
});
after(async () => {
  await tg?.close();
  await fake?.close();
});

const call = (path: string, cred: string, init: { method?: string; body?: unknown } = {}) =>
  fetch(`${tg.url}/admin/v1/${path}`, {
    method: init.method ?? 'GET',
    headers: { authorization: `Bearer ${cred}`, ...(init.body ? { 'content-type': 'application/json' } : {}) },
    body: init.body ? JSON.stringify(init.body) : undefined,
  });

test('an org key: checkout, card setup, billing view; never another org', async () => {
  const a = await tg.customer({ name: 'A', credits: '0' });
  const b = await tg.customer({ name: 'B', credits: '0' });
  const r = await call(`orgs/${a.orgId}/checkout`, a.adminKey, { method: 'POST', body: { amount_usd: '25' } });
  assert.equal(r.status, 201);
  const link: any = await r.json();
  assert.match(link.id, /^cs_test_/);
  assert.equal(link.url, fake.sessions.get(link.id)!.url);
  assert.equal((await call(`orgs/${a.orgId}/checkout`, a.adminKey, { method: 'POST', body: { amount_usd: '0.5' } })).status, 400);
  assert.equal((await call(`orgs/${a.orgId}/checkout`, b.adminKey, { method: 'POST', body: { amount_usd: '25' } })).status, 403);
  assert.equal((await call(`orgs/${a.orgId}/invoices`, b.adminKey)).status, 403);
  const card = await call(`orgs/${a.orgId}/card`, a.adminKey, { method: 'POST' });
  assert.equal(card.status, 201);
  const view: any = await (await call(`orgs/${a.orgId}/billing`, a.adminKey)).json();
  assert.equal(view.billing_mode, 'prepaid');
  assert.equal(view.stripe, true);
  assert.equal(view.card, null);
  assert.deepEqual(view.payments.map((p: any) => [p.purpose, p.status]).sort(), [
    ['card_setup', 'pending'],
    ['topup', 'pending'],
  ]);
  assert.equal(
    (await call(`orgs/${a.orgId}/billing/profile`, a.adminKey, { method: 'PUT', body: { tax_rate_percent: '0' } })).status,
    403,
    "the tax rate is the operator's",
  );
  assert.equal((await call(`orgs/${a.orgId}/billing/contacts`, a.adminKey, { method: 'POST', body: { email: 'ap@a.test' } })).status, 201);
});

test('invoices download as PDF and CSV for their org only', async () => {
  const c = await tg.customer({ name: 'Inv', credits: '0' });
  await tg.accounts.updateOrg(c.orgId, { billingMode: 'invoice' });
  await tg.gw.refresh();
  const claude = new (await import('@anthropic-ai/sdk')).default({ baseURL: tg.url, apiKey: c.key, maxRetries: 0 });
  for (let i = 0; i < 3; i++)
    await claude.messages.create({ model: 'claude-opus-4-1', max_tokens: 4000, messages: [{ role: 'user', content: 'Write a long story.' }] });
  // Lines per workspace on request (the operator sets it), and the CLI's preview of the month in progress.
  const ws2 = await tg.accounts.createWorkspace(c.orgId, 'Batch jobs');
  await insertEvents(tg, c.orgId, 50, (i) => Date.UTC(2026, 1, 11) + i * 60_000, { workspaces: [ws2.id], keyId: c.keyId, seed: 9, discounted: '' });
  assert.equal((await call(`orgs/${c.orgId}/billing/profile`, ADMIN, { method: 'PUT', body: { per_workspace: true, tax_rate_percent: '20' } })).status, 200);
  const preview = await tg.cli('invoices', 'preview', '--org', c.orgId, '--month', '2026-02');
  assert.equal(preview.status, 'draft');
  assert.equal(preview.tax_rate_percent, '20');
  assert.deepEqual([...new Set(preview.lines.map((l: any) => l.workspace_id))].sort(), [c.workspaceId, ws2.id].sort());
  assert.ok(preview.lines.some((l: any) => l.description.includes('workspace Batch jobs')));
  clock.set(Date.UTC(2026, 2, 1, 1));
  const [res] = await tg.gw.billing.closeMonth('2026-02', c.orgId);
  const number = res!.invoice!.number;
  assert.equal(res!.invoice!.subtotal_exact, usdToPico(preview.subtotal_exact_usd), 'the preview had the final totals');
  const list: any = await (await call(`orgs/${c.orgId}/invoices`, c.adminKey)).json();
  assert.equal(list.invoices[0].number, number);
  const pdf = await call(`orgs/${c.orgId}/invoices/${number}.pdf`, c.adminKey);
  assert.equal(pdf.headers.get('content-type'), 'application/pdf');
  assert.equal(
    Buffer.from(await pdf.arrayBuffer())
      .subarray(0, 5)
      .toString(),
    '%PDF-',
  );
  const csv = await (await call(`orgs/${c.orgId}/invoices/${number}.csv`, c.adminKey)).text();
  assert.match(csv, /^invoice,period,line_no/);
  const other = await tg.customer({ name: 'Other', credits: '0' });
  assert.equal(
    (await call(`orgs/${other.orgId}/invoices/${number}.pdf`, other.adminKey)).status,
    404,
    "another org's invoice number is not found under its own org",
  );
  assert.equal((await call(`invoices/${number}/pay`, c.adminKey, { method: 'POST' })).status, 403);
  // Paid through Stripe: a Checkout session for the amount due; the webhook marks the invoice paid.
  const pay: any = await (await call(`orgs/${c.orgId}/invoices/${number}/checkout`, c.adminKey, { method: 'POST' })).json();
  assert.equal(fake.sessions.get(pay.id)!.amount_total, Number(res!.invoice!.total_cents));
  for (const ev of fake.completeCheckout(pay.id)) assert.equal((await deliver(tg.url, ev, { timestamp: Math.floor(clock.now() / 1000) })).status, 200);
  const after: any = await (await call(`orgs/${c.orgId}/invoices/${number}`, c.adminKey)).json();
  assert.equal(after.status, 'paid');
  assert.equal(after.paid_via, 'stripe');
  assert.equal(picoToUsd((await tg.ledger.balance(c.orgId)).credits), '0', 'an invoice payment buys no credits');
  const again: any = await (await call(`invoices/${number}/pay`, ADMIN, { method: 'POST' })).json();
  assert.equal(again.status, 'paid');
});

test('a manual purchase credits nothing until the operator approves it, and only once', async () => {
  const c = await tg.customer({ credits: '0' });
  const req = await tg.cli('credits', 'request', '--org', c.orgId, '--usd', '15');
  assert.equal(req.status, 'awaiting_approval');
  assert.equal(picoToUsd((await tg.ledger.balance(c.orgId)).balance), '0');
  assert.equal((await call(`payments/${req.payment_id}/approve`, c.adminKey, { method: 'POST' })).status, 403);
  for (let i = 0; i < 2; i++) assert.equal((await call(`payments/${req.payment_id}/approve`, ADMIN, { method: 'POST' })).status, 200);
  assert.equal(picoToUsd((await tg.ledger.balance(c.orgId)).balance), '15');
});
