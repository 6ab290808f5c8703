/**
 * Reports a finance person can recompute cost from (issue 9, items 8 and 9): the 5m/1h cache-write
 * split, server-tool counts, estimated counts; `tollgate usage --events` exports every event of a
 * period (CSV properly escaped, JSON lines, money as decimal strings); --since/--until keep the
 * time of day and an inverted range is refused with a non-zero exit.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import Anthropic from '@anthropic-ai/sdk';
import { startFakeUpstream, type FakeUpstream } from '../support/fake-upstream.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';

const run = promisify(execFile);
let fake: FakeUpstream;
let tg: TestGateway;
let c: Awaited<ReturnType<TestGateway['customer']>>;
let t0: number;
let t1: number;

before(async () => {
  fake = await startFakeUpstream();
  tg = await startTestGateway({ upstreamUrl: fake.url });
  c = await tg.customer({ credits: '50', name: 'Finance, "Inc"' });
  const client = new Anthropic({ baseURL: tg.url, apiKey: c.key, maxRetries: 0 });
  t0 = Date.now();
  fake.script({
    kind: 'usage',
    usage: {
      input_tokens: 1000,
      output_tokens: 100,
      cache_creation: { ephemeral_5m_input_tokens: 200, ephemeral_1h_input_tokens: 300 },
      server_tool_use: { web_search_requests: 2 },
    } as any,
  });
  await client.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 200, messages: [{ role: 'user', content: 'Hi' }] });
  await new Promise((r) => setTimeout(r, 20));
  t1 = Date.now();
  fake.script({ kind: 'usage', usage: { input_tokens: 10, output_tokens: 20 } as any });
  await client.messages.create({ model: 'claude-haiku-4-5', max_tokens: 50, messages: [{ role: 'user', content: 'Hi' }] });
});
after(async () => {
  await tg?.close();
  await fake?.close();
});

const cliRaw = (...args: string[]) => run(process.execPath, ['bin/tollgate.mjs', ...args], { env: { ...process.env, ...tg.env }, maxBuffer: 64 << 20 });

test('usage shows the 5m/1h cache-write split, server tools and estimated counts', async () => {
  const u = await tg.cli('usage', '--org', c.orgId);
  assert.equal(u.requests, 2);
  assert.equal(u.cache_write_5m_input_tokens, 200);
  assert.equal(u.cache_write_1h_input_tokens, 300);
  assert.equal(u.cache_creation_input_tokens, 500);
  assert.equal(u.web_search_requests, 2);
  assert.equal(u.estimated_requests, 0);
  assert.equal(u.estimated_cost_usd, '0');
  assert.equal(u.simulated_requests, 0);
  // 1000×$3 + 100×$15 + 200×$3.75 + 300×$6 per MTok + 2 searches × $0.01, then Haiku 10×$1 + 20×$5.
  const sonnet = u.by_model.find((m: any) => m.model.startsWith('claude-sonnet-4-5'));
  assert.equal(sonnet.cost_usd, '0.02705');
  assert.equal(u.upstream_cost_usd, undefined, 'upstream cost only with --margin');
  const m = await tg.cli('usage', '--org', c.orgId, '--margin');
  assert.equal(m.revenue_usd, m.cost_usd);
});

test('--since/--until keep the time of day; an inverted range is refused with a non-zero exit', async () => {
  const later = await tg.cli('usage', '--org', c.orgId, '--since', new Date(t1).toISOString());
  assert.equal(later.requests, 1);
  assert.match(later.by_model[0].model, /^claude-haiku-4-5/);
  const earlier = await tg.cli('usage', '--org', c.orgId, '--since', new Date(t0 - 1000).toISOString(), '--until', new Date(t1).toISOString());
  assert.equal(earlier.requests, 1);
  assert.match(earlier.by_model[0].model, /^claude-sonnet-4-5/);
  await assert.rejects(
    cliRaw('usage', '--org', c.orgId, '--since', '2026-12-02T10:00:00Z', '--until', '2026-12-02T09:00:00Z', '--json'),
    (e: any) => e.code === 1 && /--since .* must be before --until/.test(e.stderr),
  );
  await assert.rejects(
    cliRaw('usage', '--org', c.orgId, '--since', '2026-02-30', '--json'),
    (e: any) => e.code === 1 && /--since: expected a date/.test(e.stderr),
  );
});

test('usage --events exports every event of the period as CSV (escaped) and JSON lines, money as decimal strings', async () => {
  const csv = (await cliRaw('usage', '--org', c.orgId, '--events', '--format', 'csv')).stdout;
  const lines = csv.trimEnd().split('\r\n');
  assert.equal(lines.length, 3);
  const head = lines[0]!.split(',');
  const row = lines[1]!.split(',');
  assert.equal(row[head.indexOf('cost_usd')], '0.02705');
  assert.equal(row[head.indexOf('cache_write_1h_tokens')], '300');
  assert.equal(row[head.indexOf('web_search_requests')], '2');
  assert.equal(row[head.indexOf('estimated')], 'false');
  const jsonl = (await cliRaw('usage', '--org', c.orgId, '--events', '--format', 'jsonl', '--since', new Date(t1).toISOString())).stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.equal(jsonl.length, 1);
  assert.match(jsonl[0].model, /^claude-haiku-4-5/);
  assert.equal(typeof jsonl[0].cost_usd, 'string');
  assert.equal(jsonl[0].cost_usd, '0.00011');
});

test('anomalies (usage the upstream reported that could not be believed) are counted in the CLI and the admin API, from the rollups and from the events', async () => {
  const d = await tg.customer({ credits: '10' });
  const client = new Anthropic({ baseURL: tg.url, apiKey: d.key, maxRetries: 0 });
  fake.script({ kind: 'usage', usage: { input_tokens: 10, output_tokens: 1e15 } as any });
  await client.messages.create({ model: 'claude-haiku-4-5', max_tokens: 50, messages: [{ role: 'user', content: 'Hi' }] });
  fake.script({ kind: 'usage', usage: { input_tokens: 10, output_tokens: 20 } as any });
  await client.messages.create({ model: 'claude-haiku-4-5', max_tokens: 50, messages: [{ role: 'user', content: 'Hi' }] });
  // Billed at the bound: 10 × $1 + 50 (max_tokens) × $5 per MTok.
  const u = await tg.cli('usage', '--org', d.orgId);
  assert.equal(u.requests, 2);
  assert.equal(u.anomaly_requests, 1);
  assert.equal(u.anomaly_cost_usd, '0.00026');
  assert.equal(u.by_model[0].anomaly_requests, 1);
  const fromEvents = await tg.cli('usage', '--org', d.orgId, '--since', new Date(Date.now() - 60_000).toISOString());
  assert.equal(fromEvents.anomaly_requests, 1);
  assert.equal(fromEvents.anomaly_cost_usd, '0.00026');
  const day = new Date().toISOString().slice(0, 10);
  const next = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
  const api: any = await (await fetch(`${tg.url}/admin/v1/orgs/${d.orgId}/usage?since=${day}&until=${next}`, { headers: { 'x-api-key': d.adminKey } })).json();
  assert.equal(api.anomaly_requests, 1);
  assert.equal(api.anomaly_cost_usd, '0.00026');
  const text = (await cliRaw('usage', '--org', d.orgId)).stdout;
  assert.match(text, /anomalies 1: \$0\.00026/);
});
