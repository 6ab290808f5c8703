/**
 * Money beyond int64 (issue 9, item 6). Amounts are pico-USD, so a 64-bit column ends at about
 * $9.22M: `credits buy --usd 8000000` used to write its entry and then fail every balance, sum
 * and background reload with "integer overflow". Now ledger, rollups and sums hold $10^12 and
 * more per org, exactly, on SQLite and PostgreSQL, and a write that would not fit is refused
 * before anything is stored.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import Anthropic from '@anthropic-ai/sdk';
import { picoToUsd, usdToPico } from '../../src/core/money.ts';
import { dayKey, monthKey } from '../../src/core/clock.ts';
import { kyselyUsageSink } from '../../src/usage/sink-kysely.ts';
import { sqliteUsageSink } from '../../src/usage/sink-sqlite.ts';
import type { UsageEventRow } from '../../src/usage/writer.ts';
import { startFakeUpstream, type FakeUpstream } from '../support/fake-upstream.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';

const run = promisify(execFile);
const ADMIN = 'test-admin-token-0123456789abcdef';
let fake: FakeUpstream;
let tg: TestGateway;

before(async () => {
  fake = await startFakeUpstream();
  tg = await startTestGateway({ upstreamUrl: fake.url, env: { TOLLGATE_ADMIN_TOKEN: ADMIN } });
});
after(async () => {
  await tg?.close();
  await fake?.close();
});

const admin = async (path: string, body?: unknown) => {
  const r = await fetch(`${tg.url}/admin/v1/${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${ADMIN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: r.status, json: (await r.json()) as any };
};

test('credits buy --usd 8000000 and many more: balance, history and reloads stay exact up to $10^12 lifetime', async () => {
  const c = await tg.customer({ credits: '0', name: 'Big Spender' });
  const other = await tg.customer({ credits: '10', name: 'Bystander' });
  for (let i = 0; i < 4; i++) {
    const r = await tg.cli('credits', 'buy', '--org', c.orgId, '--usd', '8000000');
    assert.equal(r.amount_usd, '8000000');
    assert.equal(r.balance_usd, String(8_000_000 * (i + 1)));
  }
  const big = await tg.cli('credits', 'buy', '--org', c.orgId, '--usd', '999999968000000.123456789012');
  assert.equal(big.balance_usd, '1000000000000000.123456789012', 'a quadrillion dollars, to the pico-dollar');
  // The running server's reload (every org's credit total) still works, for this org and the others.
  await tg.gw.refresh();
  fake.script({ kind: 'usage', usage: { input_tokens: 1000, output_tokens: 100 } as any });
  await new Anthropic({ baseURL: tg.url, apiKey: c.key, maxRetries: 0 }).messages.create({
    model: 'claude-sonnet-4-5',
    max_tokens: 200,
    messages: [{ role: 'user', content: 'Hi' }],
  });
  await new Anthropic({ baseURL: tg.url, apiKey: other.key, maxRetries: 0 }).messages.create({
    model: 'claude-sonnet-4-5',
    max_tokens: 20,
    messages: [{ role: 'user', content: 'Hi' }],
  });
  const bal = await tg.cli('credits', 'balance', '--org', c.orgId);
  const usage = await tg.cli('usage', '--org', c.orgId);
  assert.equal(bal.credits_usd, '1000000000000000.123456789012');
  assert.equal(bal.usage_usd, usage.cost_usd);
  assert.equal(bal.balance_usd, picoToUsd(usdToPico('1000000000000000.123456789012') - usdToPico(usage.cost_usd)));
  const api = await admin(`orgs/${c.orgId}/credits`);
  assert.equal(api.status, 200);
  assert.equal(api.json.balance_usd, bal.balance_usd);
  const orgs = await admin('orgs');
  assert.equal(orgs.status, 200);
  assert.equal(orgs.json.orgs.find((o: any) => o.id === c.orgId).balance_usd, bal.balance_usd);
});

test('daily rollups sum past int64 exactly (three $4M events on one day, key and model)', async () => {
  const c = await tg.customer({ credits: '0', name: 'Rollup' });
  const t = Date.now();
  const cost = usdToPico('4000000.000000000001');
  const rows: UsageEventRow[] = [1, 2, 3].map(
    (i) =>
      ({
        id: `req_wide_${i}`,
        org_id: c.orgId,
        workspace_id: c.workspaceId,
        key_id: c.keyId,
        model: 'claude-sonnet-4-5',
        upstream: 'anthropic',
        surface: 'anthropic',
        status: 200n,
        outcome: 'ok',
        stream: 0n,
        input_tokens: 1n,
        output_tokens: 1n,
        cache_write_5m_tokens: 0n,
        cache_write_1h_tokens: 0n,
        cache_read_tokens: 0n,
        web_search_requests: 0n,
        cost,
        upstream_cost: cost * 2n,
        price_id: null,
        estimated: 0n,
        created_at: BigInt(t),
        month: monthKey(t),
        day: dayKey(t),
        latency_ms: 1n,
        ttft_ms: null,
        idempotency_key: null,
      }) as UsageEventRow,
  );
  const sink = tg.gw.store.sqlite ? sqliteUsageSink(tg.gw.store.sqlite) : kyselyUsageSink(tg.gw.store.db);
  await sink(rows.slice(0, 2));
  await sink(rows.slice(2)); // the upsert path: an existing rollup row grows past int64
  const u = await tg.cli('usage', '--org', c.orgId, '--margin');
  assert.equal(u.cost_usd, '12000000.000000000003');
  assert.equal(u.upstream_cost_usd, '24000000.000000000006');
  assert.equal(u.margin_usd, '-12000000.000000000003');
  const bal = await tg.cli('credits', 'balance', '--org', c.orgId);
  assert.equal(bal.usage_usd, '12000000.000000000003');
});

test('an amount that would not fit is refused before anything is stored', async () => {
  const c = await tg.customer({ credits: '1', name: 'Too Big' });
  const before = await tg.cli('credits', 'history', '--org', c.orgId);
  await assert.rejects(
    run(process.execPath, ['bin/tollgate.mjs', 'credits', 'buy', '--org', c.orgId, '--usd', '1' + '0'.repeat(25), '--json'], {
      env: { ...process.env, ...tg.env },
    }),
    (e: any) => e.code !== 0 && /too large/.test(e.stderr),
  );
  const r = await admin(`orgs/${c.orgId}/credits`, { kind: 'purchase', amount_usd: '1' + '0'.repeat(25) });
  assert.equal(r.status, 400);
  assert.match(r.json.error.message, /too large/);
  assert.deepEqual(await tg.cli('credits', 'history', '--org', c.orgId), before);
  assert.equal((await tg.cli('credits', 'balance', '--org', c.orgId)).balance_usd, '1');
});

test('admin API money is a decimal string: 1234567.1 is exact as a string, a JSON number is a 400', async () => {
  const c = await tg.customer({ credits: '0', name: 'Strings' });
  const ok = await admin(`orgs/${c.orgId}/credits`, { kind: 'purchase', amount_usd: '1234567.1' });
  assert.equal(ok.status, 201);
  assert.equal(ok.json.amount_usd, '1234567.1');
  assert.equal(ok.json.balance_usd, '1234567.1');
  const num = await admin(`orgs/${c.orgId}/credits`, { kind: 'purchase', amount_usd: 1234567.1 });
  assert.equal(num.status, 400);
  assert.equal(num.json.error.type, 'invalid_request_error');
  assert.match(num.json.error.message, /decimal string/);
  const adj = await admin(`orgs/${c.orgId}/credits`, { kind: 'adjustment', amount_usd: -0.5 });
  assert.equal(adj.status, 400);
  assert.equal((await tg.cli('credits', 'balance', '--org', c.orgId)).balance_usd, '1234567.1');
});
