/** Billing and Stripe settings: validated up front, every problem named by its environment variable. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../../src/config/config.ts';

test('defaults: Stripe off, net 30, retries 24/72/120 h, grace 7 and 14 days, issuer TG', () => {
  const c = loadConfig({});
  assert.equal(c.stripe.secretKey, undefined);
  assert.equal(c.stripe.apiBase, 'https://api.stripe.com');
  assert.deepEqual([c.stripe.minTopupUsd, c.stripe.maxTopupUsd], ['5', '10000']);
  assert.equal(c.billing.netDays, 30);
  assert.deepEqual(c.billing.cardRetryHours, [24, 72, 120]);
  assert.deepEqual([c.billing.cardGraceDays, c.billing.invoiceGraceDays, c.billing.autoCloseAfterMin], [7, 14, 60]);
  assert.equal(c.billing.issuer.code, 'TG');
});

test('environment overrides, lists parsed', () => {
  const c = loadConfig({
    STRIPE_SECRET_KEY: 'sk_test_abc',
    STRIPE_WEBHOOK_SECRET: 'whsec_abc',
    STRIPE_API_BASE: 'http://127.0.0.1:12111',
    TOLLGATE_CARD_RETRY_HOURS: '6, 48',
    TOLLGATE_ISSUER_CODE: 'ACME-EU',
    TOLLGATE_INVOICE_NET_DAYS: '14',
  });
  assert.equal(c.stripe.apiBase, 'http://127.0.0.1:12111');
  assert.deepEqual(c.billing.cardRetryHours, [6, 48]);
  assert.equal(c.billing.issuer.code, 'ACME-EU');
  assert.equal(c.billing.netDays, 14);
});

test('every problem at once, named by its variable', () => {
  try {
    loadConfig({
      STRIPE_SECRET_KEY: 'pk_live_wrongkind',
      STRIPE_API_BASE: 'not a url',
      TOLLGATE_TOPUP_MIN_USD: '12.3456789012345',
      TOLLGATE_ISSUER_CODE: 'lower case',
      TOLLGATE_CARD_RETRY_HOURS: '0',
    });
    assert.fail('expected a ConfigError');
  } catch (e) {
    assert.ok(e instanceof ConfigError);
    const text = e.problems.join('\n');
    for (const v of ['STRIPE_SECRET_KEY', 'STRIPE_API_BASE', 'TOLLGATE_TOPUP_MIN_USD', 'TOLLGATE_ISSUER_CODE', 'TOLLGATE_CARD_RETRY_HOURS'])
      assert.match(text, new RegExp(v), `names ${v}`);
  }
  assert.throws(() => loadConfig({ STRIPE_SECRET_KEY: 'sk_test_abc' }), /STRIPE_WEBHOOK_SECRET.*required with STRIPE_SECRET_KEY/);
  assert.throws(() => loadConfig({ TOLLGATE_TOPUP_MIN_USD: '50', TOLLGATE_TOPUP_MAX_USD: '10' }), /TOLLGATE_TOPUP_MIN_USD.*maximum/);
});
