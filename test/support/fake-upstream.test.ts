/**
 * Tests of the scriptable fake upstream, driven through the OFFICIAL SDKs: default simulation,
 * recording, error envelopes → SDK error classes, forced usage, byte/random chunking (UTF-8
 * splits, CRLF), cuts, mid-stream error events, delays, hangs with client abort.
 */
import { test, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { startFakeUpstream } from './fake-upstream.ts';

const fake = await startFakeUpstream();
after(() => fake.close());
beforeEach(() => fake.reset());
const anthropic = new Anthropic({ baseURL: fake.url, apiKey: 'sk-test', maxRetries: 0 });
const openai = new OpenAI({ baseURL: fake.url + '/v1', apiKey: 'sk-test', maxRetries: 0 });
const params = { model: 'claude-sim', max_tokens: 400, messages: [{ role: 'user' as const, content: 'Hello fake' }] };
const oparams = { model: 'gpt-sim', messages: [{ role: 'user' as const, content: 'Hello fake' }] };
const TRICKY = 'Grüße 你好世界 🎉👩‍👩‍👧 “quotes” ok';

async function collectOpenai(extra: Partial<OpenAI.ChatCompletionCreateParamsStreaming> = {}): Promise<string> {
  let s = '';
  for await (const c of await openai.chat.completions.create({ ...oparams, stream: true, ...extra })) s += c.choices[0]?.delta.content ?? '';
  return s;
}

test('default behaves like the simulator and records requests', async () => {
  const msg = await anthropic.messages.create(params);
  assert.match((msg.content[0] as Anthropic.TextBlock).text, /^Simulated reply to: Hello fake/);
  const chat = await openai.chat.completions.create(oparams);
  assert.match(chat.choices[0]!.message.content ?? '', /^Simulated reply to: Hello fake/);
  const count = await anthropic.messages.countTokens({ model: 'claude-sim', messages: params.messages });
  assert.equal(count.input_tokens, 3);
  const reqs = await fake.waitForRequests(3);
  assert.deepEqual(
    reqs.map((r) => [r.method, r.path]),
    [
      ['POST', '/v1/messages'],
      ['POST', '/v1/chat/completions'],
      ['POST', '/v1/messages/count_tokens'],
    ],
  );
  // this SDK release sends the key as a bearer token (older ones used x-api-key)
  assert.ok(reqs[0]!.headers['x-api-key'] === 'sk-test' || reqs[0]!.headers.authorization === 'Bearer sk-test');
  assert.match(String(reqs[0]!.headers['anthropic-version']), /^\d{4}-\d{2}-\d{2}$/);
  assert.equal(reqs[1]!.headers.authorization, 'Bearer sk-test');
  assert.equal(reqs[0]!.body.max_tokens, 400);
  assert.deepEqual(JSON.parse(reqs[1]!.rawBody), reqs[1]!.body);
  assert.ok(reqs.every((r) => r.finished && !r.aborted));
});

test('json errors become the right SDK error classes (both formats)', async () => {
  fake.script(
    { kind: 'json', status: 429, headers: { 'retry-after': '7' } },
    { kind: 'json', status: 529 },
    { kind: 'json', status: 401, body: { type: 'error', error: { type: 'authentication_error', message: 'bad key' } } },
    { kind: 'json', status: 429 },
    { kind: 'json', status: 500 },
  );
  await assert.rejects(anthropic.messages.create(params), (e: unknown) => {
    assert.ok(e instanceof Anthropic.RateLimitError);
    assert.equal(e.headers?.get('retry-after'), '7');
    assert.match(e.requestID ?? '', /^req_/);
    assert.equal((e.error as { error: { type: string } }).error.type, 'rate_limit_error');
    return true;
  });
  await assert.rejects(
    anthropic.messages.create(params),
    (e: unknown) => e instanceof Anthropic.InternalServerError && e.status === 529 && /overloaded_error/.test(e.message),
  );
  await assert.rejects(anthropic.messages.create(params), (e: unknown) => e instanceof Anthropic.AuthenticationError && /bad key/.test(e.message));
  await assert.rejects(openai.chat.completions.create(oparams), (e: unknown) => e instanceof OpenAI.RateLimitError && e.code === 'rate_limit_exceeded');
  await assert.rejects(openai.chat.completions.create(oparams), (e: unknown) => e instanceof OpenAI.InternalServerError && e.type === 'server_error');
  // queue exhausted → default again
  assert.equal((await anthropic.messages.create(params)).type, 'message');
});

test('scripted 429 then normal: the SDK retry succeeds; setDefault applies when the queue is empty', async () => {
  const retrying = new Anthropic({ baseURL: fake.url, apiKey: 'x', maxRetries: 1 });
  fake.script({ kind: 'json', status: 429, headers: { 'retry-after': '0' } });
  assert.equal((await retrying.messages.create(params)).type, 'message');
  assert.equal(fake.requests.length, 2);
  assert.equal(fake.requests[1]!.headers['x-stainless-retry-count'], '1');
  fake.setDefault({ kind: 'json', status: 503 });
  await assert.rejects(anthropic.messages.create(params), Anthropic.InternalServerError);
  await assert.rejects(openai.chat.completions.create(oparams), OpenAI.InternalServerError);
});

test('usage behaviour forces usage in JSON, stream and OpenAI form', async () => {
  const usage = {
    input_tokens: 11,
    output_tokens: 22,
    cache_read_input_tokens: 300,
    cache_creation: { ephemeral_5m_input_tokens: 40, ephemeral_1h_input_tokens: 60 },
    server_tool_use: { web_search_requests: 3 },
  };
  fake.script({ kind: 'usage', usage }, { kind: 'usage', usage }, { kind: 'usage', usage });
  const a = await anthropic.messages.create(params);
  assert.equal(a.usage.cache_creation_input_tokens, 100);
  assert.deepEqual(a.usage.cache_creation, usage.cache_creation);
  assert.equal(a.usage.server_tool_use?.web_search_requests, 3);
  const s = await anthropic.messages.stream(params).finalMessage();
  assert.deepEqual([s.usage.input_tokens, s.usage.output_tokens, s.usage.cache_read_input_tokens, s.usage.cache_creation_input_tokens], [11, 22, 300, 100]);
  assert.equal(s.usage.server_tool_use?.web_search_requests, 3);
  const o = await openai.chat.completions.create(oparams);
  assert.deepEqual([o.usage?.prompt_tokens, o.usage?.prompt_tokens_details?.cached_tokens, o.usage?.completion_tokens], [411, 300, 22]);
});

test('byte-level and random chunking (UTF-8 splits, CRLF) parse identically through the SDKs', async () => {
  fake.setDefault({ text: TRICKY });
  const reference = await anthropic.messages.stream(params).finalMessage();
  assert.equal((reference.content[0] as Anthropic.TextBlock).text, TRICKY);
  const refOpenai = await collectOpenai({ stream_options: { include_usage: true } });
  assert.equal(refOpenai, TRICKY);
  const variants = [
    { kind: 'chunking', sizes: 'byte' },
    { kind: 'chunking', sizes: 'random', seed: 42, lineEnding: '\r\n' },
    { kind: 'chunking', sizes: [1, 2, 3, 5, 7], lineEnding: '\r\n' },
  ] as const;
  for (const v of variants) {
    fake.script([v, { text: TRICKY }]);
    const m = await anthropic.messages.stream(params).finalMessage();
    assert.deepEqual(m.content, reference.content, JSON.stringify(v));
    assert.deepEqual(m.usage, reference.usage);
    fake.script([v, { text: TRICKY }]);
    assert.equal(await collectOpenai({ stream_options: { include_usage: true } }), refOpenai);
  }
  fake.script([{ kind: 'chunking', sizes: 'byte' }, { text: TRICKY }]);
  const json = await anthropic.messages.create(params);
  assert.equal((json.content[0] as Anthropic.TextBlock).text, TRICKY);
});

test('byte chunking really arrives as separate TCP reads', async () => {
  fake.script({ kind: 'chunking', sizes: 'byte', text: '🎉' });
  const { reads, bytes } = await new Promise<{ reads: number; bytes: number }>((resolve, reject) => {
    const req = http.request(fake.url + '/v1/messages', { method: 'POST' }, (res) => {
      let reads = 0;
      let bytes = 0;
      res.on('data', (c: Buffer) => {
        reads++;
        bytes += c.length;
      });
      res.on('end', () => resolve({ reads, bytes }));
    });
    req.on('error', reject);
    req.end(JSON.stringify({ ...params, stream: true }));
  });
  assert.ok(reads > bytes * 0.9, `${reads} reads for ${bytes} bytes`);
});

test('cut makes the SDKs throw (stream and JSON)', async () => {
  fake.script({ kind: 'cut', afterEvents: 4 });
  await assert.rejects(anthropic.messages.stream(params).finalMessage());
  fake.script({ kind: 'cut', afterEvents: 3 });
  await assert.rejects(collectOpenai());
  // JSON body cut after half its bytes: fetch's body read fails (the SDK rethrows it unwrapped)
  fake.script({ kind: 'cut', afterEvents: 0 });
  await assert.rejects(anthropic.messages.create(params), /terminated|aborted|premature|socket/i);
});

test('error-event after a 200 surfaces as an SDK error', async () => {
  fake.script({ kind: 'error-event', afterEvents: 3, error: { type: 'overloaded_error', message: 'Overloaded' } });
  await assert.rejects(anthropic.messages.stream(params).finalMessage(), (e: unknown) => e instanceof Anthropic.APIError && /Overloaded/.test(e.message));
  fake.script({ kind: 'error-event', afterEvents: 2, error: { type: 'server_error', message: 'boom mid-stream' } });
  await assert.rejects(collectOpenai(), (e: unknown) => e instanceof OpenAI.APIError && /boom mid-stream/.test(e.message));
  const raw = await (await fetch(fake.url + '/v1/messages', { method: 'POST', body: JSON.stringify({ ...params, stream: true }) })).text();
  assert.ok(!raw.includes('event: error'));
});

test('delays: headers and between events', async () => {
  fake.script({ kind: 'delay', headersMs: 150 }, { kind: 'delay', betweenEventsMs: 20 });
  let t = Date.now();
  await anthropic.messages.create(params);
  assert.ok(Date.now() - t >= 140);
  t = Date.now();
  const m = await anthropic.messages.stream(params).finalMessage();
  assert.equal(m.type, 'message');
  assert.ok(Date.now() - t >= 20 * 8, `${Date.now() - t}ms`);
});

test('hang + client abort closes the upstream request', async () => {
  fake.script({ kind: 'hang' });
  const ac = new AbortController();
  const p = anthropic.messages.create(params, { signal: ac.signal });
  await fake.waitForRequests(1);
  assert.equal(fake.inFlight, 1);
  assert.ok(fake.openConnections >= 1);
  ac.abort();
  await assert.rejects(p, Anthropic.APIUserAbortError);
  await fake.waitFor(() => fake.inFlight === 0, 2000, 'upstream request to close');
  assert.equal(fake.requests[0]!.aborted, true);
  assert.equal(fake.requests[0]!.finished, false);
});

test('cache state and waitForRequests timeout; reset clears everything', async () => {
  const cached = { ...params, system: [{ type: 'text' as const, text: 'long system prompt '.repeat(20), cache_control: { type: 'ephemeral' as const } }] };
  assert.ok(((await anthropic.messages.create(cached)).usage.cache_creation_input_tokens ?? 0) > 0);
  assert.ok(((await anthropic.messages.create(cached)).usage.cache_read_input_tokens ?? 0) > 0);
  fake.reset();
  assert.equal(fake.requests.length, 0);
  assert.equal((await anthropic.messages.create(cached)).usage.cache_read_input_tokens, 0);
  await assert.rejects(fake.waitForRequests(5, 50), /timed out/);
});
