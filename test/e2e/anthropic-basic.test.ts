import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import { startFakeUpstream, type FakeUpstream } from '../support/fake-upstream.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';

let fake: FakeUpstream;
let tg: TestGateway;
before(async () => {
  fake = await startFakeUpstream();
  tg = await startTestGateway({ upstreamUrl: fake.url });
});
after(async () => {
  await tg?.close();
  await fake?.close();
});

test('messages.create through the gateway is metered and priced exactly', async () => {
  const c = await tg.customer();
  const client = new Anthropic({ baseURL: tg.url, apiKey: c.key, maxRetries: 0 });
  fake.script({
    kind: 'usage',
    usage: {
      input_tokens: 1000,
      output_tokens: 200,
      cache_read_input_tokens: 3000,
      cache_creation: { ephemeral_5m_input_tokens: 100, ephemeral_1h_input_tokens: 50 },
    } as any,
  });
  const msg = await client.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 300, messages: [{ role: 'user', content: 'Hello' }] });
  assert.equal(msg.type, 'message');
  assert.equal(msg.usage.input_tokens, 1000);
  const upstreamReq = fake.requests.at(-1)!;
  assert.equal(upstreamReq.headers['x-api-key'], 'sk-ant-upstream-secret', 'upstream sees the operator key');
  assert.equal(upstreamReq.body.model, 'claude-sonnet-4-5-20250929', 'alias resolved to the dated id');
  const u = await tg.cli('usage', '--org', c.orgId);
  assert.equal(u.requests, 1);
  assert.equal(u.input_tokens, 1000);
  assert.equal(u.output_tokens, 200);
  assert.equal(u.cache_creation_input_tokens, 150);
  assert.equal(u.cache_read_input_tokens, 3000);
  // 1000×$3 + 200×$15 + 100×$3.75 + 50×$6 + 3000×$0.30 per MTok
  assert.equal(u.cost_usd, '0.007575');
});

test('streaming is metered from message_start + cumulative message_delta', async () => {
  const c = await tg.customer();
  const client = new Anthropic({ baseURL: tg.url, apiKey: c.key, maxRetries: 0 });
  fake.script([
    { kind: 'chunking', sizes: 'byte' },
    { kind: 'usage', usage: { input_tokens: 10, output_tokens: 20 } as any },
  ]);
  const stream = client.messages.stream({ model: 'claude-haiku-4-5', max_tokens: 100, messages: [{ role: 'user', content: 'Hi 👋 там' }] });
  const final = await stream.finalMessage();
  assert.equal(final.usage.output_tokens, 20);
  const u = await tg.cli('usage', '--org', c.orgId);
  assert.equal(u.requests, 1);
  assert.equal(u.cost_usd, '0.00011'); // 10×$1 + 20×$5 per MTok
});

test('bad keys, unknown models and bad bodies get Anthropic errors', async () => {
  const c = await tg.customer();
  const bad = new Anthropic({ baseURL: tg.url, apiKey: 'sk-tg-nope', maxRetries: 0 });
  await assert.rejects(
    bad.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }),
    Anthropic.AuthenticationError,
  );
  const client = new Anthropic({ baseURL: tg.url, apiKey: c.key, maxRetries: 0 });
  await assert.rejects(
    client.messages.create({ model: 'claude-nonexistent-9', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }),
    Anthropic.NotFoundError,
  );
  await assert.rejects(
    client.messages.create({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'x' }] } as any),
    (e: any) => e instanceof Anthropic.BadRequestError && /max_tokens/.test(e.message),
  );
  const r = await fetch(`${tg.url}/v1/messages`, { method: 'POST', headers: { 'x-api-key': c.key, 'content-type': 'application/json' }, body: '{"model": ' });
  assert.equal(r.status, 400);
  const j: any = await r.json();
  assert.equal(j.type, 'error');
  assert.equal(j.error.type, 'invalid_request_error');
  assert.match(j.request_id, /^req_/);
  assert.equal(r.headers.get('request-id'), j.request_id);
  const u = await tg.cli('usage', '--org', c.orgId);
  assert.equal(u.requests, 0, 'nothing billed for refused requests');
});
