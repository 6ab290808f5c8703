/**
 * Migration 010: what the upstream reports about how a request ran (speed, service tier, inference
 * geography, web fetch and code execution counts) lands on the usage event, on SQLite and
 * PostgreSQL (run with DATABASE_URL=postgres://… for the latter).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import { startFakeUpstream, type FakeUpstream } from '../support/fake-upstream.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';

let fake: FakeUpstream;
let tg: TestGateway;
before(async () => {
  fake = await startFakeUpstream();
  tg = await startTestGateway({ upstreamUrl: fake.url });
});
after(async () => {
  await tg?.close();
  await fake?.close();
});

test('reported speed, tier, geo and server-tool counts are stored on the event (JSON and stream)', async () => {
  const c = await tg.customer();
  const client = new Anthropic({ baseURL: tg.url, apiKey: c.key, maxRetries: 0 });
  const reported = {
    input_tokens: 100,
    output_tokens: 20,
    service_tier: 'standard',
    inference_geo: 'global',
    server_tool_use: { web_search_requests: 0, web_fetch_requests: 2, code_execution_requests: 1 },
  };
  fake.script({ kind: 'usage', usage: reported as any });
  await client.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 50, messages: [{ role: 'user', content: 'Hello' }] });
  fake.script([
    { kind: 'chunking', sizes: 'random' },
    { kind: 'usage', usage: { ...reported, service_tier: 'priority', server_tool_use: { web_fetch_requests: 5 } } as any },
  ]);
  await client.messages.stream({ model: 'claude-sonnet-4-5', max_tokens: 50, messages: [{ role: 'user', content: 'Hello' }] }).finalMessage();
  const rows = await tg.gw.store.db.selectFrom('usage_events').selectAll().where('org_id', '=', c.orgId).orderBy('created_at').execute();
  assert.equal(rows.length, 2);
  const byStream = (s: bigint) => rows.find((r) => r.stream === s)!;
  const json = byStream(0n);
  assert.equal(json.service_tier, 'standard');
  assert.equal(json.inference_geo, 'global');
  assert.equal(json.speed, null, 'not reported → null, never guessed');
  assert.equal(BigInt(json.web_fetch_requests), 2n);
  assert.equal(BigInt(json.code_execution_requests), 1n);
  const sse = byStream(1n);
  assert.equal(sse.service_tier, 'priority');
  assert.equal(BigInt(sse.web_fetch_requests), 5n);
});
