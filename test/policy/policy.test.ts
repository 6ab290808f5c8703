/**
 * Per-key model policy: `--models` allows only those models (others: 403 permission_error in the
 * surface's envelope), `--max-tokens N` refuses larger requests with a 400 naming the ceiling, or
 * clamps them with `--max-tokens-mode clamp`; the same per workspace and through the admin API.
 * Keys made a moment ago by the CLI (not yet in the gateway's cache) obey their policy too.
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
  tg = await startTestGateway({ upstreamUrl: fake.url });
  c = await tg.customer();
});
after(async () => {
  await tg?.close();
  await fake?.close();
});

const clients = (key: string) => ({
  anthropic: new Anthropic({ baseURL: tg.url, apiKey: key, maxRetries: 0 }),
  openai: new OpenAI({ baseURL: `${tg.url}/v1`, apiKey: key, maxRetries: 0 }),
});
const msg = (model: string, max: number) => ({ model, max_tokens: max, messages: [{ role: 'user' as const, content: 'hi' }] });
const admin = (path: string, key: string, body: unknown) =>
  fetch(`${tg.url}/admin/v1/${path}`, { method: 'POST', headers: { 'x-api-key': key, 'content-type': 'application/json' }, body: JSON.stringify(body) });

test('tollgate key create --models: other models get a 403 permission_error on both surfaces; listed ones (by alias or dated id) work', async () => {
  const k = await tg.cli('key', 'create', '--org', c.orgId, '--models', 'claude-haiku-4-5');
  assert.deepEqual(k.policy.models, ['claude-haiku-4-5']);
  const { anthropic, openai } = clients(k.key); // used at once: the gateway finds it on the miss path
  await assert.rejects(
    anthropic.messages.create(msg('claude-sonnet-4-5', 10)),
    (e: any) => e instanceof Anthropic.PermissionDeniedError && (e as any).error?.error?.type === 'permission_error' && /claude-haiku-4-5/.test(e.message),
  );
  await assert.rejects(
    openai.chat.completions.create(msg('claude-sonnet-4-5', 10)),
    (e: any) => e instanceof OpenAI.PermissionDeniedError && e.code === 'model_not_allowed',
  );
  const before = fake.requests.length;
  assert.equal((await anthropic.messages.create(msg('claude-haiku-4-5-20251001', 10))).type, 'message');
  assert.ok((await openai.chat.completions.create(msg('claude-haiku-4-5', 10))).choices.length);
  assert.equal(fake.requests.length - before, 2, 'refused requests never reached the upstream');
});

test('--max-tokens N refuses larger requests with a 400 naming the ceiling (refuse mode)', async () => {
  const k = await tg.cli('key', 'create', '--org', c.orgId, '--max-tokens', '100');
  const { anthropic, openai } = clients(k.key);
  await assert.rejects(
    anthropic.messages.create(msg('claude-haiku-4-5', 101)),
    (e: any) => e.status === 400 && /ceiling of 100/.test(e.message) && e.error?.error?.type === 'invalid_request_error',
  );
  await assert.rejects(
    openai.chat.completions.create({ ...msg('claude-haiku-4-5', 0), max_tokens: undefined, max_completion_tokens: 500 } as any),
    (e: any) => e.status === 400 && e.param === 'max_completion_tokens' && /ceiling of 100/.test(e.message),
  );
  await anthropic.messages.create(msg('claude-haiku-4-5', 100));
  assert.equal(fake.requests.at(-1)!.body.max_tokens, 100);
  // An OpenAI request that names no ceiling is sent with the key's.
  await openai.chat.completions.create({ model: 'claude-haiku-4-5', messages: [{ role: 'user', content: 'hi' }] });
  assert.equal(fake.requests.at(-1)!.body.max_tokens, 100);
});

test('--max-tokens-mode clamp sends the ceiling instead; set and changed through the admin API', async () => {
  const created = (await (await admin(`orgs/${c.orgId}/keys`, c.adminKey, { name: 'clamped', max_tokens: 50, max_tokens_mode: 'clamp' })).json()) as any;
  assert.deepEqual(created.policy, { models: null, max_tokens: 50, max_tokens_mode: 'clamp', timeout_ms: null });
  const { anthropic, openai } = clients(created.key);
  await anthropic.messages.create(msg('claude-haiku-4-5', 4000));
  assert.equal(fake.requests.at(-1)!.body.max_tokens, 50);
  await openai.chat.completions.create(msg('claude-haiku-4-5', 4000));
  assert.equal(fake.requests.at(-1)!.body.max_tokens, 50);
  // Update: restrict its models (the gateway's cache follows at once).
  const upd = await admin(`keys/${created.id}`, c.adminKey, { models: ['claude-sonnet-4-5'] });
  assert.equal(upd.status, 200);
  assert.deepEqual(((await upd.json()) as any).policy.models, ['claude-sonnet-4-5']);
  await assert.rejects(anthropic.messages.create(msg('claude-haiku-4-5', 10)), (e: any) => e.status === 403);
  const bad = await admin(`keys/${created.id}`, c.adminKey, { max_tokens: -3 });
  assert.equal(bad.status, 400);
  // Another org's admin key cannot touch it.
  const other = await tg.customer({ name: 'Other' });
  assert.equal((await admin(`keys/${created.id}`, other.adminKey, { models: null })).status, 403);
});

test("a workspace policy binds every key of the workspace (CLI and admin API), on top of the key's own", async () => {
  const ws = (await tg.accounts.createWorkspace(c.orgId, 'Interns')).id;
  const k = await tg.cli('key', 'create', '--org', c.orgId, '--workspace', ws, '--max-tokens', '300');
  const set = await tg.cli('workspace', 'policy', '--org', c.orgId, '--workspace', ws, '--models', 'claude-haiku-4-5', '--max-tokens', '200');
  assert.deepEqual(set.policy.models, ['claude-haiku-4-5']);
  await new Promise((r) => setTimeout(r, 400)); // the running gateway follows the change log
  const { anthropic, openai } = clients(k.key);
  await assert.rejects(openai.chat.completions.create(msg('claude-sonnet-4-5', 10)), (e: any) => e.status === 403);
  await assert.rejects(anthropic.messages.create(msg('claude-haiku-4-5', 250)), (e: any) => e.status === 400 && /ceiling of 200/.test(e.message));
  const r = await admin(`orgs/${c.orgId}/workspaces/${ws}/policy`, c.adminKey, { models: null, max_tokens: null });
  assert.equal(r.status, 200);
  await new Promise((res) => setTimeout(res, 400));
  assert.equal((await anthropic.messages.create(msg('claude-sonnet-4-5', 250))).type, 'message');
  await assert.rejects(anthropic.messages.create(msg('claude-sonnet-4-5', 301)), (e: any) => e.status === 400 && /ceiling of 300/.test(e.message));
});
