/**
 * A broken upstream reports usage that cannot be true: 1e15 output tokens, negative or fractional
 * counts, no usage at all, total_tokens above prompt + completion. Each is billed at the documented
 * bound (never $0, never an absurd amount), flagged as an anomaly and alerted to the operator; and
 * one bad number never stalls the books of anyone else. Runs on SQLite, or PostgreSQL with DATABASE_URL.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { startFakeUpstream, type FakeUpstream } from '../support/fake-upstream.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { usageEvents } from '../support/db.ts';
import { BODY_INDEPENDENT_TOKENS } from '../../src/metering/estimate.ts';

let fake: FakeUpstream;
let tg: TestGateway;
before(async () => {
  fake = await startFakeUpstream({ textChars: 300 });
  tg = await startTestGateway({
    upstreamUrl: fake.url,
    openaiUpstreamUrl: fake.url,
    env: { TOLLGATE_OPERATOR_ALERT_EMAIL: 'ops@example.test', TOLLGATE_OPERATOR_ALERT_INTERVAL_MS: '0' },
  });
});
after(async () => {
  await tg?.close();
  await fake?.close();
});

const ask = { model: 'claude-sonnet-4-5', max_tokens: 500, messages: [{ role: 'user' as const, content: 'Tell me a story' }] };
const chat = { model: 'gpt-4o', max_tokens: 300, messages: [{ role: 'user' as const, content: 'Tell me a story' }] };

async function onlyEvent(orgId: string) {
  const ev = await usageEvents(tg.databaseUrl, { orgId });
  assert.equal(ev.length, 1, 'exactly one usage event');
  return ev[0]! as (typeof ev)[0] & { anomaly: string | null };
}

async function outbox(): Promise<Array<{ to: string; subject: string; text: string }>> {
  await tg.gw.rt.operatorAlerts!.idle();
  return (await tg.gw.store.db
    .selectFrom('outbox' as any)
    .selectAll()
    .execute()) as any;
}

test('output_tokens 1e15 is billed as max_tokens, flagged, alerted; the next request is billed at once', async () => {
  const c = await tg.customer();
  const client = new Anthropic({ baseURL: tg.url, apiKey: c.key, maxRetries: 0 });
  fake.script({ kind: 'usage', usage: { input_tokens: 20, output_tokens: 1e15 } });
  const m = await client.messages.create(ask);
  assert.equal(m.type, 'message');
  const e = await onlyEvent(c.orgId);
  assert.equal(e.output_tokens, 500n);
  assert.equal(e.input_tokens, 20n, 'the input side was believable and is kept');
  assert.match(e.anomaly ?? '', /output_out_of_bounds/);
  const mails = (await outbox()).filter((x) => x.text.includes(m._request_id!));
  assert.equal(mails.length, 1);
  assert.equal(mails[0]!.to, 'ops@example.test');

  // Nobody's books stall: a normal request right after is billed within its response.
  const c2 = await tg.customer();
  const t0 = Date.now();
  await new Anthropic({ baseURL: tg.url, apiKey: c2.key, maxRetries: 0 }).messages.create(ask);
  assert.ok(Date.now() - t0 < 2000, `took ${Date.now() - t0} ms`);
  assert.equal((await onlyEvent(c2.orgId)).anomaly, null);
});

test('a negative output count in a stream (awkward chunks) is billed as max_tokens and flagged', async () => {
  const c = await tg.customer();
  const client = new Anthropic({ baseURL: tg.url, apiKey: c.key, maxRetries: 0 });
  fake.script([
    { kind: 'chunking', sizes: 'random', seed: 7 },
    { kind: 'usage', usage: { input_tokens: 30, output_tokens: -5 } },
  ]);
  await client.messages.stream(ask).finalMessage();
  const e = await onlyEvent(c.orgId);
  assert.equal(e.output_tokens, 500n);
  assert.match(e.anomaly ?? '', /invalid:output_tokens/);
  assert.equal(e.estimated, 0n);
});

test("a fractional or non-numeric input count bills the body's byte bound as input", async () => {
  const c = await tg.customer();
  const client = new Anthropic({ baseURL: tg.url, apiKey: c.key, maxRetries: 0 });
  fake.script({ kind: 'usage', usage: { input_tokens: 12.5 as any, output_tokens: 40 } });
  await client.messages.create(ask);
  const e = await onlyEvent(c.orgId);
  assert.match(e.anomaly ?? '', /invalid:input_tokens/);
  assert.equal(e.output_tokens, 40n);
  const bytes = Buffer.byteLength(JSON.stringify(ask));
  assert.ok(
    e.input_tokens >= BigInt(BODY_INDEPENDENT_TOKENS + bytes - 20) && e.input_tokens <= BigInt(BODY_INDEPENDENT_TOKENS + bytes + 200),
    `input ${e.input_tokens}`,
  );
  assert.ok(e.cost > 0n);
});

test('a reply without any usage is billed at the bound (input byte bound, max_tokens output), never $0', async () => {
  const c = await tg.customer();
  const client = new Anthropic({ baseURL: tg.url, apiKey: c.key, maxRetries: 0 });
  fake.script({
    kind: 'json',
    status: 200,
    body: {
      id: 'msg_x',
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-5',
      content: [{ type: 'text', text: 'hi' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
    },
  });
  await client.messages.create(ask);
  const e = await onlyEvent(c.orgId);
  assert.match(e.anomaly ?? '', /missing:usage/);
  assert.equal(e.output_tokens, 500n);
  assert.ok(e.input_tokens > BigInt(BODY_INDEPENDENT_TOKENS));
});

test('OpenAI wire: output = max(completion_tokens, total_tokens − prompt_tokens) (thinking left out of completion)', async () => {
  const c = await tg.customer();
  const client = new OpenAI({ baseURL: `${tg.url}/v1`, apiKey: c.key, maxRetries: 0 });
  fake.script({ kind: 'usage', usage: {}, openaiUsage: { prompt_tokens: 100, completion_tokens: 20, total_tokens: 270 } });
  await client.chat.completions.create(chat);
  const e = await onlyEvent(c.orgId);
  assert.equal(e.input_tokens, 100n);
  assert.equal(e.output_tokens, 170n);
  assert.equal(e.anomaly, null);

  const c2 = await tg.customer();
  const client2 = new OpenAI({ baseURL: `${tg.url}/v1`, apiKey: c2.key, maxRetries: 0 });
  fake.script([
    { kind: 'chunking', sizes: [3, 1, 7] },
    { kind: 'usage', usage: {}, openaiUsage: { prompt_tokens: 100, completion_tokens: 20, total_tokens: 270 } },
  ]);
  const s = await client2.chat.completions.create({ ...chat, stream: true });
  for await (const _ of s) {
    /* drain */
  }
  assert.equal((await onlyEvent(c2.orgId)).output_tokens, 170n);
});

test('OpenAI wire: total_tokens of 1e15 and negative prompt_tokens are bounded and flagged', async () => {
  const c = await tg.customer();
  const client = new OpenAI({ baseURL: `${tg.url}/v1`, apiKey: c.key, maxRetries: 0 });
  fake.script({ kind: 'usage', usage: {}, openaiUsage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 1e15 } });
  await client.chat.completions.create(chat);
  const e = await onlyEvent(c.orgId);
  assert.equal(e.output_tokens, 300n);
  assert.match(e.anomaly ?? '', /output_out_of_bounds/);

  const c2 = await tg.customer();
  fake.script({ kind: 'usage', usage: {}, openaiUsage: { prompt_tokens: -10, completion_tokens: 5, total_tokens: 5 } });
  await new OpenAI({ baseURL: `${tg.url}/v1`, apiKey: c2.key, maxRetries: 0 }).chat.completions.create(chat);
  const e2 = await onlyEvent(c2.orgId);
  assert.match(e2.anomaly ?? '', /invalid:prompt_tokens/);
  assert.ok(e2.input_tokens > BigInt(BODY_INDEPENDENT_TOKENS));
});
