/**
 * The simulator fails closed (issue 9, item 10): simulated answers carry `tollgate-upstream:
 * simulator`, reports mark them and keep them out of revenue and margin, and with
 * NODE_ENV=production and no provider key nothing is served unless TOLLGATE_SIMULATOR=on.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestGateway } from '../support/gateway.ts';

const ask = (url: string, key: string) =>
  fetch(`${url}/v1/messages`, {
    method: 'POST',
    headers: { 'x-api-key': key, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 20, messages: [{ role: 'user', content: 'Hi' }] }),
  });

test('simulated answers are marked and never counted as revenue', async () => {
  const tg = await startTestGateway();
  try {
    const c = await tg.customer({ credits: '5' });
    const r = await ask(tg.url, c.key);
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('tollgate-upstream'), 'simulator');
    await r.json();
    const u = await tg.cli('usage', '--org', c.orgId, '--margin');
    assert.equal(u.simulated_requests, 1);
    assert.equal(u.simulated_cost_usd, u.cost_usd);
    assert.equal(u.revenue_usd, '0');
    assert.equal(u.upstream_cost_usd, '0');
    assert.equal(u.margin_usd, '0');
  } finally {
    await tg.close();
  }
});

test('NODE_ENV=production without a provider key: no simulator, nothing served; TOLLGATE_SIMULATOR=on enables it', async () => {
  const off = await startTestGateway({ env: { NODE_ENV: 'production' } });
  try {
    assert.equal(off.gw.simulatorUrl, undefined);
    const c = await off.customer({ credits: '5' });
    const r = await ask(off.url, c.key);
    assert.notEqual(r.status, 200);
    assert.ok(r.status >= 400 && r.status < 600);
    assert.equal(r.headers.get('tollgate-upstream'), null);
    assert.equal((await off.cli('usage', '--org', c.orgId)).requests, 0, 'nothing billed');
  } finally {
    await off.close();
  }
  const on = await startTestGateway({ env: { NODE_ENV: 'production', TOLLGATE_SIMULATOR: 'on' } });
  try {
    assert.ok(on.gw.simulatorUrl);
    const c = await on.customer({ credits: '5' });
    const r = await ask(on.url, c.key);
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('tollgate-upstream'), 'simulator');
  } finally {
    await on.close();
  }
});
