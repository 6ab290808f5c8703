/**
 * Card top-ups through Stripe Checkout, end to end: the real `stripe` SDK inside the gateway and
 * the CLI talks to a local fake of the Stripe API; webhooks are signed with the SDK's own test
 * signer. Credits land exactly once per session however Stripe delivers the events — replayed,
 * duplicated, reordered, late — and forged or stale signatures change nothing. Refunds and
 * disputes take the credit back through ledger entries linked to the Stripe objects.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { deliver, startFakeStripe, stripeEnv, type FakeStripe } from '../support/fake-stripe.ts';
import { usdToPico, picoToUsd } from '../../src/core/money.ts';

let fake: FakeStripe;
let tg: TestGateway;

before(async () => {
  fake = await startFakeStripe();
  tg = await startTestGateway({ env: { ...stripeEnv(fake), TOLLGATE_TOPUP_MIN_USD: '5', TOLLGATE_TOPUP_MAX_USD: '500' } });
});
after(async () => {
  await tg?.close();
  await fake?.close();
});

const balance = async (orgId: string) => picoToUsd((await tg.ledger.balance(orgId)).balance);
const links = (orgId: string) => tg.gw.store.db.selectFrom('ledger_links').selectAll().where('org_id', '=', orgId).execute();

test('credits checkout → Checkout session; a paid session credits once, whatever the delivery order', async () => {
  const c = await tg.customer({ credits: '0' });
  const link = await tg.cli('credits', 'checkout', '--org', c.orgId, '--usd', '25');
  assert.match(link.id, /^cs_test_/);
  assert.equal(link.url, fake.sessions.get(link.id)!.url);
  const create = fake.requests.find((r) => r.path === '/v1/checkout/sessions' && r.body.client_reference_id === c.orgId)!;
  assert.equal(create.body.mode, 'payment');
  assert.equal(create.body.line_items[0].price_data.unit_amount, '2500');
  assert.equal(create.body.line_items[0].price_data.currency, 'usd');
  assert.ok(create.idempotencyKey, 'session creation carries an idempotency key');

  const events = fake.completeCheckout(link.id); // charge.succeeded, payment_intent.succeeded, checkout.session.completed
  const completed = events.at(-1)!;
  // Reordered: the session event first, then the intent; each duplicated, then replayed later.
  for (const ev of [completed, completed, ...events.slice(0, 2).reverse(), events[1]!]) assert.equal((await deliver(tg.url, ev)).status, 200);
  assert.equal(await balance(c.orgId), '25');
  const again = await deliver(tg.url, completed);
  assert.deepEqual(again.body, { received: true, duplicate: true });
  assert.equal(await balance(c.orgId), '25');

  const entries = await tg.ledger.entries(c.orgId);
  assert.equal(entries.length, 1);
  assert.equal(entries[0]!.kind, 'purchase');
  const l = await links(c.orgId);
  assert.equal(l.length, 1);
  assert.equal(l[0]!.entry_id, entries[0]!.id);
  assert.equal(l[0]!.provider, 'stripe');
  assert.ok(['checkout.session', 'payment_intent'].includes(l[0]!.object_type));

  // The new balance admits requests at once (the gateway reloads credits from the change log).
  await tg.gw.refresh();
});

test('top-up limits and whole cents are enforced before anything reaches Stripe', async () => {
  const c = await tg.customer({ credits: '0' });
  const before = fake.requests.length;
  await assert.rejects(tg.cli('credits', 'checkout', '--org', c.orgId, '--usd', '4.99'), /between \$5 and \$500/);
  for (const usd of ['500.01', '10.005']) {
    await assert.rejects(tg.gw.billing.stripe!.topupCheckout({ id: c.orgId, name: 'x' }, usdToPico(usd)), /between \$5 and \$500|whole number of cents/);
  }
  assert.equal(
    fake.requests.filter((r) => r.path === '/v1/checkout/sessions').length,
    fake.requests.slice(0, before).filter((r) => r.path === '/v1/checkout/sessions').length,
  );
});

test('forged, tampered and stale signatures are refused with 400 and change nothing', async () => {
  const c = await tg.customer({ credits: '0' });
  const link = await tg.gw.billing.stripe!.topupCheckout({ id: c.orgId, name: 'x' }, usdToPico('40'));
  const completed = fake.completeCheckout(link.id).at(-1)!;
  const forged = await deliver(tg.url, completed, { secret: 'whsec_attacker_guess' });
  assert.equal(forged.status, 400);
  assert.equal(forged.body.error.code, 'invalid_signature');
  const tampered = await deliver(tg.url, completed, { tamper: (b) => b.replace('"amount_total": 4000', '"amount_total": 400000') });
  assert.equal(tampered.status, 400);
  const stale = await deliver(tg.url, completed, { timestamp: Math.floor(Date.now() / 1000) - 3600 });
  assert.equal(stale.status, 400);
  const unsigned = await fetch(`${tg.url}/webhooks/stripe`, {
    method: 'POST',
    body: JSON.stringify(completed),
    headers: { 'content-type': 'application/json' },
  });
  assert.equal(unsigned.status, 400);
  assert.equal(await balance(c.orgId), '0');
  const rows = await tg.gw.store.db.selectFrom('payment_events').select('id').where('id', '=', completed.id).execute();
  assert.equal(rows.length, 0, 'a refused event is not recorded (Stripe may retry it validly)');
  // The genuine delivery still works afterwards.
  assert.equal((await deliver(tg.url, completed)).status, 200);
  assert.equal(await balance(c.orgId), '40');
});

test('async payment methods: credited on async_payment_succeeded, never on an unpaid completion; a late success after it also counts once', async () => {
  const c = await tg.customer({ credits: '0' });
  const link = await tg.cli('credits', 'checkout', '--org', c.orgId, '--usd', '30');
  const [completedUnpaid] = fake.completeCheckout(link.id, { async: true });
  await deliver(tg.url, completedUnpaid!);
  assert.equal(await balance(c.orgId), '0');
  const done = fake.finishAsync(link.id, true); // payment_intent.succeeded, checkout.session.async_payment_succeeded
  await deliver(tg.url, done[1]!); // the session event first
  await deliver(tg.url, done[0]!);
  await deliver(tg.url, completedUnpaid!); // a late redelivery of the unpaid completion changes nothing
  assert.equal(await balance(c.orgId), '30');

  // A failed async payment credits nothing and marks the payment failed.
  const c2 = await tg.customer({ credits: '0' });
  const l2 = await tg.gw.billing.stripe!.topupCheckout({ id: c2.orgId, name: 'c2' }, usdToPico('30'));
  await deliver(tg.url, fake.completeCheckout(l2.id, { async: true })[0]!);
  for (const ev of fake.finishAsync(l2.id, false)) await deliver(tg.url, ev);
  assert.equal(await balance(c2.orgId), '0');
  const pays = await tg.cli('credits', 'purchases', '--org', c2.orgId);
  assert.deepEqual(
    pays.map((p: any) => [p.purpose, p.status]),
    [['topup', 'failed']],
  );
});

test('refunds and disputes take the credit back through linked ledger entries, once; a refund that arrives first waits for its payment', async () => {
  const c = await tg.customer({ credits: '0' });
  const link = await tg.gw.billing.stripe!.topupCheckout({ id: c.orgId, name: 'x' }, usdToPico('50'));
  const paid = fake.completeCheckout(link.id);
  const chargeId = (paid[0]!.data.object as any).id;
  // The refund event overtakes the payment's events: parked, then applied when the payment settles.
  const refund1 = fake.refund(chargeId, 1000)[0]!;
  assert.equal((await deliver(tg.url, refund1)).body.outcome, 'parked');
  assert.equal(await balance(c.orgId), '0');
  await deliver(tg.url, paid.at(-1)!);
  assert.equal(await balance(c.orgId), '40');
  await deliver(tg.url, refund1); // duplicate
  assert.equal(await balance(c.orgId), '40');
  // A second partial refund: charge.refunded carries only the cumulative amount; each refund (listed by its id) counts once.
  const refund2 = fake.refund(chargeId, 500)[0]!;
  await deliver(tg.url, refund2);
  await deliver(tg.url, refund1); // an older event arriving late takes nothing
  assert.equal(await balance(c.orgId), '35');
  // A dispute of the full charge takes back at most what is left of the purchase.
  const dispute = fake.dispute(chargeId, 5000)[0]!;
  await deliver(tg.url, dispute);
  await deliver(tg.url, dispute);
  assert.equal(await balance(c.orgId), '0');
  // Won: the disputed credit comes back.
  await deliver(tg.url, fake.closeDispute((dispute.data.object as any).id, 'won')[0]!);
  assert.equal(await balance(c.orgId), '35');

  const entries = await tg.ledger.entries(c.orgId);
  assert.deepEqual(
    entries.map((e) => [e.kind, picoToUsd(e.amount)]),
    [
      ['purchase', '50'],
      ['adjustment', '-10'],
      ['adjustment', '-5'],
      ['adjustment', '-35'],
      ['adjustment', '35'],
    ],
  );
  const l = await links(c.orgId);
  assert.equal(l.length, entries.length, 'every ledger entry links its Stripe object');
  assert.deepEqual(
    l.map((x) => x.object_type).sort(),
    ['checkout.session', 'dispute', 'dispute', 'refund', 'refund'],
    'refund entries name the refund (re_…) they came from',
  );
  assert.equal(usdToPico('35'), (await tg.ledger.balance(c.orgId)).balance);
});

test('events for sessions Tollgate did not create, and unused event types, are acknowledged and ignored', async () => {
  const r = await deliver(tg.url, {
    id: 'evt_foreign_1',
    object: 'event',
    api_version: '2026-10-28.endive',
    created: Math.floor(Date.now() / 1000),
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type: 'checkout.session.completed',
    data: {
      object: {
        id: 'cs_test_foreign',
        object: 'checkout.session',
        mode: 'payment',
        status: 'complete',
        payment_status: 'paid',
        amount_total: 100000,
        currency: 'usd',
        metadata: {},
      },
    },
  });
  assert.equal(r.status, 200);
  assert.equal(r.body.outcome, 'ignored');
  const other = await deliver(tg.url, {
    id: 'evt_other_1',
    object: 'event',
    api_version: '2026-10-28.endive',
    created: 1,
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type: 'customer.created',
    data: { object: { id: 'cus_x', object: 'customer' } },
  });
  assert.equal(other.status, 200);
});
