/**
 * A stream that fails after its response headers but before its first event has reached the
 * client: nothing was sent yet, so the request moves to the next upstream of its pool — an upstream
 * that answers 200 with SSE headers and then resets (with nothing, or half a first event, written),
 * and one whose first event is an `overloaded_error`. Through both official SDKs, one on each
 * surface, to a Claude upstream and to an OpenAI-wire one; one usage event per request, naming the
 * upstream that served after two attempts. Once the first event has reached the client, a cut is
 * never retried.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { startFakeUpstream, type FakeUpstream } from '../support/fake-upstream.ts';
import type { TestGateway } from '../support/gateway.ts';
import { headersThenReset, oneEventOf, poolGateway } from './support.ts';

let A: FakeUpstream; // serves Claude after the resetting ones
let O: FakeUpstream; // serves gpt-4o (OpenAI wire) after the resetting one
let F: FakeUpstream; // scripted: first event an error, or a cut after the first event
let B: FakeUpstream; // serves claude-haiku after F
let bare: Awaited<ReturnType<typeof headersThenReset>>; // headers, then reset
let half: Awaited<ReturnType<typeof headersThenReset>>; // headers and half a first event, then reset
let bareOai: Awaited<ReturnType<typeof headersThenReset>>;
let tg: TestGateway;
let c: Awaited<ReturnType<TestGateway['customer']>>;

before(async () => {
  A = await startFakeUpstream({ textChars: 120 });
  O = await startFakeUpstream({ textChars: 120 });
  F = await startFakeUpstream({ textChars: 120 });
  B = await startFakeUpstream({ textChars: 120 });
  bare = await headersThenReset();
  half = await headersThenReset('event: message_start\ndata: {"type":"message_start","message":{"id":"msg_');
  bareOai = await headersThenReset();
  tg = await poolGateway({
    upstreams: [
      { name: 'reset-sonnet', kind: 'anthropic', baseUrl: bare.url, models: ['claude-sonnet-4-5'], priority: 0 },
      { name: 'half-sonnet', kind: 'anthropic', baseUrl: half.url, models: ['claude-sonnet-4-6'], priority: 0 },
      { name: 'a', kind: 'anthropic', baseUrl: A.url, models: ['claude-sonnet-4-5', 'claude-sonnet-4-6'], priority: 1 },
      { name: 'f', kind: 'anthropic', baseUrl: F.url, models: ['claude-haiku-4-5'], priority: 0 },
      { name: 'b', kind: 'anthropic', baseUrl: B.url, models: ['claude-haiku-4-5'], priority: 1 },
      { name: 'reset-oai', kind: 'openai', baseUrl: `${bareOai.url}/v1`, models: ['gpt-4o'], priority: 0 },
      { name: 'o', kind: 'openai', baseUrl: `${O.url}/v1`, models: ['gpt-4o'], priority: 1 },
    ],
    pool: { breaker: { failures: 1000, minRequests: 1000 } },
  });
  c = await tg.customer();
});
after(async () => {
  await tg?.close();
  for (const u of [A, O, F, B]) await u?.close();
  for (const s of [bare, half, bareOai]) await s?.close();
});

const ask = (model: string) => ({ model, max_tokens: 64, messages: [{ role: 'user' as const, content: 'Say something' }] });

/** Both official SDKs streaming, each on its surface; each returns the text it received. */
const STREAMS: Record<string, (model: string) => Promise<string>> = {
  'anthropic SDK stream (/v1/messages)': async (m) => {
    const msg = await new Anthropic({ baseURL: tg.url, apiKey: c.key, maxRetries: 0 }).messages.stream(ask(m)).finalMessage();
    return (msg.content[0] as { text: string }).text;
  },
  'openai SDK stream (/v1/chat/completions)': async (m) => {
    let s = '';
    const client = new OpenAI({ baseURL: `${tg.url}/v1`, apiKey: c.key, maxRetries: 0 });
    for await (const ch of await client.chat.completions.create({ ...ask(m), stream: true })) s += ch.choices[0]?.delta?.content ?? '';
    return s;
  },
};

const CASES = [
  { what: '200 + SSE headers, then a reset', model: 'claude-sonnet-4-5', failing: () => bare, serving: 'a' },
  { what: '200 + SSE headers and half a first event, then a reset', model: 'claude-sonnet-4-6', failing: () => half, serving: 'a' },
  { what: 'an OpenAI-wire upstream: 200 + SSE headers, then a reset', model: 'gpt-4o', failing: () => bareOai, serving: 'o' },
];

for (const [how, stream] of Object.entries(STREAMS)) {
  for (const k of CASES) {
    test(`${how}: ${k.what} falls back to the next upstream (nothing had reached the client)`, async () => {
      const hits = k.failing().hits();
      let text = '';
      const ev = await oneEventOf(tg, c.orgId, async () => {
        text = await stream(k.model);
      });
      assert.ok(text.length > 0, 'the client got the whole answer from the next upstream');
      assert.equal(k.failing().hits() - hits, 1, 'the failing upstream was tried first');
      assert.equal(ev.upstream, k.serving);
      assert.equal(ev.attempts, 2n);
      assert.equal(ev.outcome, 'ok');
      assert.equal(ev.estimated, 0n, "billed from the serving upstream's own usage");
      assert.ok(ev.output_tokens > 0n && ev.cost > 0n);
    });
  }

  test(`${how}: a first event that is an overloaded error falls back; nothing of it reaches the client`, async () => {
    F.script({ kind: 'error-event', afterEvents: 0, error: { type: 'overloaded_error', message: 'Overloaded (org-secret-account)' } });
    const beforeB = B.requests.length;
    let text = '';
    const ev = await oneEventOf(tg, c.orgId, async () => {
      text = await stream('claude-haiku-4-5');
    });
    assert.ok(text.length > 0);
    assert.equal(B.requests.length - beforeB, 1);
    assert.equal(ev.upstream, 'b');
    assert.equal(ev.attempts, 2n);
    assert.equal(ev.outcome, 'ok');
  });

  test(`${how}: a cut right after the first event is not retried — that event had reached the client`, async () => {
    F.script([
      { kind: 'cut', afterEvents: 1 },
      { kind: 'usage', usage: { input_tokens: 30, output_tokens: 50 } as any },
    ]);
    const beforeB = B.requests.length;
    const ev = await oneEventOf(tg, c.orgId, () => assert.rejects(stream('claude-haiku-4-5')));
    assert.equal(B.requests.length, beforeB, 'no fallback after the first event');
    assert.equal(ev.upstream, 'f');
    assert.equal(ev.attempts, 1n);
    assert.equal(ev.outcome, 'incomplete');
    assert.equal(ev.input_tokens, 30n, 'billed the input the first event reported');
  });
}

test('when every upstream of the pool fails before the first event, the client gets the error in its envelope and nothing is billed', async () => {
  F.script({ kind: 'error-event', afterEvents: 0, error: { type: 'overloaded_error', message: 'Overloaded' } });
  B.script({ kind: 'cut', afterEvents: 0 });
  const before = (await tg.gw.store.db.selectFrom('usage_events').select('id').where('org_id', '=', c.orgId).execute()).length;
  await assert.rejects(
    new Anthropic({ baseURL: tg.url, apiKey: c.key, maxRetries: 0 }).messages.stream(ask('claude-haiku-4-5')).finalMessage(),
    (e: any) => e.status === 502 && e.error?.error?.type === 'api_error',
  );
  await tg.gw.rt.usage.flush();
  const after = (await tg.gw.store.db.selectFrom('usage_events').select('id').where('org_id', '=', c.orgId).execute()).length;
  assert.equal(after, before);
});
