/**
 * Monthly card billing (`card` billing mode, post-paid): requests are served without a credit
 * balance; at month close the statement is finalised and the card on file charged off-session
 * (Stripe fake, official SDK); a declined charge alerts and is retried on the configured schedule
 * with a fresh idempotency key per attempt; after the grace period the org is suspended (402
 * `org_suspended`, both surfaces) until a new card pays the statement; each step is mailed.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { ManualClock } from '../../src/core/clock.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { deliver, startFakeStripe, stripeEnv, type FakeStripe } from '../support/fake-stripe.ts';

const clock = new ManualClock(Date.UTC(2026, 4, 20, 12, 0, 0));
const HOUR = 3_600_000;
let fake: FakeStripe;
let tg: TestGateway;

before(async () => {
  fake = await startFakeStripe();
  tg = await startTestGateway({
    clock,
    env: { ...stripeEnv(fake), TOLLGATE_AUTO_CLOSE_AFTER_MIN: '10', TOLLGATE_CARD_RETRY_HOURS: '24,72', TOLLGATE_CARD_GRACE_DAYS: '7' },
  });
});
after(async () => {
  await tg?.close();
  await fake?.close();
});

const sign = { timestamp: 0 };
const send = (ev: any) => deliver(tg.url, ev, { timestamp: Math.floor(clock.now() / 1000) });
async function saveCard(org: { id: string; name: string }, card: 'ok' | 'mastercard') {
  const s = await tg.gw.billing.stripe!.setupCheckout(org);
  for (const ev of fake.completeCheckout(s.id, { card })) assert.equal((await send(ev)).status, 200);
  return tg.gw.store.db.selectFrom('payment_customers').selectAll().where('org_id', '=', org.id).executeTakeFirstOrThrow();
}
const topics = async (orgId: string) =>
  (await tg.gw.store.db.selectFrom('billing_mail').select(['topic', 'sent_at']).where('org_id', '=', orgId).orderBy('created_at').execute()).map((m) =>
    m.topic.replace(/^invoice:[^:]+:/, ''),
  );
/** A big request of the month, written through the gateway's usage sink (2M input + 0.5M output tokens of the model). */
async function bigUsage(c: { orgId: string; workspaceId: string; keyId: string }, n: number) {
  const { kyselyUsageSink } = await import('../../src/usage/sink-kysely.ts');
  const { sqliteUsageSink } = await import('../../src/usage/sink-sqlite.ts');
  const { costOf } = await import('../../src/pricing/cost.ts');
  const { dayKey, monthKey } = await import('../../src/core/clock.ts');
  const sink = tg.gw.store.sqlite ? sqliteUsageSink(tg.gw.store.sqlite) : kyselyUsageSink(tg.gw.store.db);
  const model = tg.gw.rt.models().resolve('claude-sonnet-4-5')!.id;
  const price = tg.gw.rt.prices().resolve(model, null, clock.now())!;
  const usage = {
    inputTokens: 2_000_000,
    outputTokens: 500_000,
    cacheWrite5mTokens: 0,
    cacheWrite1hTokens: 0,
    cacheReadTokens: 0,
    webSearchRequests: 0,
  } as any;
  const cost = costOf(usage, price.prices);
  const t = clock.now();
  await sink([
    {
      id: `req_big_${n}_${t}`,
      org_id: c.orgId,
      workspace_id: c.workspaceId,
      key_id: c.keyId,
      model,
      upstream: 'anthropic',
      surface: 'anthropic',
      status: 200n,
      outcome: 'ok',
      stream: 0n,
      input_tokens: 2_000_000n,
      output_tokens: 500_000n,
      cache_write_5m_tokens: 0n,
      cache_write_1h_tokens: 0n,
      cache_read_tokens: 0n,
      web_search_requests: 0n,
      cost,
      upstream_cost: cost,
      price_id: price.row.id,
      estimated: 0n,
      created_at: BigInt(t),
      month: monthKey(t),
      day: dayKey(t),
      latency_ms: 1000n,
      ttft_ms: null,
      idempotency_key: null,
    },
  ]);
}
const intentsFor = (orgId: string) => fake.requests.filter((r) => r.path === '/v1/payment_intents' && r.body.metadata?.tollgate_org_id === orgId);

test('statements are charged at month close; declines retry on schedule, then suspend; a new card pays and restores access', async () => {
  void sign;
  const c = await tg.customer({ name: 'Card Co', credits: '0' });
  await tg.accounts.updateOrg(c.orgId, { billingMode: 'card' });
  await tg.gw.billing.invoices.profiles.addContact(c.orgId, 'finance@cardco.test');
  const org = { id: c.orgId, name: 'Card Co' };
  const card = await saveCard(org, 'ok');
  await tg.gw.refresh();
  const claude = new Anthropic({ baseURL: tg.url, apiKey: c.key, maxRetries: 0 });
  const openai = new OpenAI({ baseURL: `${tg.url}/v1`, apiKey: c.key, maxRetries: 0 });
  const ask = () => claude.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 50, messages: [{ role: 'user', content: 'hello' }] });
  // Post-paid: no credits, requests are served.
  for (let i = 0; i < 3; i++) await ask();
  await bigUsage(c, 1);

  // 1 June 00:10 UTC: May closes by itself; the statement is charged to the card.
  clock.set(Date.UTC(2026, 5, 1, 0, 10));
  await tg.gw.billing.tick();
  const [may] = await tg.gw.billing.invoices.list(c.orgId);
  const listed = await tg.cli('invoices', 'list', '--org', c.orgId);
  assert.deepEqual(
    listed.map((i: any) => [i.number, i.status, i.total_usd]),
    [[may!.number, 'paid', `${may!.total_cents / 100n}.${String(may!.total_cents % 100n).padStart(2, '0')}`]],
  );
  assert.equal(may!.period, '2026-05');
  assert.equal(may!.collection, 'charge_card');
  assert.equal(may!.status, 'paid');
  assert.equal(may!.paid_via, 'stripe');
  const [pi1] = intentsFor(c.orgId);
  assert.equal(pi1!.body.off_session, 'true');
  assert.equal(pi1!.body.amount, String(may!.total_cents));
  assert.match(pi1!.idempotencyKey!, new RegExp(`invoice:${may!.id}:attempt:1`));
  assert.deepEqual(await topics(c.orgId), ['issued', 'paid']);

  // June: the card starts declining.
  for (let i = 0; i < 2; i++) await ask();
  await bigUsage(c, 2);
  fake.setDeclines(card.payment_method_id!, true);
  clock.set(Date.UTC(2026, 6, 1, 0, 10));
  await tg.gw.billing.tick();
  const june = (await tg.gw.billing.invoices.list(c.orgId)).find((i) => i.period === '2026-06')!;
  assert.equal(june.status, 'open');
  assert.equal(june.charge_attempts, 1n);
  assert.equal(Number(june.next_charge_at), Date.UTC(2026, 6, 1, 0, 10) + 24 * HOUR, 'retried 24 h after the first failure');
  const alerts = await tg.gw.store.db.selectFrom('alerts').select(['kind', 'period']).where('org_id', '=', c.orgId).execute();
  assert.deepEqual(
    alerts.map((a) => a.kind),
    ['payment_failed'],
  );
  await tg.gw.refresh();
  await ask(); // still served during the grace period

  clock.advance(25 * HOUR);
  await tg.gw.billing.tick();
  const keys = intentsFor(c.orgId)
    .slice(1)
    .map((r) => r.idempotencyKey);
  assert.equal(keys.length, 2);
  assert.notEqual(keys[0], keys[1], 'each retry is a new attempt with its own idempotency key');
  assert.equal((await tg.gw.billing.invoices.row(june.id))!.charge_attempts, 2n);

  // Seven days after the first failure: suspended.
  clock.set(Date.UTC(2026, 6, 8, 0, 11));
  await tg.gw.billing.tick();
  await tg.gw.refresh();
  const refused = await ask().then(
    () => null,
    (e) => e,
  );
  assert.equal(refused?.status, 402);
  assert.equal(refused?.error?.error?.type, 'billing_error');
  const refusedOpenAI = await openai.chat.completions.create({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'hi' }] }).then(
    () => null,
    (e) => e,
  );
  assert.equal(refusedOpenAI?.status, 402);
  assert.equal(refusedOpenAI?.code, 'org_suspended');
  assert.ok((await topics(c.orgId)).includes('suspended'));
  assert.deepEqual((await tg.cli('billing', 'show', '--org', c.orgId)).suspended?.reason, 'card_payment_failed');

  // A new card: charged at once, the statement is paid, access is back.
  await saveCard(org, 'mastercard');
  await tg.gw.billing.tick();
  assert.equal((await tg.gw.billing.invoices.row(june.id))!.status, 'paid');
  await tg.gw.refresh();
  await ask();
  const t = await topics(c.orgId);
  assert.deepEqual(
    t.filter((x) => x.startsWith('declined')),
    ['declined:1', 'declined:2', 'declined:3'],
  );
  assert.ok(t.includes('settled'));
  const outbox = await tg.gw.store.db.selectFrom('outbox').selectAll().where('to', '=', 'finance@cardco.test').execute();
  assert.ok(outbox.some((m) => /API access restored/.test(m.subject)));
});
