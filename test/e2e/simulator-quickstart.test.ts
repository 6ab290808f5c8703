/**
 * The README's quick start: `npm start` with no provider key serves every priced model from the
 * built-in simulated upstream, and the CLI sets up an org and a key while the server runs.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';

let tg: TestGateway;
before(async () => {
  tg = await startTestGateway();
});
after(async () => {
  await tg?.close();
});

test('simulator mode: the CLI creates an org and a key, both SDKs work, /v1/models lists hundreds of models', async () => {
  assert.ok(tg.gw.simulatorUrl, 'simulator started');
  const org = await tg.cli('org', 'create', '--name', 'Quickstart', '--credits', '5');
  assert.match(org.id, /^org_/);
  const key = await tg.cli('key', 'create', '--org', org.id, '--name', 'laptop');
  assert.match(key.key, /^sk-tg-/);
  // The running server knows the new key on its very first request (no restart, no refresh call, no wait).
  const anthropic = new Anthropic({ baseURL: tg.url, apiKey: key.key, maxRetries: 0 });
  const msg = await anthropic.messages.create({ model: 'claude-sonnet-4-6', max_tokens: 50, messages: [{ role: 'user', content: 'Hello' }] });
  assert.ok(msg.content[0]!.type === 'text');
  const openai = new OpenAI({ baseURL: `${tg.url}/v1`, apiKey: key.key, maxRetries: 0 });
  const chat = await openai.chat.completions.create({ model: 'gemini-2.5-flash', messages: [{ role: 'user', content: 'Hi' }] });
  assert.ok(chat.choices[0]!.message.content);
  const models = await openai.models.list();
  assert.ok(models.data.length >= 300, `${models.data.length} models`);
  const usage = await tg.cli('usage', '--org', org.id);
  assert.equal(usage.requests, 2);
  assert.equal(usage.by_model.length, 2);
  const keys = await tg.cli('key', 'list', '--org', org.id);
  assert.equal(keys.length, 1);
  assert.equal(keys[0].key, undefined, 'secrets are never listed');
  const revoked = await tg.cli('key', 'revoke', keys[0].id);
  assert.equal(revoked.status, 'revoked');
  let refused = false;
  for (let i = 0; i < 40 && !refused; i++) {
    try {
      await anthropic.messages.create({ model: 'claude-sonnet-4-6', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] });
      await new Promise((r) => setTimeout(r, 50));
    } catch (e) {
      refused = e instanceof Anthropic.AuthenticationError;
      if (!refused) throw e;
    }
  }
  assert.ok(refused, 'revoked key refused within about a second');
});
