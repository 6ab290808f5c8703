/** The webhook signature scheme: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>, 5-minute tolerance. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { signPayload, verifySignature } from '../../src/billing/alerts/signature.ts';

const secret = 'whsec_test_secret';
const body = JSON.stringify({ id: 'alrt_1', type: 'spend.threshold', data: { spent_usd: '40' } });
const t = 1_795_000_000;

test('a signature is HMAC-SHA256 of "<t>.<body>" in hex, and verifies', () => {
  const h = signPayload(body, secret, t);
  const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
  assert.equal(h, `t=${t},v1=${expected}`);
  assert.equal(verifySignature(h, body, secret, t), true);
  assert.equal(verifySignature(h, Buffer.from(body), secret, t), true);
});

test('wrong secret, changed body or changed timestamp fail', () => {
  const h = signPayload(body, secret, t);
  assert.equal(verifySignature(h, body, 'whsec_other', t), false);
  assert.equal(verifySignature(h, body.replace('40', '41'), secret, t), false);
  assert.equal(verifySignature(h.replace(`t=${t}`, `t=${t + 1}`), body, secret, t), false);
  assert.equal(verifySignature(h, body, '', t), false);
});

test('timestamps within 5 minutes pass, beyond fail (both directions)', () => {
  const h = signPayload(body, secret, t);
  assert.equal(verifySignature(h, body, secret, t + 300), true);
  assert.equal(verifySignature(h, body, secret, t - 300), true);
  assert.equal(verifySignature(h, body, secret, t + 301), false);
  assert.equal(verifySignature(h, body, secret, t - 301), false);
  assert.equal(verifySignature(h, body, secret, t + 3600, 7200), true);
});

test('malformed headers are false, never a throw; extra v1 entries (rotation) are allowed', () => {
  for (const bad of [undefined, null, '', 'garbage', `t=${t}`, 'v1=abcd', `t=abc,v1=${'0'.repeat(64)}`, `t=${t},v1=zz`, `t=${t},v1=${'0'.repeat(64)}`]) {
    assert.equal(verifySignature(bad as any, body, secret, t), false, String(bad));
  }
  const good = signPayload(body, secret, t).split(',v1=')[1];
  assert.equal(verifySignature(`t=${t},v1=${'0'.repeat(64)},v1=${good}`, body, secret, t), true);
  assert.equal(verifySignature(`t=${t}, v0=xyz, v1=${good}`, body, secret, t), true);
});
