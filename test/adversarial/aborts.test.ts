/**
 * Client aborts and cut streams, driven through the running gateway with both SDKs against a fake
 * upstream speaking real SSE in awkward chunks. A client that leaves is billed what the upstream
 * reports (the gateway reads on, bounded); only when the upstream is cut too is a documented bound
 * billed, flagged `estimated`. Runs on SQLite, or PostgreSQL with DATABASE_URL.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { startFakeUpstream, type FakeUpstream } from '../support/fake-upstream.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { usageEvents } from '../support/db.ts';
import { countTextTokens } from '../../src/metering/token-count.ts';

let fake: FakeUpstream;
let tg: TestGateway;
let quick: TestGateway;
before(async () => {
  fake = await startFakeUpstream({ textChars: 600 });
  tg = await startTestGateway({ upstreamUrl: fake.url, openaiUpstreamUrl: fake.url });
  // A gateway that gives up on an abandoned upstream after 400 ms.
  quick = await startTestGateway({ upstreamUrl: fake.url, openaiUpstreamUrl: fake.url, env: { TOLLGATE_ABORT_DRAIN_MS: '400' } });
});
after(async () => {
  await tg?.close();
  await quick?.close();
  await fake?.close();
});

const ask = { model: 'claude-sonnet-4-5', max_tokens: 700, messages: [{ role: 'user' as const, content: 'Tell me a long story' }] };
const chat = { model: 'gpt-4o', max_tokens: 700, messages: [{ role: 'user' as const, content: 'Tell me a long story' }] };

async function eventOf(g: TestGateway, orgId: string) {
  for (let i = 0; i < 100; i++) {
    const ev = await usageEvents(g.databaseUrl, { orgId });
    if (ev.length) {
      assert.equal(ev.length, 1, 'billed once');
      return ev[0]!;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail('no usage event');
}

/** Aborts once the upstream has the request (plus `ms`), so the abort always lands after the forward. */
function abortOnceForwarded(ac: AbortController, ms = 50) {
  const n = fake.requests.length;
  void fake.waitForRequests(n + 1, 10_000).then(() => setTimeout(() => ac.abort(), ms));
}

test('OpenAI stream aborted mid-way: the usage chunk still arrives upstream and is billed exactly', async () => {
  const c = await tg.customer();
  const client = new OpenAI({ baseURL: `${tg.url}/v1`, apiKey: c.key, maxRetries: 0 });
  fake.script([
    { kind: 'delay', betweenEventsMs: 5 },
    { kind: 'chunking', sizes: 'random', seed: 3 },
    { kind: 'usage', usage: { input_tokens: 321, output_tokens: 456 } },
  ]);
  const ac = new AbortController();
  const s = await client.chat.completions.create({ ...chat, stream: true }, { signal: ac.signal });
  let n = 0;
  try {
    for await (const _ of s) if (++n === 3) ac.abort();
  } catch {
    /* the SDK may end or throw on abort */
  }
  const e = await eventOf(tg, c.orgId);
  assert.equal(e.outcome, 'client_aborted');
  assert.equal(e.input_tokens, 321n);
  assert.equal(e.output_tokens, 456n);
  assert.equal(e.estimated, 0n);
});

test('a non-streamed request abandoned before the answer is billed what the upstream reports', async () => {
  const c = await tg.customer();
  const client = new Anthropic({ baseURL: tg.url, apiKey: c.key, maxRetries: 0 });
  fake.script([
    { kind: 'delay', headersMs: 600 },
    { kind: 'usage', usage: { input_tokens: 50, output_tokens: 99 } },
  ]);
  const ac = new AbortController();
  abortOnceForwarded(ac);
  await assert.rejects(client.messages.create(ask, { signal: ac.signal }));
  const e = await eventOf(tg, c.orgId);
  assert.equal(e.outcome, 'client_aborted');
  assert.equal(e.input_tokens, 50n);
  assert.equal(e.output_tokens, 99n);
  assert.equal(e.estimated, 0n);
});

test('a stream abandoned before its headers is billed what the upstream reports', async () => {
  const c = await tg.customer();
  const client = new Anthropic({ baseURL: tg.url, apiKey: c.key, maxRetries: 0 });
  fake.script([
    { kind: 'delay', headersMs: 500 },
    { kind: 'usage', usage: { input_tokens: 70, output_tokens: 80 } },
  ]);
  const ac = new AbortController();
  abortOnceForwarded(ac);
  await assert.rejects(client.messages.stream(ask, { signal: ac.signal }).finalMessage());
  const e = await eventOf(tg, c.orgId);
  assert.equal(e.input_tokens, 70n);
  assert.equal(e.output_tokens, 80n);
});

test('past the drain bound, an abandoned non-streamed request is billed the bound (byte bound + max_tokens), estimated', async () => {
  const c = await quick.customer();
  const client = new Anthropic({ baseURL: quick.url, apiKey: c.key, maxRetries: 0 });
  fake.script({ kind: 'hang' });
  const ac = new AbortController();
  abortOnceForwarded(ac);
  await assert.rejects(client.messages.create(ask, { signal: ac.signal }));
  await fake.waitFor(() => fake.requests.at(-1)!.aborted, 5000, 'upstream cut after the drain bound');
  const e = await eventOf(quick, c.orgId);
  assert.equal(e.outcome, 'client_aborted');
  assert.equal(e.estimated, 1n);
  assert.equal(e.output_tokens, 700n);
  assert.ok(e.input_tokens > 4096n);
});

test('an OpenAI-wire stream cut before its usage: output = tokens of the streamed TEXT (not framing), input = byte bound of a crafted prompt', async () => {
  const c = await tg.customer();
  const client = new OpenAI({ baseURL: `${tg.url}/v1`, apiKey: c.key, maxRetries: 0 });
  // 200K characters of text that tokenizes densely; a sampled estimate would bill a fraction of it.
  let prompt = '';
  for (let i = 0; prompt.length < 200_000; i++) prompt += `${(i * 7919) % 100003} zq${i % 97}x `;
  const exact = countTextTokens(prompt);
  fake.script([
    { kind: 'chunking', sizes: [5, 2, 9, 1] },
    { kind: 'cut', afterEvents: 30 },
  ]);
  const s = await client.chat.completions.create({ ...chat, messages: [{ role: 'user', content: prompt }], stream: true });
  let streamed = '';
  await assert.rejects(
    (async () => {
      for await (const ch of s) streamed += ch.choices[0]?.delta?.content ?? '';
    })(),
  );
  const e = await eventOf(tg, c.orgId);
  assert.equal(e.outcome, 'incomplete');
  assert.equal(e.estimated, 1n);
  assert.ok(e.input_tokens >= BigInt(exact), `input ${e.input_tokens} ≥ exact ${exact}`);
  const text = countTextTokens(streamed);
  assert.ok(e.output_tokens >= BigInt(text) && e.output_tokens <= BigInt(text + 5), `output ${e.output_tokens} ≈ streamed text ${text} tokens`);
});

test('a reasoning model (hidden thinking) cut before its usage is billed max_tokens of output', async () => {
  const c = await tg.customer();
  const client = new OpenAI({ baseURL: `${tg.url}/v1`, apiKey: c.key, maxRetries: 0 });
  fake.script({ kind: 'cut', afterEvents: 4 });
  const s = await client.chat.completions.create({
    model: 'o3',
    max_completion_tokens: 2000,
    messages: [{ role: 'user', content: 'think hard' }],
    stream: true,
  });
  await assert.rejects(
    (async () => {
      for await (const _ of s) {
        /* drain */
      }
    })(),
  );
  const e = await eventOf(tg, c.orgId);
  assert.equal(e.estimated, 1n);
  assert.equal(e.output_tokens, 2000n);
});

test('an Anthropic stream cut mid-way bills message_start input + streamed-text tokens (Claude margin), capped at max_tokens', async () => {
  const c = await tg.customer();
  const client = new Anthropic({ baseURL: tg.url, apiKey: c.key, maxRetries: 0 });
  fake.script([
    { kind: 'chunking', sizes: 'byte' },
    { kind: 'cut', afterEvents: 12 },
    { kind: 'usage', usage: { input_tokens: 1000, output_tokens: 5000 } },
  ]);
  let streamed = '';
  const st = client.messages.stream(ask);
  st.on('text', (t) => {
    streamed += t;
  });
  await assert.rejects(st.finalMessage());
  const e = await eventOf(tg, c.orgId);
  assert.equal(e.input_tokens, 1000n);
  const text = countTextTokens(streamed);
  assert.ok(
    e.output_tokens >= BigInt(text) && e.output_tokens <= BigInt(Math.ceil(text * 1.35) + 5) && e.output_tokens <= 700n,
    `output ${e.output_tokens} vs text ${text}`,
  );
});
