/** Bad input gets a clear 4xx in the caller's envelope — never a 5xx, a crash or a charge. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startFakeUpstream, type FakeUpstream } from '../support/fake-upstream.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { usageEvents } from '../support/db.ts';

let fake: FakeUpstream;
let tg: TestGateway;
before(async () => {
  fake = await startFakeUpstream();
  tg = await startTestGateway({ upstreamUrl: fake.url, openaiUpstreamUrl: fake.url });
});
after(async () => {
  await tg?.close();
  await fake?.close();
});

const msg = { model: 'claude-haiku-4-5', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] };
const chat = { model: 'claude-haiku-4-5', messages: [{ role: 'user', content: 'hi' }] };
const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);

const anthropicCases: Array<[string, string | object]> = [
  ['empty body', ''],
  ['not JSON', '{"model": '],
  ['a JSON array', '[1,2]'],
  ['JSON null', 'null'],
  ['max_tokens as a string', { ...msg, max_tokens: '10' }],
  ['negative max_tokens', { ...msg, max_tokens: -1 }],
  ['messages not an array', { ...msg, messages: 'hi' }],
  ['a bad role', { ...msg, messages: [{ role: 'system', content: 'x' }] }],
  ['content a number', { ...msg, messages: [{ role: 'user', content: 42 }] }],
  ['stream "yes"', { ...msg, stream: 'yes' }],
  ['temperature a string', { ...msg, temperature: 'hot' }],
  ['tools an object', { ...msg, tools: {} }],
  ['model missing', { max_tokens: 10, messages: [] }],
  ['model a number', { ...msg, model: 7 }],
  ['unknown model', { ...msg, model: 'gpt-∞' }],
  ['deeply nested junk', `{"model":"claude-haiku-4-5","max_tokens":5,"messages":[],"x":${deep(5000)}}`],
  ['max_tokens 0 with stream', { ...msg, max_tokens: 0, stream: true }],
];
const openaiCases: Array<[string, string | object]> = [
  ['empty body', ''],
  ['not JSON', '{'],
  ['messages empty', { ...chat, messages: [] }],
  ['role robot', { ...chat, messages: [{ role: 'robot', content: 'x' }] }],
  ['n = 2 for Claude', { ...chat, n: 2 }],
  ['max_tokens 0', { ...chat, max_tokens: 0 }],
  ['stream_options a string', { ...chat, stream: true, stream_options: 'x' }],
  [
    'tool call with broken JSON arguments',
    {
      ...chat,
      tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }],
      messages: [
        { role: 'user', content: 'x' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{nope' } }] },
        { role: 'tool', tool_call_id: 'c1', content: 'r' },
      ],
    },
  ],
  ['response_format json_schema for Claude', { ...chat, response_format: { type: 'json_schema', json_schema: { name: 'x', schema: {} } } }],
  ['unknown model', { ...chat, model: 'nope' }],
];

test("Anthropic surface: every malformed request is a 4xx invalid_request/not_found in Anthropic's envelope", async () => {
  const c = await tg.customer();
  for (const [name, body] of anthropicCases) {
    const r = await fetch(`${tg.url}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': c.key, 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    assert.ok(r.status >= 400 && r.status < 500, `${name}: ${r.status}`);
    const j: any = await r.json();
    assert.equal(j.type, 'error', name);
    assert.ok(['invalid_request_error', 'not_found_error'].includes(j.error.type), `${name}: ${j.error.type}`);
    assert.ok(j.error.message.length > 5, name);
  }
  assert.equal((await usageEvents(tg.databaseUrl, { orgId: c.orgId })).length, 0);
});

test("OpenAI surface: every malformed request is a 4xx in OpenAI's envelope", async () => {
  const c = await tg.customer();
  for (const [name, body] of openaiCases) {
    const r = await fetch(`${tg.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${c.key}`, 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    assert.ok(r.status >= 400 && r.status < 500, `${name}: ${r.status}`);
    const j: any = await r.json();
    assert.equal(typeof j.error.message, 'string', name);
    assert.ok('param' in j.error && 'code' in j.error, name);
  }
  assert.equal((await usageEvents(tg.databaseUrl, { orgId: c.orgId })).length, 0);
});

test('bad headers: a malformed Authorization, a non-ASCII key, a wrong method, an unknown path', async () => {
  const cases: Array<[string, RequestInit, number]> = [
    ['/v1/messages', { method: 'POST', headers: { authorization: 'Basic abc' }, body: JSON.stringify(msg) }, 401],
    ['/v1/messages', { method: 'POST', headers: { 'x-api-key': 'sk-tg-ünïcode' }, body: JSON.stringify(msg) }, 401],
    ['/v1/messages', { method: 'GET' }, 404],
    ['/v1/nothing', { method: 'POST', body: '{}' }, 404],
  ];
  for (const [path, init, status] of cases) {
    const r = await fetch(`${tg.url}${path}`, init).catch((e) => ({ status: 0, text: () => String(e) }) as any);
    assert.equal(r.status, status, `${path} ${JSON.stringify(init.headers ?? {})}`);
  }
  const health = await fetch(`${tg.url}/healthz`);
  assert.equal(health.status, 200, 'still serving');
});
