/**
 * Credit lots by time (issue 9, item 5), with the gateway's injected clock: each usage debit
 * consumes the lots that were live when it happened, earliest expiry first; a lot lapses at its
 * expiry instant for the balance and for admission (before the expiry job runs); the ledger
 * explains every cent (admin API `allocation`, `tollgate credits explain`).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import { ManualClock } from '../../src/core/clock.ts';
import { picoToUsd, usdToPico } from '../../src/core/money.ts';
import { startFakeUpstream, type FakeUpstream } from '../support/fake-upstream.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';

const ADMIN = 'test-admin-token-0123456789abcdef';
const HOUR = 3_600_000;
const clock = new ManualClock(Date.UTC(2026, 5, 10, 12, 0, 0));
let fake: FakeUpstream;
let tg: TestGateway;

before(async () => {
  fake = await startFakeUpstream({ clock });
  tg = await startTestGateway({ upstreamUrl: fake.url, clock, env: { TOLLGATE_ADMIN_TOKEN: ADMIN } });
});
after(async () => {
  await tg?.close();
  await fake?.close();
});

const credits = async (orgId: string) => {
  const r = await fetch(`${tg.url}/admin/v1/orgs/${orgId}/credits`, { headers: { authorization: `Bearer ${ADMIN}` } });
  assert.equal(r.status, 200);
  return (await r.json()) as any;
};
/** One request billed at exactly 1000 input + 100 output tokens of Sonnet ($0.0045). */
const spend = async (key: string) => {
  fake.script({ kind: 'usage', usage: { input_tokens: 1000, output_tokens: 100 } as any });
  await new Anthropic({ baseURL: tg.url, apiKey: key, maxRetries: 0 }).messages.create({
    model: 'claude-sonnet-4-5',
    max_tokens: 100,
    messages: [{ role: 'user', content: 'Hi' }],
  });
};
const COST = usdToPico('0.0045');

test('a promo lot granted after earlier usage expires with its full amount', async () => {
  const c = await tg.customer({ credits: '10', name: 'Promo later' });
  await spend(c.key);
  await spend(c.key);
  clock.advance(HOUR);
  await tg.ledger.append({ orgId: c.orgId, kind: 'grant', amount: usdToPico('1'), expiresAt: clock.now() + 24 * HOUR, note: 'promo' });
  clock.advance(48 * HOUR);
  const before = await credits(c.orgId);
  const promo = before.allocation.lots.find((l: any) => l.kind === 'grant');
  assert.equal(promo.status, 'lapsed');
  assert.equal(promo.consumed_usd, '0', 'earlier usage was paid by the purchase live at the time');
  assert.equal(promo.expired_usd, '1');
  assert.equal(before.balance_usd, picoToUsd(usdToPico('10') - 2n * COST), 'the lapsed promo counts for nothing, before the job runs');
  await tg.gw.refresh(); // runs the expiry job
  const after = await credits(c.orgId);
  const expiry = after.history.filter((e: any) => e.kind === 'expiry');
  assert.deepEqual(
    expiry.map((e: any) => e.amount_usd),
    ['-1'],
  );
  assert.equal(after.balance_usd, before.balance_usd);
  assert.equal(after.allocation.lots.find((l: any) => l.kind === 'grant').status, 'expired');
  // Every cent explained: usage paid by the purchase lot only.
  const paid = after.allocation.usage.flatMap((u: any) => u.paid_by);
  assert.ok(paid.every((p: any) => p.lot_id === after.allocation.lots.find((l: any) => l.kind === 'purchase').id));
  assert.equal(picoToUsd(paid.reduce((s: bigint, p: any) => s + usdToPico(p.amount_usd), 0n)), picoToUsd(2n * COST));
});

test('usage after a lot lapsed does not spend it; usage before spends the expiring lot first', async () => {
  const c = await tg.customer({ credits: '10', name: 'Lapsed then used' });
  await tg.ledger.append({ orgId: c.orgId, kind: 'grant', amount: usdToPico('5'), expiresAt: clock.now() + 24 * HOUR, note: 'trial' });
  await tg.gw.refresh();
  await spend(c.key); // while the trial is live: the trial (earliest expiry) pays
  clock.advance(25 * HOUR);
  await spend(c.key); // after it lapsed: the purchase pays
  const s = await credits(c.orgId);
  const trial = s.allocation.lots.find((l: any) => l.kind === 'grant');
  const purchase = s.allocation.lots.find((l: any) => l.kind === 'purchase');
  assert.equal(trial.consumed_usd, picoToUsd(COST));
  assert.equal(trial.expired_usd, picoToUsd(usdToPico('5') - COST));
  assert.equal(purchase.consumed_usd, picoToUsd(COST));
  assert.equal(s.balance_usd, picoToUsd(usdToPico('10') - COST));
  await tg.gw.refresh();
  const after = await credits(c.orgId);
  assert.deepEqual(
    after.history.filter((e: any) => e.kind === 'expiry').map((e: any) => e.amount_usd),
    [picoToUsd(COST - usdToPico('5'))],
  );
  assert.equal(after.balance_usd, s.balance_usd);
});

test('admission excludes a lapsed lot at its instant, before the expiry job runs', async () => {
  const c = await tg.customer({ credits: '0', name: 'Only a trial' });
  await tg.ledger.append({ orgId: c.orgId, kind: 'grant', amount: usdToPico('5'), expiresAt: clock.now() + HOUR, note: 'trial' });
  await tg.gw.refresh();
  await spend(c.key);
  clock.advance(HOUR); // the instant of expiry: no job has run, the server did not reload
  await assert.rejects(spend(c.key), (e: any) => e instanceof Anthropic.BadRequestError && /credit balance is too low/.test(e.message));
  assert.equal((await credits(c.orgId)).balance_usd, '0');
  // A top-up is spendable at once; the lapsed trial still is not.
  await tg.ledger.append({ orgId: c.orgId, kind: 'purchase', amount: usdToPico('1') });
  await tg.gw.refresh();
  await spend(c.key);
  assert.equal((await credits(c.orgId)).balance_usd, picoToUsd(usdToPico('1') - COST));
});
