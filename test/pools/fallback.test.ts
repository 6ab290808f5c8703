/**
 * Fallback before the first byte, never after: a pool of fake upstreams that fail in every way
 * (refused, reset, hang, 429, 529, 500, 503, a JSON body cut short) — the client gets an answer
 * whenever any upstream can give one, through both official SDKs on both surfaces, streamed and
 * not; one usage event per request names the upstream that served and the attempts it took. A
 * stream cut after its first byte is not retried elsewhere: it ends with the surface's error and
 * bills what was served. Upstreams match by alias as well as dated id.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { startFakeUpstream, type Behaviour, type FakeUpstream } from '../support/fake-upstream.ts';
import type { TestGateway } from '../support/gateway.ts';
import { eventsOf, oneEventOf, poolGateway, refusedUrl, resettingServer } from './support.ts';

let A: FakeUpstream;
let B: FakeUpstream;
let reset: Awaited<ReturnType<typeof resettingServer>>;
let tg: TestGateway;
let c: Awaited<ReturnType<TestGateway['customer']>>;

before(async () => {
  A = await startFakeUpstream({ textChars: 200 });
  B = await startFakeUpstream({ textChars: 200 });
  reset = await resettingServer();
  tg = await poolGateway({
    upstreams: [
      // Listed by alias: the dated id `claude-sonnet-4-5-20250929` must match too.
      { name: 'a', kind: 'anthropic', baseUrl: A.url, models: ['claude-sonnet-4-5'], priority: 0, timeouts: { headersMs: 400 } },
      { name: 'refused', kind: 'anthropic', baseUrl: await refusedUrl(), models: ['claude-haiku-4-5'], priority: 0 },
      { name: 'reset', kind: 'anthropic', baseUrl: reset.url, models: ['claude-haiku-4-5'], priority: 1 },
      { name: 'b', kind: 'anthropic', baseUrl: B.url, models: ['claude-sonnet-4-5', 'claude-haiku-4-5'], priority: 5 },
    ],
    pool: { breaker: { failures: 1000, minRequests: 1000 } },
  });
  c = await tg.customer();
});
after(async () => {
  await tg?.close();
  await A?.close();
  await B?.close();
  await reset?.close();
});

type Call = (model: string) => Promise<string>;
const anthropic = () => new Anthropic({ baseURL: tg.url, apiKey: c.key, maxRetries: 0 });
const openai = () => new OpenAI({ baseURL: `${tg.url}/v1`, apiKey: c.key, maxRetries: 0 });
const ask = (model: string) => ({ model, max_tokens: 64, messages: [{ role: 'user' as const, content: 'Say something' }] });

/** The four ways a client asks: both SDKs, each streamed and not. Each returns the reply text. */
const CLIENTS: Record<string, Call> = {
  'anthropic SDK': async (m) => ((await anthropic().messages.create(ask(m))).content[0] as any).text,
  'anthropic SDK stream': async (m) => ((await anthropic().messages.stream(ask(m)).finalMessage()).content[0] as any).text,
  'openai SDK': async (m) => (await openai().chat.completions.create(ask(m))).choices[0]!.message.content!,
  'openai SDK stream': async (m) => {
    let s = '';
    for await (const ch of await openai().chat.completions.create({ ...ask(m), stream: true })) s += ch.choices[0]?.delta?.content ?? '';
    return s;
  },
};

/** Runs `fn`, then returns the one usage event it added. */
const oneEvent = (fn: () => Promise<unknown>) => oneEventOf(tg, c.orgId, fn);

const FAILURES: Record<string, Behaviour> = {
  '429 with retry-after': { kind: 'json', status: 429, headers: { 'retry-after': '0' } },
  '529 overloaded': { kind: 'json', status: 529, headers: { 'retry-after': '0' } },
  '500': { kind: 'json', status: 500 },
  '503': { kind: 'json', status: 503 },
  'no headers (hang)': { kind: 'hang' },
};

for (const [how, call] of Object.entries(CLIENTS)) {
  test(`${how}: every failure before the first byte falls back to the next upstream`, async () => {
    for (const [what, b] of Object.entries(FAILURES)) {
      A.script(b);
      const beforeA = A.requests.length,
        beforeB = B.requests.length;
      let text = '';
      const ev = await oneEvent(async () => {
        text = await call('claude-sonnet-4-5');
      });
      assert.ok(text.length > 0, `${what}: the client got an answer`);
      assert.equal(A.requests.length - beforeA, 1, `${what}: tried a first`);
      assert.equal(B.requests.length - beforeB, 1, `${what}: then b`);
      assert.equal(ev.upstream, 'b', what);
      assert.equal(ev.attempts, 2n, what);
      assert.equal(ev.outcome, 'ok', what);
      assert.equal(ev.model, 'claude-sonnet-4-5-20250929');
      assert.ok(ev.output_tokens > 0n);
    }
  });

  test(`${how}: connection refused and reset fall through to a working upstream`, async () => {
    const ev = await oneEvent(async () => assert.ok((await call('claude-haiku-4-5')).length > 0));
    assert.equal(ev.upstream, 'b');
    assert.equal(ev.attempts, 3n);
  });
}

test('a JSON reply cut before its end falls back (nothing had reached the client)', async () => {
  A.script({ kind: 'cut', afterEvents: 0 });
  const ev = await oneEvent(() => CLIENTS['anthropic SDK']!('claude-sonnet-4-5'));
  assert.equal(ev.upstream, 'b');
  assert.equal(ev.attempts, 2n);
});

test('a healthy first upstream serves alone: one attempt, named in the event', async () => {
  const beforeB = B.requests.length;
  const ev = await oneEvent(() => CLIENTS['openai SDK']!('claude-sonnet-4-5-20250929'));
  assert.equal(ev.upstream, 'a');
  assert.equal(ev.attempts, 1n);
  assert.equal(B.requests.length, beforeB);
});

for (const how of ['anthropic SDK stream', 'openai SDK stream']) {
  test(`${how}: a stream cut after its first byte is not retried; the client gets an error and what was served is billed`, async () => {
    A.script([
      { kind: 'cut', afterEvents: 5 },
      { kind: 'usage', usage: { input_tokens: 40, output_tokens: 90 } as any },
    ]);
    const beforeB = B.requests.length;
    const ev = await oneEvent(() => assert.rejects(CLIENTS[how]!('claude-sonnet-4-5')));
    assert.equal(B.requests.length, beforeB, 'no fallback after the first byte');
    assert.equal(ev.upstream, 'a');
    assert.equal(ev.attempts, 1n);
    assert.equal(ev.outcome, 'incomplete');
    assert.equal(ev.input_tokens, 40n);
    assert.ok(ev.cost > 0n);
  });
}

test('when every upstream fails, the client gets the last error in its envelope and nothing is billed', async () => {
  A.script({ kind: 'json', status: 500 });
  B.script({ kind: 'json', status: 529, headers: { 'retry-after': '0' } });
  const before = (await eventsOf(tg, c.orgId)).length;
  await assert.rejects(anthropic().messages.create(ask('claude-sonnet-4-5')), (e: any) => e.status === 529 && e.error?.error?.type === 'overloaded_error');
  A.script({ kind: 'json', status: 500 });
  B.script({ kind: 'json', status: 503 });
  await assert.rejects(openai().chat.completions.create(ask('claude-sonnet-4-5')), (e: any) => e.status === 503 && typeof e.error?.message === 'string');
  assert.equal((await eventsOf(tg, c.orgId)).length, before);
});

test('a reply about the request itself (400) is not retried elsewhere', async () => {
  A.script({ kind: 'json', status: 400, body: { type: 'error', error: { type: 'invalid_request_error', message: 'messages: bad' } } });
  const beforeB = B.requests.length;
  await assert.rejects(anthropic().messages.create(ask('claude-sonnet-4-5')), (e: any) => e.status === 400);
  assert.equal(B.requests.length, beforeB);
});

test('tollgate usage --by upstream splits requests and attempts by the upstream that served', async () => {
  const r = await tg.cli('usage', '--org', c.orgId, '--by', 'upstream');
  const b = r.by_upstream.find((x: any) => x.upstream === 'b');
  const a = r.by_upstream.find((x: any) => x.upstream === 'a');
  assert.ok(a && b, JSON.stringify(r));
  assert.ok(b.attempts > b.requests, 'fallbacks took more than one attempt each');
  const events = await eventsOf(tg, c.orgId);
  assert.equal(
    r.by_upstream.reduce((s: number, x: any) => s + x.requests, 0),
    events.length,
  );
});
