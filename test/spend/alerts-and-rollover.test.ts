/**
 * Spend alerts end to end: thresholds crossed by real traffic reach a real SMTP server and a real
 * webhook receiver exactly once per threshold per month; the limit-reached alert fires when the cap
 * refuses a request; a month rollover (injected clock) resets the limits and re-arms the alerts.
 * Also: without a card provider auto-reload buys nothing, and free credits expire.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import { ManualClock } from '../../src/core/clock.ts';
import { usdToPico } from '../../src/core/money.ts';
import { verifySignature } from '../../src/billing/alerts/index.ts';
import { startFakeUpstream, type FakeUpstream } from '../support/fake-upstream.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { receiver, smtpSink, until } from '../alerts/support.ts';

let fake: FakeUpstream;
let tg: TestGateway;
let smtp: Awaited<ReturnType<typeof smtpSink>>;
let hook: Awaited<ReturnType<typeof receiver>>;
const clock = new ManualClock(Date.UTC(2026, 10, 20, 12, 0, 0));

before(async () => {
  fake = await startFakeUpstream({ clock });
  // Sonnet: 100 input + 1,000 output = $0.0153 per request.
  fake.setDefault({ kind: 'usage', usage: { input_tokens: 100, output_tokens: 1000 } as any });
  smtp = await smtpSink();
  hook = await receiver();
  tg = await startTestGateway({ upstreamUrl: fake.url, clock, env: { SMTP_URL: smtp.url, TOLLGATE_MASTER_KEY: 'c'.repeat(64) } });
});
after(async () => {
  await tg?.close();
  await fake?.close();
  await smtp?.close();
  await hook?.close();
});

test('thresholds alert once each by mail and signed webhook; the cap refuses; a new month resets', async () => {
  const c = await tg.customer({ credits: '50' });
  await tg.cli('limits', 'set', '--org', c.orgId, '--monthly', '0.20', '--notify', '50,80');
  const wh = await tg.cli('alerts', 'webhook', 'add', '--org', c.orgId, '--url', hook.url);
  await tg.cli('alerts', 'email', 'add', '--org', c.orgId, '--to', 'billing@acme.test');
  await tg.gw.refresh();
  const client = new Anthropic({ baseURL: tg.url, apiKey: c.key, maxRetries: 0 });
  const ask = { model: 'claude-sonnet-4-5', max_tokens: 1000, messages: [{ role: 'user' as const, content: 'hi' }] };
  let refused: any;
  for (let i = 0; i < 30 && !refused; i++) {
    try {
      await client.messages.create(ask);
    } catch (e) {
      refused = e;
    }
  }
  assert.ok(refused instanceof Anthropic.BadRequestError, 'the $0.20 cap refused a request');
  assert.match(refused.message, /usage limit/);
  await until(() => smtp.mails.length >= 3 && hook.received.length >= 3, 15_000, 'three alerts delivered').catch(async (e) => {
    console.error(
      'mails',
      smtp.mails.map((m) => m.subject),
      'hooks',
      hook.received.length,
      await tg.cli('alerts', 'list', '--org', c.orgId),
    );
    throw e;
  });
  await new Promise((r) => setTimeout(r, 300));
  const subjects = smtp.mails.map((m) => m.subject).sort();
  assert.equal(smtp.mails.length, 3, subjects.join(' | '));
  assert.ok(subjects.some((s) => /50 %/.test(s)) && subjects.some((s) => /80 %/.test(s)), subjects.join(' | '));
  for (const r of hook.received) {
    assert.ok(
      verifySignature(String(r.headers['tollgate-signature']), r.body, wh.secret, Math.floor(clock.now() / 1000)),
      'valid HMAC signature (signed at the gateway clock time)',
    );
  }
  const types = hook.received.map((r) => JSON.parse(r.body).type).sort();
  assert.deepEqual(types, ['spend.limit_reached', 'spend.threshold', 'spend.threshold']);

  // More refusals in the same month do not alert again.
  await assert.rejects(client.messages.create(ask));
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(smtp.mails.length, 3);

  // December: the monthly limit resets and the thresholds are armed again.
  clock.set(Date.UTC(2026, 11, 1, 0, 0, 1));
  for (let i = 0; i < 7; i++) assert.equal((await client.messages.create(ask)).type, 'message'); // $0.1071: past 50 %
  await until(() => smtp.mails.length >= 4, 15_000, 'December alert');
  assert.match(smtp.mails[3]!.subject, /50 %/);
  const u = await tg.cli('usage', '--org', c.orgId, '--since', '2026-12-01');
  assert.equal(u.requests, 7);
});

test('without a card provider auto-reload buys nothing: the manual provider collects no money (card auto-reload: test/payments/card-auto-reload.test.ts)', async () => {
  const c = await tg.customer({ credits: '0.05' });
  await tg.cli('credits', 'auto-reload', '--org', c.orgId, '--below', '0.04', '--amount', '1');
  await tg.gw.refresh();
  const client = new Anthropic({ baseURL: tg.url, apiKey: c.key, maxRetries: 0 });
  const ask = { model: 'claude-sonnet-4-5', max_tokens: 1000, messages: [{ role: 'user' as const, content: 'hi' }] };
  await client.messages.create(ask); // $0.05 → $0.0347: below $0.04
  await tg.gw.refresh();
  const hist = await tg.cli('credits', 'history', '--org', c.orgId);
  assert.equal(hist.filter((e: any) => e.kind === 'purchase').length, 1, 'only the initial credits');
  const pays = await tg.gw.store.db.selectFrom('payments').selectAll().where('org_id', '=', c.orgId).execute();
  assert.equal(pays.length, 0);
});

test('free credits expire: the unused remainder is written off once', async () => {
  const { org } = await tg.accounts.createOrg({ name: 'Free tier' });
  await tg.ledger.append({ orgId: org.id, kind: 'grant', amount: usdToPico('5'), expiresAt: clock.now() + 86_400_000, ref: `free:${org.id}` });
  const k = await tg.accounts.createKey({ orgId: org.id });
  await tg.gw.refresh();
  const client = new Anthropic({ baseURL: tg.url, apiKey: k.key, maxRetries: 0 });
  await client.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 1000, messages: [{ role: 'user', content: 'hi' }] });
  clock.advance(2 * 86_400_000);
  await tg.gw.refresh(); // runs the expiry job
  await tg.gw.refresh();
  const bal = await tg.cli('credits', 'balance', '--org', org.id);
  assert.equal(bal.balance_usd, '0');
  const hist = await tg.cli('credits', 'history', '--org', org.id);
  assert.equal(hist.filter((e: any) => e.kind === 'expiry').length, 1);
  assert.equal(hist.find((e: any) => e.kind === 'expiry').amount_usd, '-4.9847');
  await assert.rejects(
    client.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }),
    /credit balance is too low/,
  );
});
