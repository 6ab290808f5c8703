/**
 * A broken upstream that fails mid-stream (after HTTP 200) with an error event whose message
 * names the operator's upstream account: org id, a key hint, a balance, an e-mail, an internal
 * host. The client must get the error in its own surface's envelope with the type kept and a
 * generic message — never the upstream's words — on every path (pass-through on both surfaces,
 * translated both ways), however awkwardly the upstream cuts its bytes.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { startFakeUpstream, type FakeUpstream, type ChunkSizes } from '../support/fake-upstream.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { usageEvents } from '../support/db.ts';

let claude: FakeUpstream;
let openai: FakeUpstream;
let tg: TestGateway;
before(async () => {
  claude = await startFakeUpstream({ textChars: 300 });
  openai = await startFakeUpstream({ textChars: 300 });
  tg = await startTestGateway({ upstreamUrl: claude.url, openaiUpstreamUrl: openai.url });
});
after(async () => {
  await tg?.close();
  await claude?.close();
  await openai?.close();
});

const LEAK =
  'Organization org-7Hq2KxWm9 (owner ops@operator.example) is over its limit: balance $-12.50 on key sk-ant-api03-AbCdEf123456; internal shard 10.2.3.4:8443';
const SECRETS = ['org-7Hq2KxWm9', 'ops@operator.example', '-12.50', 'sk-ant-api03', '10.2.3.4', 'shard', 'balance'];

function assertClean(text: string, where: string) {
  for (const s of SECRETS) assert.ok(!text.includes(s), `${where}: the client saw ${JSON.stringify(s)}:\n${text}`);
}

async function sse(path: string, key: string, body: unknown, auth: 'anthropic' | 'openai'): Promise<string> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (auth === 'anthropic') {
    headers['x-api-key'] = key;
    headers['anthropic-version'] = '2023-06-01';
  } else headers.authorization = `Bearer ${key}`;
  const r = await fetch(`${tg.url}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
  assert.equal(r.status, 200);
  return r.text();
}

const sizes: ChunkSizes[] = ['byte', 'random', [7, 1, 13]];

test('Anthropic surface, Anthropic upstream (pass-through): the error event keeps its type, loses the upstream words', async () => {
  const c = await tg.customer();
  for (const s of sizes) {
    for (const lineEnding of ['\n', '\r\n'] as const) {
      claude.script([
        { kind: 'chunking', sizes: s, seed: 3 },
        { kind: 'error-event', afterEvents: 5, error: { type: 'api_error', message: LEAK } },
        { lineEnding },
      ]);
      const text = await sse(
        '/v1/messages',
        c.key,
        { model: 'claude-sonnet-4-5', max_tokens: 300, stream: true, messages: [{ role: 'user', content: 'hi' }] },
        'anthropic',
      );
      assertClean(text, `anthropic pass ${JSON.stringify(s)}`);
      const errs = text.split(/\r?\n\r?\n/).filter((f) => /^event: error/m.test(f));
      assert.equal(errs.length, 1, text);
      const data = JSON.parse(
        errs[0]!
          .split(/\r?\n/)
          .find((l) => l.startsWith('data:'))!
          .slice(5),
      );
      assert.deepEqual(data, { type: 'error', error: { type: 'api_error', message: 'The upstream reported an error during the stream' } });
      assert.match(text, /event: content_block_delta/, 'the events before the error still arrive');
      assert.ok(text.trimEnd().endsWith('}'), 'nothing after the error event');
    }
  }
  // The official SDK sees an APIError with the type kept.
  const client = new Anthropic({ baseURL: tg.url, apiKey: c.key, maxRetries: 0 });
  claude.script([
    { kind: 'chunking', sizes: 'random', seed: 9 },
    { kind: 'error-event', afterEvents: 3, error: { type: 'overloaded_error', message: LEAK } },
    { kind: 'usage', usage: { input_tokens: 11, output_tokens: 4 } as any },
  ]);
  await assert.rejects(
    client.messages.stream({ model: 'claude-sonnet-4-5', max_tokens: 300, messages: [{ role: 'user', content: 'hi' }] }).finalMessage(),
    (e: any) => {
      assertClean(String(e?.message), 'SDK error');
      assert.match(String(e?.message), /overloaded_error/);
      return true;
    },
  );
  // The error event reaches the client before its usage event is written: wait for it.
  let ev = await usageEvents(tg.databaseUrl, { orgId: c.orgId });
  for (let i = 0; i < 50 && ev.length < 7; i++) {
    await new Promise((r) => setTimeout(r, 100));
    ev = await usageEvents(tg.databaseUrl, { orgId: c.orgId });
  }
  assert.equal(ev.length, 7);
  assert.ok(
    ev.every((e) => e.outcome === 'upstream_error'),
    'still billed for what was produced',
  );
  assert.ok(ev.some((e) => e.input_tokens === 11n));
});

test('OpenAI surface, OpenAI upstream (pass-through, with and without include_usage)', async () => {
  const c = await tg.customer();
  for (const include of [true, false]) {
    for (const s of sizes) {
      openai.script([
        { kind: 'chunking', sizes: s, seed: 5 },
        { kind: 'error-event', afterEvents: 3, error: { type: 'server_error', message: LEAK, code: 'insufficient_quota' } },
      ]);
      const text = await sse(
        '/v1/chat/completions',
        c.key,
        { model: 'gpt-4o', stream: true, ...(include ? { stream_options: { include_usage: true } } : {}), messages: [{ role: 'user', content: 'hi' }] },
        'openai',
      );
      assertClean(text, `openai pass include=${include} ${JSON.stringify(s)}`);
      const frames = text.split(/\n\n/).filter((f) => f.includes('"error"'));
      assert.equal(frames.length, 1, text);
      const data = JSON.parse(frames[0]!.replace(/^data: /, ''));
      assert.deepEqual(data, {
        error: { message: 'The upstream reported an error during the stream', type: 'server_error', param: null, code: 'insufficient_quota' },
      });
      assert.ok(!text.includes('[DONE]'), 'nothing after the error');
    }
  }
});

test('translated streams: Claude model on the OpenAI surface, GPT model on the Anthropic surface', async () => {
  const c = await tg.customer();
  claude.script([
    { kind: 'chunking', sizes: 'byte' },
    { kind: 'error-event', afterEvents: 4, error: { type: 'overloaded_error', message: LEAK } },
  ]);
  const a = await sse('/v1/chat/completions', c.key, { model: 'claude-haiku-4-5', stream: true, messages: [{ role: 'user', content: 'hi' }] }, 'openai');
  assertClean(a, 'claude→openai');
  assert.match(a, /"type":"overloaded_error"/);
  const oai = new OpenAI({ baseURL: `${tg.url}/v1`, apiKey: c.key, maxRetries: 0 });
  claude.script([{ kind: 'error-event', afterEvents: 4, error: { type: 'api_error', message: LEAK } }]);
  await assert.rejects(
    (async () => {
      for await (const _ of await oai.chat.completions.create({ model: 'claude-haiku-4-5', stream: true, messages: [{ role: 'user', content: 'hi' }] })) {
        /* drain */
      }
    })(),
    (e: any) => {
      assertClean(String(e?.message) + JSON.stringify(e?.error ?? {}), 'openai SDK');
      return true;
    },
  );

  openai.script([
    { kind: 'chunking', sizes: [5, 2] },
    { kind: 'error-event', afterEvents: 3, error: { type: 'server_error', message: LEAK } },
  ]);
  const b = await sse('/v1/messages', c.key, { model: 'gpt-4o', max_tokens: 100, stream: true, messages: [{ role: 'user', content: 'hi' }] }, 'anthropic');
  assertClean(b, 'openai→anthropic');
  assert.match(b, /event: error/);
});
