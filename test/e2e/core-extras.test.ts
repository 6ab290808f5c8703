/**
 * Gateway-core details a user relies on: count_tokens, key expiry, effective-dated prices (history
 * is never re-rated), the guide's cost table reproduced by `tollgate estimate`, and logs that never
 * contain a secret.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import Anthropic from '@anthropic-ai/sdk';
import { ManualClock, systemClock } from '../../src/core/clock.ts';
import { createLogger } from '../../src/core/logger.ts';
import { loadConfig } from '../../src/config/config.ts';
import { startGateway } from '../../src/gateway.ts';
import { AccountsService } from '../../src/accounts/service.ts';
import { Ledger } from '../../src/billing/ledger.ts';
import { usdToPico } from '../../src/core/money.ts';
import { startFakeUpstream, type FakeUpstream } from '../support/fake-upstream.ts';
import { freshDatabase, startTestGateway, type TestGateway } from '../support/gateway.ts';
import { usageEvents } from '../support/db.ts';

let fake: FakeUpstream;
let tg: TestGateway;
const clock = new ManualClock(Date.UTC(2026, 10, 20, 12, 0, 0));
before(async () => {
  fake = await startFakeUpstream();
  tg = await startTestGateway({ upstreamUrl: fake.url, clock });
});
after(async () => {
  await tg?.close();
  await fake?.close();
});

test('count_tokens is forwarded, free, and not billed', async () => {
  const c = await tg.customer();
  const client = new Anthropic({ baseURL: tg.url, apiKey: c.key, maxRetries: 0 });
  const r = await client.messages.countTokens({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'How many tokens is this?' }] });
  assert.ok(r.input_tokens > 0);
  assert.equal(fake.requests.at(-1)!.path, '/v1/messages/count_tokens');
  assert.equal((await usageEvents(tg.databaseUrl, { orgId: c.orgId })).length, 0);
});

test('an expired key gets 401; expiry is derived from the clock', async () => {
  const c = await tg.customer();
  const k = await tg.accounts.createKey({ orgId: c.orgId, expiresAt: clock.now() + 3_600_000 });
  await tg.gw.refresh();
  const client = new Anthropic({ baseURL: tg.url, apiKey: k.key, maxRetries: 0 });
  const ask = { model: 'claude-haiku-4-5', max_tokens: 10, messages: [{ role: 'user' as const, content: 'hi' }] };
  await client.messages.create(ask);
  clock.advance(3_600_001);
  await assert.rejects(client.messages.create(ask), (e: any) => e instanceof Anthropic.AuthenticationError && /expired/.test(e.message));
  await tg.gw.refresh(); // flushes the batched last-used times
  const listed = await tg.cli('key', 'list', '--org', c.orgId);
  assert.ok(
    listed.some((x: any) => x.id === k.id && x.last_used_at !== null),
    'last-used time recorded',
  );
});

test('a price change adds a row effective from its date; earlier usage keeps its price', async () => {
  const c = await tg.customer();
  const client = new Anthropic({ baseURL: tg.url, apiKey: c.key, maxRetries: 0 });
  const ask = { model: 'claude-haiku-4-5', max_tokens: 10, messages: [{ role: 'user' as const, content: 'hi' }] };
  fake.script({ kind: 'usage', usage: { input_tokens: 1000, output_tokens: 0 } as any });
  await client.messages.create(ask);
  const { writeFileSync, mkdtempSync } = await import('node:fs');
  const dir = mkdtempSync('/tmp/tg-prices-');
  writeFileSync(`${dir}/haiku.json`, JSON.stringify({ models: [{ model: 'claude-haiku-4-5-20251001', input: '2', output: '10' }] }));
  const at = new Date(clock.now() + 1000).toISOString();
  // The gateway runs on the test's clock, the CLI on the real one: to the CLI this date may be past.
  await tg.cli('prices', 'import', `${dir}/haiku.json`, '--effective', at, '--backdate');
  await tg.gw.refresh();
  clock.advance(2000);
  fake.script({ kind: 'usage', usage: { input_tokens: 1000, output_tokens: 0 } as any });
  await client.messages.create(ask);
  const ev = await usageEvents(tg.databaseUrl, { orgId: c.orgId });
  assert.deepEqual(
    ev.map((e) => e.cost),
    [1_000n * 1_000_000n, 1_000n * 2_000_000n],
    'old price, then new price',
  );
  assert.notEqual(ev[0]!.price_id, ev[1]!.price_id);
  const all = await tg.cli('prices', 'list', '--model', 'claude-haiku-4-5', '--all');
  assert.equal(all.length, 2, 'history kept');
  assert.deepEqual(all.map((r: any) => r.input).sort(), ['1', '2']);
});

test("tollgate estimate reproduces the guide's typical-task cost table with the guide's price sheet", async () => {
  const rows: Array<[number, number, string, string]> = [
    [500, 200, '0.0045', '0.0225'],
    [2_000, 1_000, '0.021', '0.105'],
    [10_000, 2_000, '0.06', '0.3'],
    [50_000, 10_000, '0.3', '1.5'],
    [200_000, 4_000, '0.66', '3.3'],
  ];
  for (const [input, output, sonnet, opus] of rows) {
    const s = await tg.cli(
      'estimate',
      '--model',
      'claude-sonnet-4-5',
      '--input',
      String(input),
      '--output',
      String(output),
      '--prices',
      'examples/guide-prices.json',
    );
    const o = await tg.cli(
      'estimate',
      '--model',
      'claude-opus-4-5',
      '--input',
      String(input),
      '--output',
      String(output),
      '--prices',
      'examples/guide-prices.json',
    );
    assert.equal(s.cost_usd, sonnet);
    assert.equal(o.cost_usd, opus);
  }
  // The shipped catalog has Anthropic's official list price instead ($5/$25 for Opus 4.5, not the guide's $15/$75).
  const official = await tg.cli('estimate', '--model', 'claude-opus-4-5', '--input', '200000', '--output', '4000');
  assert.equal(official.cost_usd, '1.1');
});

test('logs never contain customer or upstream secrets', async () => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _e, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  const db = await freshDatabase();
  const config = loadConfig({
    DATABASE_URL: db.url,
    PORT: '0',
    LOG_LEVEL: 'trace',
    ANTHROPIC_API_KEY: 'sk-ant-upstream-SECRET-1',
    ANTHROPIC_BASE_URL: 'http://127.0.0.1:1',
    TOLLGATE_FREE_CREDITS_USD: '0',
  });
  const gw = await startGateway(config, { logger: createLogger('trace', sink as any) });
  try {
    const accounts = new AccountsService(gw.store.db, systemClock);
    const { org } = await accounts.createOrg({ name: 'Logs' });
    await new Ledger(gw.store.db, systemClock).append({ orgId: org.id, kind: 'purchase', amount: usdToPico('5') });
    const k = await accounts.createKey({ orgId: org.id });
    await gw.refresh();
    const client = new Anthropic({ baseURL: gw.url, apiKey: k.key, maxRetries: 0 });
    await assert.rejects(
      client.messages.create({ model: 'claude-haiku-4-5', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }),
      (e: any) => e.status === 502,
    );
    await assert.rejects(
      new Anthropic({ baseURL: gw.url, apiKey: `${k.key}x`, maxRetries: 0 }).messages.create({
        model: 'claude-haiku-4-5',
        max_tokens: 10,
        messages: [{ role: 'user', content: 'hi' }],
      }),
    );
    const all = lines.join('');
    assert.ok(all.length > 0);
    assert.equal(all.includes('SECRET-1'), false, 'upstream key not logged');
    assert.equal(all.includes(k.key.slice(6)), false, 'customer key not logged');
  } finally {
    await gw.close();
    await db.drop();
  }
});

test('a repeat with the same Idempotency-Key is replayed, not forwarded or billed again', async () => {
  const c = await tg.customer();
  const client = new Anthropic({ baseURL: tg.url, apiKey: c.key, maxRetries: 0 });
  const ask = { model: 'claude-haiku-4-5', max_tokens: 10, messages: [{ role: 'user' as const, content: 'once' }] };
  const before = fake.requests.length;
  const a = await client.messages.create(ask, { headers: { 'idempotency-key': 'order-42' } }).withResponse();
  const b = await client.messages.create(ask, { headers: { 'idempotency-key': 'order-42' } }).withResponse();
  assert.equal(b.data.id, a.data.id);
  assert.equal(b.response.headers.get('idempotent-replayed'), 'true');
  assert.equal(fake.requests.length - before, 1);
  const s1 = client.messages.stream(ask, { headers: { 'idempotency-key': 'order-43' } });
  const m1 = await s1.finalMessage();
  const m2 = await client.messages.stream(ask, { headers: { 'idempotency-key': 'order-43' } }).finalMessage();
  assert.equal(m2.id, m1.id, 'streams replay too');
  assert.equal((await usageEvents(tg.databaseUrl, { orgId: c.orgId })).length, 2);
});
