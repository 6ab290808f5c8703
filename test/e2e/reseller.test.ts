/**
 * The reseller half of the guide: one key, every model. Upstreams added with the CLI (key sealed
 * at rest), vendor quirks (DeepSeek), reseller price groups (20 % under list) with the operator's
 * margin per model, and the Vercel AI SDK against both surfaces.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { dirname } from 'node:path';
import OpenAI from 'openai';
import { generateText, streamText } from 'ai';
import { createOpenAI } from '@ai-sdk/openai';
import { createAnthropic } from '@ai-sdk/anthropic';
import { startFakeUpstream, type FakeUpstream } from '../support/fake-upstream.ts';
import { startTestGateway, usePostgres, type TestGateway } from '../support/gateway.ts';
import { usageEvents } from '../support/db.ts';

const MASTER = 'a'.repeat(64);
let claude: FakeUpstream;
let deepseek: FakeUpstream;
let tg: TestGateway;
before(async () => {
  claude = await startFakeUpstream();
  deepseek = await startFakeUpstream();
  tg = await startTestGateway({ upstreamUrl: claude.url, env: { TOLLGATE_MASTER_KEY: MASTER } });
});
after(async () => {
  await tg?.close();
  await claude?.close();
  await deepseek?.close();
});

test('an upstream added with the CLI serves its models; its key is sealed and never shown', async () => {
  const added = await tg.cli(
    'upstream',
    'add',
    '--name',
    'deepseek',
    '--kind',
    'deepseek',
    '--base-url',
    `${deepseek.url}/v1`,
    '--api-key',
    'sk-deepseek-very-secret',
    '--models',
    'deepseek-chat',
  );
  assert.equal(added.has_key, true);
  assert.equal(JSON.stringify(added).includes('very-secret'), false);
  const listed = await tg.cli('upstream', 'list');
  assert.equal(JSON.stringify(listed).includes('very-secret'), false);
  const row = await tg.gw.store.db.selectFrom('upstreams').selectAll().where('name', '=', 'deepseek').executeTakeFirstOrThrow();
  assert.match(row.api_key_sealed!, /^v2:/, 'sealed with AES-256-GCM, bound to the row');
  assert.equal(row.api_key_sealed!.includes('very-secret'), false);
  // Scan the database files from another process: closing a handle to the SQLite file in this
  // process would drop the gateway's own locks (POSIX advisory-lock semantics).
  if (!usePostgres) assert.equal(spawnSync('grep', ['-rl', 'sk-deepseek-very-secret', dirname(tg.databaseUrl)]).stdout.toString(), '', 'not on disk in clear');

  const c = await tg.customer();
  const client = new OpenAI({ baseURL: `${tg.url}/v1`, apiKey: c.key, maxRetries: 0 });
  deepseek.script({
    kind: 'usage',
    usage: { input_tokens: 0, output_tokens: 0 } as any,
    openaiUsage: { prompt_tokens: 1000, completion_tokens: 100, total_tokens: 1100, prompt_cache_hit_tokens: 600, prompt_cache_miss_tokens: 400 } as any,
  });
  let r: OpenAI.ChatCompletion | undefined;
  for (let i = 0; i < 40 && !r; i++) {
    try {
      r = await client.chat.completions.create({
        model: 'deepseek-chat',
        messages: [
          { role: 'developer', content: 'Be brief.' },
          { role: 'user', content: 'Hi' },
        ],
      });
    } catch (e: any) {
      if (e.status !== 404) throw e;
      await new Promise((res) => setTimeout(res, 50));
    }
  }
  assert.ok(r, 'the running gateway picked the new upstream up');
  const up = deepseek.requests.at(-1)!;
  assert.equal(up.headers.authorization, 'Bearer sk-deepseek-very-secret');
  assert.equal(up.body.messages[0].role, 'system', 'DeepSeek rejects the developer role');
  const ev = (await usageEvents(tg.databaseUrl, { orgId: c.orgId }))[0]!;
  assert.equal(ev.upstream, 'deepseek');
  assert.equal(ev.cache_read_tokens, 600n, 'DeepSeek cache hits billed as cache reads');
  assert.equal(ev.input_tokens, 400n);
  assert.equal(ev.output_tokens, 100n);
});

test('reseller group: 20 % under list for the customer, the operator sees its margin', async () => {
  const c = await tg.customer();
  await tg.cli('prices', 'group', 'set', '--group', 'resellers', '--discount', '20');
  await tg.cli('org', 'update', c.orgId, '--price-group', 'resellers');
  await tg.cli('prices', 'group', 'set', '--group', 'upstream:anthropic', '--discount', '30'); // the operator's negotiated cost
  await tg.gw.refresh();
  claude.script({ kind: 'usage', usage: { input_tokens: 1000, output_tokens: 1000 } as any });
  const client = new OpenAI({ baseURL: `${tg.url}/v1`, apiKey: c.key, maxRetries: 0 });
  await client.chat.completions.create({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'Hello!' }] });
  const u = await tg.cli('usage', '--org', c.orgId, '--margin');
  assert.equal(u.cost_usd, '0.0144', '($3 + $15)/1000 × 0.8');
  assert.equal(u.upstream_cost_usd, '0.0126', '× 0.7');
  assert.equal(u.margin_usd, '0.0018');
  assert.equal(u.by_model[0].margin_usd, '0.0018');
  const models = await client.models.retrieve('claude-sonnet-4-5-20250929');
  assert.equal((models as any).pricing.input, '2.4', 'the customer sees their own prices');
});

test('the Vercel AI SDK works through both surfaces', async () => {
  const c = await tg.customer();
  const viaOpenai = createOpenAI({ baseURL: `${tg.url}/v1`, apiKey: c.key });
  const a = await generateText({ model: viaOpenai.chat('claude-sonnet-4-5'), prompt: 'Say hi' });
  assert.ok(a.text.length > 0);
  assert.ok((a.usage.inputTokens ?? 0) > 0);
  const s = streamText({ model: viaOpenai.chat('claude-haiku-4-5'), prompt: 'Stream hi' });
  let streamed = '';
  for await (const t of s.textStream) streamed += t;
  assert.ok(streamed.length > 0);
  const viaAnthropic = createAnthropic({ baseURL: `${tg.url}/v1`, apiKey: c.key });
  const b = await generateText({ model: viaAnthropic('claude-sonnet-4-5'), prompt: 'Say hi' });
  assert.ok(b.text.length > 0);
  const s2 = streamText({ model: viaAnthropic('claude-haiku-4-5'), prompt: 'Stream hi' });
  let streamed2 = '';
  for await (const t of s2.textStream) streamed2 += t;
  assert.ok(streamed2.length > 0);
  const ev = await usageEvents(tg.databaseUrl, { orgId: c.orgId });
  assert.equal(ev.length, 4);
});
