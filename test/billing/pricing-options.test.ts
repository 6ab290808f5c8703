/**
 * A hostile customer tries request options that change what the upstream charges: each is either
 * accepted by the allow-lists (and priced) or refused with a 400 in the caller's envelope that
 * names it, before anything is forwarded. Real clients' requests (Claude Code, the SDKs, the
 * Vercel AI SDK's fields) keep working.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { startFakeUpstream, type FakeUpstream } from '../support/fake-upstream.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';

let fake: FakeUpstream;
let tg: TestGateway;
let c: Awaited<ReturnType<TestGateway['customer']>>;
before(async () => {
  fake = await startFakeUpstream();
  tg = await startTestGateway({ upstreamUrl: fake.url, openaiUpstreamUrl: fake.url, env: { TOLLGATE_ALLOW_ANTHROPIC_BETAS: 'operator-extra-2099-01-01' } });
  c = await tg.customer();
});
after(async () => {
  await tg?.close();
  await fake?.close();
});

const post = (path: string, body: string | object, headers: Record<string, string> = {}) =>
  fetch(`${tg.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': c.key, authorization: `Bearer ${c.key}`, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
const base = { model: 'claude-sonnet-4-5', max_tokens: 20, messages: [{ role: 'user', content: 'hi' }] };
const chatBase = { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] };

async function refused(r: Response, surface: 'anthropic' | 'openai', name: RegExp) {
  assert.equal(r.status, 400);
  const j: any = await r.json();
  if (surface === 'anthropic') assert.equal(j.type, 'error');
  assert.equal(j.error.type, 'invalid_request_error');
  assert.match(j.error.message, name);
  return j;
}

test('unknown Anthropic body field, beta and server tool → 400 naming it; nothing forwarded', async () => {
  const before = fake.requests.length;
  await refused(await post('/v1/messages', { ...base, mcp_servers: [{ type: 'url', url: 'https://x', name: 'x' }] }), 'anthropic', /mcp_servers/);
  await refused(await post('/v1/messages', { ...base, fallbacks: [{ model: 'claude-opus-5' }] }), 'anthropic', /fallbacks/);
  await refused(
    await post('/v1/messages', base, { 'anthropic-beta': 'claude-code-20250219,files-api-2025-04-14' }),
    'anthropic',
    /anthropic-beta: files-api-2025-04-14/,
  );
  await refused(
    await post('/v1/messages', { ...base, tools: [{ type: 'code_execution_20250825', name: 'code_execution' }] }),
    'anthropic',
    /code_execution_20250825/,
  );
  await refused(await post('/v1/messages', { ...base, tools: [{ type: 'advisor_20260301', name: 'advisor' }] }), 'anthropic', /advisor_20260301/);
  await refused(await post('/v1/messages', { ...base, service_tier: 'priority' }), 'anthropic', /service_tier/);
  await refused(await post('/v1/messages', { ...base, inference_geo: 'eu' }), 'anthropic', /inference_geo/);
  const j = await refused(await post('/v1/messages', { ...base, speed: 'fast' }), 'anthropic', /speed: fast mode is not available/);
  assert.equal(fake.requests.length, before, 'nothing reached the upstream');
  assert.equal(j.error.type, 'invalid_request_error');
});

test('the SDK surfaces the refusal as BadRequestError; the operator can extend the beta list', async () => {
  const client = new Anthropic({ baseURL: tg.url, apiKey: c.key, maxRetries: 0 });
  await assert.rejects(
    client.messages.create({ ...base, inference_geo: 'mars' } as any),
    (e: any) => e instanceof Anthropic.BadRequestError && /inference_geo/.test(e.message),
  );
  const r = await post('/v1/messages', base, { 'anthropic-beta': 'operator-extra-2099-01-01' });
  assert.equal(r.status, 200);
});

test('duplicate JSON keys are refused (the parser and the upstream could disagree)', async () => {
  const r = await post(
    '/v1/messages',
    '{"model":"claude-sonnet-4-5","max_tokens":20,"speed":"standard","messages":[{"role":"user","content":"hi"}],"spe\\u0065d":"fast"}',
  );
  const j = await refused(r, 'anthropic', /"speed" more than once/);
  assert.equal(j.error.type, 'invalid_request_error');
  const o = await post('/v1/chat/completions', '{"model":"gpt-4o","n":1,"messages":[{"role":"user","content":"hi"}],"n":16}');
  await refused(o, 'openai', /"n" more than once/);
  // Same key in different objects is fine.
  const ok = await post('/v1/messages', {
    ...base,
    messages: [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'a' },
          { type: 'text', text: 'b' },
        ],
      },
    ],
  });
  assert.equal(ok.status, 200);
});

test('a Claude Code-shaped request (its betas, tools, cache_control, thinking, metadata, context_management) works', async () => {
  const betas =
    'claude-code-20250219,interleaved-thinking-2025-05-14,fine-grained-tool-streaming-2025-05-14,context-management-2025-06-27,prompt-caching-scope-2026-01-05,effort-2025-11-24,extended-cache-ttl-2025-04-11,advisor-tool-2026-03-01,thinking-token-count-2026-05-13';
  const body = {
    model: 'claude-sonnet-4-5',
    max_tokens: 32000,
    stream: true,
    system: [{ type: 'text', text: 'You are Claude Code.', cache_control: { type: 'ephemeral', ttl: '1h' } }],
    messages: [{ role: 'user', content: [{ type: 'text', text: 'ls', cache_control: { type: 'ephemeral' } }] }],
    tools: [
      { name: 'Bash', description: 'run', input_schema: { type: 'object', properties: {} } },
      { type: 'web_search_20250305', name: 'web_search', max_uses: 5 },
      { type: 'web_fetch_20250910', name: 'web_fetch' },
    ],
    tool_choice: { type: 'auto' },
    thinking: { type: 'enabled', budget_tokens: 10000 },
    metadata: { user_id: 'user_abc' },
    context_management: { edits: [{ type: 'clear_tool_uses_20250919' }] },
    output_config: { effort: 'high' },
    temperature: 1,
  };
  const r = await post('/v1/messages', body, { 'anthropic-beta': betas });
  assert.equal(r.status, 200, await r.clone().text());
  await r.text();
  assert.equal(fake.requests.at(-1)!.headers['anthropic-beta'], betas, 'betas forwarded as sent');
});

test('OpenAI surface: Vercel AI SDK / SDK fields work; unknown fields, audio, bad n and unpriced tiers are refused', async () => {
  const client = new OpenAI({ baseURL: `${tg.url}/v1`, apiKey: c.key, maxRetries: 0 });
  const ok = await client.chat.completions.create({
    ...chatBase,
    temperature: 0.2,
    top_p: 1,
    seed: 7,
    user: 'u',
    parallel_tool_calls: false,
    logprobs: true,
    top_logprobs: 2,
    response_format: { type: 'json_object' },
    store: false,
    metadata: { a: 'b' },
    prompt_cache_key: 'k',
    safety_identifier: 's',
    service_tier: 'auto',
    max_completion_tokens: 50,
  } as any);
  assert.equal(ok.object, 'chat.completion');
  await refused(await post('/v1/chat/completions', { ...chatBase, web_search_options: {} }), 'openai', /web_search_options/);
  await refused(
    await post('/v1/chat/completions', { ...chatBase, modalities: ['text', 'audio'], audio: { voice: 'alloy', format: 'mp3' } }),
    'openai',
    /audio|modalities/,
  );
  await refused(await post('/v1/chat/completions', { ...chatBase, n: 1000 }), 'openai', /^n: /);
  await refused(await post('/v1/chat/completions', { ...chatBase, service_tier: 'scale' }), 'openai', /service_tier/);
  await assert.rejects(
    client.chat.completions.create({ ...chatBase, foo_bar: 1 } as any),
    (e: any) => e instanceof OpenAI.BadRequestError && /foo_bar/.test(e.message) && e.code === 'unsupported_option',
  );
});

test('retired models are refused with 404 model_retired instead of being routed', async () => {
  const before = fake.requests.length;
  const r = await post('/v1/messages', { ...base, model: 'claude-3-7-sonnet-20250219' });
  assert.equal(r.status, 404);
  const j: any = await r.json();
  assert.equal(j.error.type, 'not_found_error');
  assert.match(j.error.message, /retired on 2026-02-19/);
  const o = await post('/v1/chat/completions', { ...chatBase, model: 'claude-opus-4-1' });
  assert.equal(o.status, 404);
  assert.equal(((await o.json()) as any).error.code, 'model_retired');
  assert.equal(fake.requests.length, before);
});
