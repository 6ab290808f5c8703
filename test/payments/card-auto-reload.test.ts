/**
 * A card on file and auto-reload: the customer saves a card through Checkout (setup mode); when
 * real traffic takes the balance below the threshold the gateway charges the card off-session
 * with an idempotency key, once per dip. A declined card raises an alert (e-mail to a real SMTP
 * server), credits nothing and pauses auto-reload until a new card is saved.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import { startFakeUpstream, type FakeUpstream } from '../support/fake-upstream.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { deliver, startFakeStripe, stripeEnv, type FakeStripe } from '../support/fake-stripe.ts';
import { smtpSink, until } from '../alerts/support.ts';
import { picoToUsd, usdToPico } from '../../src/core/money.ts';
import { AlertService } from '../../src/billing/alerts/service.ts';
import { BillingSettings } from '../../src/billing/auto-reload.ts';
import { systemClock } from '../../src/core/clock.ts';

let up: FakeUpstream;
let fake: FakeStripe;
let tg: TestGateway;
let smtp: Awaited<ReturnType<typeof smtpSink>>;

before(async () => {
  up = await startFakeUpstream();
  // Sonnet: 100 input + 1,000 output = $0.0153 per request.
  up.setDefault({ kind: 'usage', usage: { input_tokens: 100, output_tokens: 1000 } as any });
  fake = await startFakeStripe();
  smtp = await smtpSink();
  tg = await startTestGateway({ upstreamUrl: up.url, env: { ...stripeEnv(fake), SMTP_URL: smtp.url } });
});
after(async () => {
  await tg?.close();
  await fake?.close();
  await up?.close();
  await smtp?.close();
});

const balance = async (orgId: string) => picoToUsd((await tg.ledger.balance(orgId)).balance);
const intents = (orgId: string) => fake.requests.filter((r) => r.path === '/v1/payment_intents' && r.body.metadata?.tollgate_org_id === orgId);

async function saveCard(orgId: string, card: 'ok' | 'declines' | 'mastercard', viaCli = false) {
  const s = viaCli ? await tg.cli('credits', 'card', '--org', orgId) : await tg.gw.billing.stripe!.setupCheckout({ id: orgId, name: 'Test Org' });
  for (const ev of fake.completeCheckout(s.id, { card })) assert.equal((await deliver(tg.url, ev)).status, 200);
  return await tg.gw.store.db.selectFrom('payment_customers').selectAll().where('org_id', '=', orgId).executeTakeFirstOrThrow();
}

test('a saved card pays auto-reload off-session, once per dip; a decline alerts, credits nothing and pauses auto-reload until the card is replaced', async () => {
  const c = await tg.customer({ credits: '5.01' });
  await new AlertService(tg.gw.store.db, { clock: systemClock }).addEmail(c.orgId, 'billing@acme.test');
  const cust = await saveCard(c.orgId, 'ok', true);
  assert.equal(cust.card_brand, 'visa');
  assert.equal(cust.card_last4, '4242');
  assert.equal(cust.card_status, 'ok');
  const shown = await tg.cli('billing', 'show', '--org', c.orgId);
  assert.deepEqual(shown.card, { brand: 'visa', last4: '4242', exp: '12/2030', status: 'ok', failure: null });

  await tg.cli('credits', 'auto-reload', '--org', c.orgId, '--below', '5', '--amount', '20');
  await tg.gw.refresh();
  const claude = new Anthropic({ baseURL: tg.url, apiKey: c.key, maxRetries: 0 });
  const ask = { model: 'claude-sonnet-4-5', max_tokens: 1000, messages: [{ role: 'user' as const, content: 'hi' }] };
  await claude.messages.create(ask); // 5.01 → 4.9947: below 5
  await until(async () => (await balance(c.orgId)) === '24.9947', 10_000, 'auto-reload credit');
  const [pi] = intents(c.orgId);
  assert.equal(pi!.body.off_session, 'true');
  assert.equal(pi!.body.confirm, 'true');
  assert.equal(pi!.body.amount, '2000');
  assert.equal(pi!.body.payment_method, cust.payment_method_id);
  assert.ok(pi!.idempotencyKey?.includes('autoreload:'), 'the charge carries an idempotency key naming the dip');
  const entry = (await tg.ledger.entries(c.orgId)).find((e) => e.note?.includes('auto-reload'))!;
  const link = await tg.gw.store.db.selectFrom('ledger_links').selectAll().where('entry_id', '=', entry.id).executeTakeFirstOrThrow();
  assert.equal(link.object_type, 'payment_intent');
  assert.match(link.object_id, /^pi_/);
  // The payment_intent.succeeded webhook for the same charge credits nothing more.
  const piObj = fake.intents.get(link.object_id)!;
  await deliver(tg.url, {
    id: 'evt_pi_ok_1',
    object: 'event',
    api_version: '2026-10-28.endive',
    created: Math.floor(Date.now() / 1000),
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type: 'payment_intent.succeeded',
    data: { object: piObj },
  });
  assert.equal(await balance(c.orgId), '24.9947');

  // The card starts declining; the next dip tries once, fails, alerts, and pauses.
  fake.setDeclines(cust.payment_method_id!, true);
  await new BillingSettings(tg.gw.store.db, systemClock).set(c.orgId, { reloadBelow: usdToPico('30'), reloadAmount: usdToPico('20') });
  await tg.gw.refresh();
  await claude.messages.create(ask);
  await until(() => smtp.mails.some((m) => /payment failed/.test(m.subject)), 10_000, 'decline alert mail');
  const mail = smtp.mails.find((m) => /payment failed/.test(m.subject))!;
  assert.deepEqual(mail.to, ['billing@acme.test']);
  assert.match(mail.text, /declined/i);
  await until(
    async () =>
      (await tg.gw.store.db.selectFrom('payment_customers').select('card_status').where('org_id', '=', c.orgId).executeTakeFirst())?.card_status === 'failed',
    5_000,
    'card marked failed',
  );
  assert.equal(await balance(c.orgId), '24.9794', 'a decline credits nothing');
  const failed = await tg.gw.store.db.selectFrom('payments').selectAll().where('org_id', '=', c.orgId).where('status', '=', 'failed').execute();
  assert.equal(failed.length, 1);
  assert.match(failed[0]!.failure_message!, /declined/);
  const tried = intents(c.orgId).length;
  for (let i = 0; i < 3; i++) await claude.messages.create(ask);
  await tg.gw.refresh();
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(intents(c.orgId).length, tried, 'paused: no further charge attempts while the card is failed');

  // A new card fixes it: the next dip charges the new card.
  const fixed = await saveCard(c.orgId, 'mastercard');
  assert.equal(fixed.card_status, 'ok');
  assert.equal(fixed.card_last4, '4444');
  await new Promise((r) => setTimeout(r, 2_100)); // the reloader waits 2 s before retrying a failed dip
  await claude.messages.create(ask);
  await until(async () => Number(await balance(c.orgId)) > 40, 10_000, 'reload with the new card');
  assert.equal(intents(c.orgId).at(-1)!.body.payment_method, fixed.payment_method_id);
});
