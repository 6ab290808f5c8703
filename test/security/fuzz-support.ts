/**
 * A bounded, seeded request-body fuzzer for both surfaces: valid bodies mutated field by field
 * (wrong types, huge and odd numbers, long and strange strings, deep nesting, unknown models,
 * broken content blocks) plus byte-level damage (truncation, invalid UTF-8, non-object JSON,
 * duplicate keys). Runs against a running gateway with a fast fake upstream and counts every
 * status; nothing may be a 5xx (502s from a malformed upstream reply excepted: none here).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, request } from 'undici';
import { startFakeUpstream, type FakeUpstream } from '../support/fake-upstream.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { usageEvents } from '../support/db.ts';

/** mulberry32: small, fast, seeded. */
export function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n: number) => Math.floor(next() * n), pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]! };
}
type R = ReturnType<typeof rng>;

function nested(depth: number): unknown {
  let v: unknown = 'core';
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { v };
  return v;
}

/** Values chosen to break parsers, validators, arithmetic and encoders. */
function nasty(r: R): unknown {
  switch (r.int(26)) {
    case 0:
      return null;
    case 1:
      return true;
    case 2:
      return -1;
    case 3:
      return 0;
    case 4:
      return 1e300;
    case 5:
      return -1e300;
    case 6:
      return 1.5;
    case 7:
      return 2 ** 53 + 2;
    case 8:
      return '';
    case 9:
      return 'x'.repeat(r.int(5000));
    case 10:
      return [];
    case 11:
      return {};
    case 12:
      return nested(r.int(140));
    case 13:
      return '\u0000\u0001\u001f';
    case 14:
      return '\ud800\udfff\ud83d';
    case 15:
      return '🎉'.repeat(r.int(200));
    case 16:
      return '100';
    case 17:
      return Array.from({ length: r.int(2000) }, () => ({}));
    case 18:
      return JSON.parse('{"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}}}');
    case 19:
      return 4_294_967_296;
    case 20:
      return -0;
    case 21:
      return 1e-300;
    case 22:
      return [null, 1, 'a', {}, []];
    case 23:
      return { type: 'text', text: 'hi', cache_control: { type: 'ephemeral', ttl: r.pick(['1h', '5m', 'forever', 7]) } };
    case 24:
      return r.int(100_000);
    default:
      return 'claude-haiku-4-5';
  }
}

const MODELS = [
  'claude-haiku-4-5',
  'claude-sonnet-4-5',
  'gpt-4o-mini',
  'claude-haiku-4-5',
  'not-a-model',
  '',
  'gpt-4o-mini\u0000',
  'CLAUDE-HAIKU-4-5',
  'claude-haiku-4-5 ',
  'a'.repeat(300),
];
const A_FIELDS = [
  'model',
  'max_tokens',
  'messages',
  'stream',
  'system',
  'tools',
  'tool_choice',
  'temperature',
  'top_p',
  'top_k',
  'metadata',
  'stop_sequences',
  'thinking',
  'service_tier',
  'cache_control',
  'container',
  'mcp_servers',
];
const O_FIELDS = [
  'model',
  'messages',
  'stream',
  'stream_options',
  'max_tokens',
  'max_completion_tokens',
  'n',
  'temperature',
  'tools',
  'tool_choice',
  'response_format',
  'logit_bias',
  'user',
  'seed',
  'stop',
  'reasoning_effort',
  'modalities',
  'audio',
  'service_tier',
];

function block(r: R): unknown {
  switch (r.int(8)) {
    case 0:
      return { type: 'text', text: r.pick(['hi', '', 'x'.repeat(r.int(3000))]) };
    case 1:
      return {
        type: 'image',
        source: { type: 'base64', media_type: r.pick(['image/png', 'image/gif', 'text/html']), data: r.pick(['', 'AAAA', '!!!not base64', 'iVBORw0KGgo=']) },
      };
    case 2:
      return {
        type: 'image_url',
        image_url: { url: r.pick(['data:image/png;base64,AAAA', 'https://example.invalid/x.png', 'data:,', 'javascript:alert(1)']) },
      };
    case 3:
      return { type: 'tool_use', id: r.pick(['t1', '', 7]), name: r.pick(['f', '', null]), input: nasty(r) };
    case 4:
      return { type: 'tool_result', tool_use_id: 't1', content: nasty(r) };
    case 5:
      return { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0=' } };
    case 6:
      return { type: r.pick(['thinking', 'redacted_thinking', 'unknown_block', '']), thinking: 'hmm', signature: 'x' };
    default:
      return nasty(r);
  }
}

function message(r: R, openai: boolean): unknown {
  const roles = openai ? ['user', 'assistant', 'system', 'developer', 'tool', 'function', 'robot', ''] : ['user', 'assistant', 'system', 'robot', ''];
  switch (r.int(6)) {
    case 0:
      return { role: r.pick(roles), content: nasty(r) };
    case 1:
      return { role: r.pick(roles), content: Array.from({ length: r.int(4) }, () => block(r)) };
    case 2:
      return openai
        ? {
            role: 'assistant',
            content: null,
            tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: r.pick(['{}', '{', 'null', '[]']) } }],
          }
        : { role: 'assistant', content: [block(r)] };
    case 3:
      return nasty(r);
    default:
      return { role: 'user', content: r.pick(['hi', 'Hello there', '']) };
  }
}

// Most bodies get several mutations (cheap refusals: the parsing and validation paths); about one in
// ten reaches the upstream and is billed (the expensive path, covered in depth elsewhere).
export function anthropicBody(r: R): Record<string, unknown> {
  const b: Record<string, unknown> = { model: r.pick(MODELS.slice(0, 4)), max_tokens: r.pick([16, 32, 64]), messages: [{ role: 'user', content: 'hi' }] };
  if (r.next() < 0.3) b.stream = true;
  const ops = 2 + r.int(4);
  for (let i = 0; i < ops; i++) mutate(r, b, A_FIELDS, false);
  return b;
}

export function openaiBody(r: R): Record<string, unknown> {
  const b: Record<string, unknown> = { model: r.pick(MODELS.slice(0, 4)), messages: [{ role: 'user', content: 'hi' }], max_tokens: r.pick([16, 32, 64]) };
  if (r.next() < 0.3) {
    b.stream = true;
    if (r.next() < 0.5) b.stream_options = { include_usage: true };
  }
  const ops = 2 + r.int(4);
  for (let i = 0; i < ops; i++) mutate(r, b, O_FIELDS, true);
  return b;
}

function mutate(r: R, b: Record<string, unknown>, fields: string[], openai: boolean) {
  const f = r.pick(fields);
  switch (r.int(7)) {
    case 0:
      delete b[f];
      break;
    case 1:
      b[f] = nasty(r);
      break;
    case 2:
      b.model = r.pick(MODELS);
      break;
    case 3:
      b.messages = Array.from({ length: r.int(5) }, () => message(r, openai));
      break;
    case 4:
      (b.messages as unknown[] | undefined)?.push?.(message(r, openai));
      break;
    case 5:
      b[`x_${r.int(1000)}`] = nasty(r);
      break;
    default:
      b[openai ? 'max_completion_tokens' : 'max_tokens'] = r.pick([0, 1, -5, 1e300, 2 ** 40, 1.25, '64', null, 200_000, 4096]);
  }
}

/** Byte-level damage to a serialized body. */
export function damage(r: R, json: string): string | Buffer {
  switch (r.int(7)) {
    case 0:
      return json.slice(0, r.int(json.length));
    case 1:
      return Buffer.concat([Buffer.from(json.slice(0, json.length >> 1)), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from(json.slice(json.length >> 1))]);
    case 2:
      return r.pick(['[]', '1', 'null', '"str"', 'true', '', ' ', '{}', '{"model":}', '\u0000']);
    case 3:
      return json.replace('{', `{"model":"gpt-4o-mini",`); // duplicate key
    case 4:
      return json.replace(/:/, ': '.repeat(r.int(50) + 1));
    case 5:
      return `${'['.repeat(200)}${']'.repeat(200)}`;
    default:
      return `${json}${'}'.repeat(r.int(3) + 1)}`;
  }
}

export interface FuzzResult {
  sent: number;
  byStatus: Map<number, number>;
  fiveHundreds: Array<{ status: number; body: string; reply: string }>;
}

/** Sends `n` fuzzed bodies to `path` with `width` concurrent requests; counts statuses, keeps a few 5xx for the report. */
export async function fuzz(opts: {
  url: string;
  path: string;
  headers: Record<string, string>;
  n: number;
  seed: number;
  width: number;
  make: (r: R) => Record<string, unknown>;
}): Promise<FuzzResult> {
  const r = rng(opts.seed);
  const dispatcher = new Agent({ connections: opts.width, pipelining: 1, keepAliveTimeout: 10_000 });
  const byStatus = new Map<number, number>();
  const fiveHundreds: FuzzResult['fiveHundreds'] = [];
  let sent = 0;
  const one = async () => {
    const obj = opts.make(r);
    let body: string | Buffer;
    try {
      body = JSON.stringify(obj);
    } catch {
      body = '{}';
    }
    if (r.next() < 0.15) body = damage(r, body as string);
    const res = await request(`${opts.url}${opts.path}`, { method: 'POST', headers: opts.headers, body, dispatcher });
    const reply = await res.body.text();
    byStatus.set(res.statusCode, (byStatus.get(res.statusCode) ?? 0) + 1);
    if (res.statusCode >= 500 && fiveHundreds.length < 5)
      fiveHundreds.push({ status: res.statusCode, body: String(body).slice(0, 300), reply: reply.slice(0, 300) });
    sent++;
  };
  let issued = 0;
  await Promise.all(
    Array.from({ length: opts.width }, async () => {
      while (issued < opts.n) {
        issued++;
        await one();
      }
    }),
  );
  await dispatcher.close();
  return { sent, byStatus, fiveHundreds };
}

/** Files the run is split into (the test runner gives each file 2 minutes, also on a busy machine). */
export const FUZZ_PARTS = 8;

/**
 * One eighth of the run: FUZZ_BODIES / 8 bodies (default 12,500) on one surface, with the seed
 * FUZZ_SEED + part. Eight files (fuzz-<surface>-<part>.test.ts) make the 100,000 bodies, half on
 * each surface.
 */
export function fuzzSuite(surface: 'anthropic' | 'openai', part: number): void {
  const N = Math.floor(Number(process.env.FUZZ_BODIES ?? 100_000) / FUZZ_PARTS);
  const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000) + part;
  const path = surface === 'anthropic' ? '/v1/messages' : '/v1/chat/completions';
  let fake: FakeUpstream;
  let tg: TestGateway;
  let c: Awaited<ReturnType<TestGateway['customer']>>;

  before(async () => {
    fake = await startFakeUpstream({ textChars: 40 });
    tg = await startTestGateway({ upstreamUrl: fake.url, openaiUpstreamUrl: fake.url });
    c = await tg.customer({ name: 'Fuzzer', credits: '100000' });
  });
  after(async () => {
    await tg?.close();
    await fake?.close();
  });

  test(`${N} fuzzed bodies on ${path}: no 5xx, still serving, every 200 billed once (seed ${SEED})`, async () => {
    const headers: Record<string, string> =
      surface === 'anthropic'
        ? { 'x-api-key': c.key, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' }
        : { authorization: `Bearer ${c.key}`, 'content-type': 'application/json' };
    const res = await fuzz({ url: tg.url, path, headers, n: N, seed: SEED, width: 24, make: surface === 'anthropic' ? anthropicBody : openaiBody });
    const statuses = Object.fromEntries([...res.byStatus].sort((a, b) => a[0] - b[0]));
    console.log(`fuzz ${path}: ${N} bodies, seed ${SEED}: ${JSON.stringify(statuses)}`);
    assert.equal(res.sent, N);
    assert.deepEqual(res.fiveHundreds, [], `5xx replies (seed ${SEED}): ${JSON.stringify(statuses)}`);
    const ok = res.byStatus.get(200) ?? 0;
    assert.ok(ok > N * 0.03, `enough bodies reached the upstream: ${JSON.stringify(statuses)}`);
    assert.ok(N - ok > N * 0.3, `enough bodies were refused: ${JSON.stringify(statuses)}`);
    assert.equal((await fetch(`${tg.url}/healthz`)).status, 200);
    await tg.gw.rt.usage.flush();
    assert.equal((await usageEvents(tg.databaseUrl, { orgId: c.orgId })).length, ok, 'one usage event per 200');
  });
}
