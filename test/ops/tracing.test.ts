/**
 * OpenTelemetry: with OTEL_EXPORTER_OTLP_ENDPOINT set, a request's span reaches a local OTLP/HTTP
 * receiver (a plain node http server), named and attributed by the GenAI semantic conventions;
 * prompts are not in it unless content capture is configured. Without the endpoint, no span.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Anthropic from '@anthropic-ai/sdk';
import { startFakeUpstream, type FakeUpstream } from '../support/fake-upstream.ts';
import { startTestGateway } from '../support/gateway.ts';

interface Received {
  path: string;
  contentType: string;
  body: string;
}
const received: Received[] = [];
const receiver = http.createServer((req, res) => {
  const parts: Buffer[] = [];
  req
    .on('data', (c) => parts.push(c))
    .on('end', () => {
      received.push({ path: req.url ?? '', contentType: String(req.headers['content-type']), body: Buffer.concat(parts).toString('utf8') });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
});
let fake: FakeUpstream;
after(async () => {
  await fake?.close();
  await new Promise((r) => receiver.close(r));
});

const PROMPT = 'the secret recipe is 42 cloves of garlic';

function spans(): any[] {
  const out: any[] = [];
  for (const r of received) {
    const j = JSON.parse(r.body);
    for (const rs of j.resourceSpans ?? []) for (const ss of rs.scopeSpans ?? []) for (const s of ss.spans ?? []) out.push({ ...s, resource: rs.resource });
  }
  return out;
}
const attr = (s: any, k: string) => {
  const a = s.attributes.find((x: any) => x.key === k);
  if (!a) return undefined;
  const v = a.value;
  return v.stringValue ?? (v.intValue !== undefined ? Number(v.intValue) : (v.boolValue ?? v.doubleValue));
};

async function run(env: Record<string, string>, stream: boolean) {
  fake ??= await startFakeUpstream();
  const tg = await startTestGateway({ upstreamUrl: fake.url, env });
  try {
    const c = await tg.customer();
    const client = new Anthropic({ baseURL: tg.url, apiKey: c.key, maxRetries: 0 });
    fake.script({ kind: 'usage', usage: { input_tokens: 12, output_tokens: 7, cache_read_input_tokens: 5 } as any });
    if (stream) await client.messages.stream({ model: 'claude-haiku-4-5', max_tokens: 50, messages: [{ role: 'user', content: PROMPT }] }).finalMessage();
    else await client.messages.create({ model: 'claude-haiku-4-5', max_tokens: 50, messages: [{ role: 'user', content: PROMPT }] });
    return c;
  } finally {
    await tg.close(); // flushes the span batch
  }
}

test('a span reaches the OTLP receiver, GenAI-attributed, without the prompt', async () => {
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
  const endpoint = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  const c = await run({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_SERVICE_NAME: 'tollgate-test' }, false);
  assert.ok(received.length >= 1, 'the exporter posted to the receiver');
  assert.equal(received[0]!.path, '/v1/traces');
  assert.match(received[0]!.contentType, /json/);
  const all = spans();
  assert.equal(all.length, 1);
  const s = all[0];
  assert.match(s.name, /^chat claude-haiku-4-5/);
  assert.equal(s.kind, 2, 'SERVER');
  assert.equal(attr(s, 'gen_ai.operation.name'), 'chat');
  assert.equal(attr(s, 'gen_ai.provider.name'), 'anthropic');
  assert.equal(attr(s, 'gen_ai.system'), 'anthropic');
  assert.match(attr(s, 'gen_ai.request.model'), /^claude-haiku-4-5/);
  assert.match(attr(s, 'gen_ai.response.model'), /^claude-haiku-4-5/);
  assert.equal(attr(s, 'gen_ai.usage.input_tokens'), 17, 'uncached + cache read');
  assert.equal(attr(s, 'gen_ai.usage.output_tokens'), 7);
  assert.equal(attr(s, 'http.response.status_code'), 200);
  assert.equal(attr(s, 'tollgate.org_id'), c.orgId);
  assert.match(attr(s, 'tollgate.request_id'), /^req_/);
  const svc = s.resource.attributes.find((a: any) => a.key === 'service.name');
  assert.equal(svc.value.stringValue, 'tollgate-test');
  assert.ok(!received.some((r) => r.body.includes('garlic')), 'no prompt content by default');
  assert.ok(!received.some((r) => r.body.includes(c.key)), 'no key');

  // With content capture configured, the prompt is recorded (a stream this time).
  received.length = 0;
  await run({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, TOLLGATE_OTEL_CAPTURE_CONTENT: 'true' }, true);
  const s2 = spans()[0];
  assert.match(attr(s2, 'gen_ai.input.messages'), /garlic/);
  assert.equal(attr(s2, 'tollgate.stream'), true);
  assert.equal(attr(s2, 'gen_ai.usage.output_tokens'), 7);

  // Without an endpoint: nothing is sent.
  received.length = 0;
  await run({}, false);
  assert.equal(received.length, 0);
});
