/**
 * Streams that end badly: client aborts, upstream cuts, upstream error events, upstream HTTP
 * errors. Each is billed exactly once for what the upstream produced — or not at all.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import { startFakeUpstream, type FakeUpstream } from '../support/fake-upstream.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { usageEvents } from '../support/db.ts';

let fake: FakeUpstream;
let tg: TestGateway;
before(async () => {
  fake = await startFakeUpstream({ textChars: 400 });
  tg = await startTestGateway({ upstreamUrl: fake.url, env: { MAX_BODY_BYTES: '4096' } });
});
after(async () => {
  await tg?.close();
  await fake?.close();
});

const ask = { model: 'claude-sonnet-4-5', max_tokens: 500, messages: [{ role: 'user' as const, content: 'Tell me a long story' }] };

test('a client that disconnects mid-stream is billed exactly: the gateway reads the upstream on until its usage arrives', async () => {
  const c = await tg.customer();
  const client = new Anthropic({ baseURL: tg.url, apiKey: c.key, maxRetries: 0 });
  fake.script([
    { kind: 'delay', betweenEventsMs: 10 },
    { kind: 'usage', usage: { input_tokens: 1234, output_tokens: 300 } as any },
  ]);
  const stream = client.messages.stream(ask);
  let deltas = 0;
  await assert.rejects(
    (async () => {
      for await (const ev of stream) {
        if (ev.type === 'content_block_delta' && ++deltas === 3) stream.abort();
      }
    })(),
  );
  await fake.waitFor(() => fake.requests.at(-1)!.finished, 10_000, 'upstream reply read to the end');
  let ev: Awaited<ReturnType<typeof usageEvents>> = [];
  for (let i = 0; i < 50 && ev.length === 0; i++) {
    await new Promise((r) => setTimeout(r, 50));
    ev = await usageEvents(tg.databaseUrl, { orgId: c.orgId });
  }
  assert.equal(ev.length, 1);
  assert.equal(ev[0]!.outcome, 'client_aborted');
  assert.equal(ev[0]!.input_tokens, 1234n);
  assert.equal(ev[0]!.output_tokens, 300n, "the upstream's own count, not an estimate");
  assert.equal(ev[0]!.estimated, 0n);
});

test('an upstream that cuts the stream: the client gets an error event, billed for input + produced output', async () => {
  const c = await tg.customer();
  const client = new Anthropic({ baseURL: tg.url, apiKey: c.key, maxRetries: 0 });
  fake.script([
    { kind: 'cut', afterEvents: 5 },
    { kind: 'usage', usage: { input_tokens: 50, output_tokens: 99 } as any },
  ]);
  await assert.rejects(client.messages.stream(ask).finalMessage());
  const ev = await usageEvents(tg.databaseUrl, { orgId: c.orgId });
  assert.equal(ev.length, 1);
  assert.equal(ev[0]!.outcome, 'incomplete');
  assert.equal(ev[0]!.input_tokens, 50n);
});

test('an upstream error event after 200 reaches the SDK as an APIError and bills what was produced', async () => {
  const c = await tg.customer();
  const client = new Anthropic({ baseURL: tg.url, apiKey: c.key, maxRetries: 0 });
  fake.script([
    { kind: 'error-event', afterEvents: 4, error: { type: 'overloaded_error', message: 'Overloaded' } },
    { kind: 'usage', usage: { input_tokens: 77, output_tokens: 10 } as any },
  ]);
  await assert.rejects(client.messages.stream(ask).finalMessage(), (e: any) => /Overloaded/.test(String(e?.message ?? e)));
  const ev = await usageEvents(tg.databaseUrl, { orgId: c.orgId });
  assert.equal(ev.length, 1);
  assert.equal(ev[0]!.outcome, 'upstream_error');
  assert.equal(ev[0]!.input_tokens, 77n);
});

test('upstream 429 and 529 pass through with their retry headers and bill nothing; SDK retries bill once', async () => {
  const c = await tg.customer();
  const noRetry = new Anthropic({ baseURL: tg.url, apiKey: c.key, maxRetries: 0 });
  fake.script({ kind: 'json', status: 429, headers: { 'retry-after': '7' } });
  await assert.rejects(
    noRetry.messages.create(ask),
    (e: any) => e instanceof Anthropic.RateLimitError && e.headers.get('retry-after') === '7' && (e.error as any)?.error?.type === 'rate_limit_error',
  );
  fake.script({ kind: 'json', status: 529 });
  await assert.rejects(noRetry.messages.create(ask), (e: any) => e.status === 529 && (e.error as any)?.error?.type === 'overloaded_error');
  assert.equal((await usageEvents(tg.databaseUrl, { orgId: c.orgId })).length, 0);

  // The SDK's own retries (529, then 500, then success) end in exactly one billed request.
  const retrying = new Anthropic({ baseURL: tg.url, apiKey: c.key, maxRetries: 2 });
  fake.script(
    { kind: 'json', status: 529, headers: { 'retry-after': '0' } },
    { kind: 'json', status: 500, headers: { 'retry-after': '0' } },
    { kind: 'usage', usage: { input_tokens: 5, output_tokens: 5 } as any },
  );
  const before = fake.requests.length;
  const msg = await retrying.messages.create(ask);
  assert.equal(msg.type, 'message');
  assert.equal(fake.requests.length - before, 3);
  const ev = await usageEvents(tg.databaseUrl, { orgId: c.orgId });
  assert.equal(ev.length, 1);
  assert.equal(ev[0]!.id, msg._request_id);
});

test('the usage event is durable before the client sees the last byte', async () => {
  const c = await tg.customer();
  const client = new Anthropic({ baseURL: tg.url, apiKey: c.key, maxRetries: 0 });
  const ids: string[] = [];
  for (let i = 0; i < 5; i++) {
    const m = await client.messages.create(ask);
    ids.push(m._request_id!);
    const s = client.messages.stream(ask);
    await s.finalMessage();
    ids.push(s.request_id!);
  }
  // Read right away through a separate connection: every delivered response is already recorded.
  const ev = await usageEvents(tg.databaseUrl, { orgId: c.orgId });
  assert.deepEqual(new Set(ev.map((e) => e.id)), new Set(ids));
});

test('oversized bodies get 413 request_too_large, never a charge', async () => {
  const c = await tg.customer();
  const client = new Anthropic({ baseURL: tg.url, apiKey: c.key, maxRetries: 0 });
  await assert.rejects(
    client.messages.create({ ...ask, messages: [{ role: 'user', content: 'x'.repeat(10_000) }] }),
    (e: any) => e.status === 413 && (e.error as any)?.error?.type === 'request_too_large',
  );
  assert.equal((await usageEvents(tg.databaseUrl, { orgId: c.orgId })).length, 0);
});
