/**
 * Anthropic's organization objects through the official SDK (`client.organization…`, admin key in
 * x-api-key): me, API keys (list, paging, get, rename, archive — which revokes), workspaces,
 * users; and OpenAI's usage/completions and costs, equal to `tollgate usage`'s report.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import { usageReport } from '../../src/usage/report.ts';
import { orgApiFixture, sumDecimals, usdToCentUnits } from './support.ts';

let f: Awaited<ReturnType<typeof orgApiFixture>>;
let admin: Anthropic;
before(async () => {
  f = await orgApiFixture();
  admin = new Anthropic({ baseURL: f.tg.url, apiKey: f.A.adminKey, maxRetries: 0 });
});
after(async () => {
  await f?.tg.close();
});

test('me, workspaces and users', async () => {
  const me = await admin.organization.retrieve();
  assert.deepEqual({ ...me }, { id: f.A.orgId, type: 'organization', name: 'Org A' });
  const ws = await f.get('/v1/organizations/workspaces');
  assert.equal(ws.status, 200);
  assert.deepEqual(ws.json.data.map((w: any) => w.id).sort(), [f.A.workspaceId, f.ws2].sort());
  for (const w of ws.json.data) {
    assert.equal(w.type, 'workspace');
    assert.match(w.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    assert.equal(w.archived_at, null);
  }
  assert.equal(ws.json.has_more, false);
  assert.equal((await f.get(`/v1/organizations/workspaces/${f.ws2}`)).json.name, 'Team 2');
  assert.equal((await f.get(`/v1/organizations/workspaces/${f.B.workspaceId}`)).status, 404, "another org's workspace does not exist here");
  const users = await f.get('/v1/organizations/users');
  assert.deepEqual(users.json, { data: [], has_more: false, first_id: null, last_id: null });
  assert.equal((await f.get('/v1/organizations/me', f.B.adminKey)).json.id, f.B.orgId);
});

test('API keys: list with paging, get, rename, archive (revokes the key at once)', async () => {
  for (let i = 0; i < 4; i++) await f.tg.accounts.createKey({ orgId: f.A.orgId, name: `extra ${i}` });
  const seen: string[] = [];
  for await (const k of admin.organization.apiKeys.list({ limit: 2 })) {
    seen.push(k.id);
    assert.equal(k.type, 'api_key');
    assert.equal(k.status, 'active');
    assert.ok(k.partial_key_hint);
    assert.equal((k as any).workspace_id, f.A.workspaceId);
    assert.deepEqual(k.scope, { type: 'workspace', workspace_id: f.A.workspaceId } as any);
  }
  assert.equal(seen.length, 5, 'the customer key and four more; admin keys are not listed');
  assert.equal(new Set(seen).size, 5);
  assert.ok(!seen.includes(f.A.adminKeyId));
  const listB = await f.get('/v1/organizations/api_keys', f.B.adminKey);
  assert.deepEqual(
    listB.json.data.map((k: any) => k.id),
    [f.B.keyId],
    'another org lists only its own',
  );

  const k = await admin.organization.apiKeys.retrieve(f.A.keyId);
  assert.equal(k.id, f.A.keyId);
  await assert.rejects(admin.organization.apiKeys.retrieve(f.B.keyId), Anthropic.NotFoundError, "another org's key is not found");
  const renamed = await admin.organization.apiKeys.update(f.A.keyId, { name: 'renamed' });
  assert.equal(renamed.name, 'renamed');
  await assert.rejects(admin.organization.apiKeys.update(f.A.keyId, { status: 'inactive' }), Anthropic.BadRequestError);

  // Archive revokes: the key stops working on the proxy at once.
  const victim = await f.tg.accounts.createKey({ orgId: f.A.orgId, name: 'victim' });
  const claude = new Anthropic({ baseURL: f.tg.url, apiKey: victim.key, maxRetries: 0 });
  const ask = () => claude.messages.create({ model: 'claude-haiku-4-5', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] });
  assert.equal((await ask()).type, 'message');
  const archived = await admin.organization.apiKeys.update(victim.id, { status: 'archived' });
  assert.equal(archived.status, 'archived');
  await assert.rejects(ask(), Anthropic.AuthenticationError);
  const listed = await f.get('/v1/organizations/api_keys?status=archived');
  assert.deepEqual(
    listed.json.data.map((x: any) => x.id),
    [victim.id],
  );
  await assert.rejects(admin.organization.apiKeys.update(victim.id, { status: 'active' }), Anthropic.BadRequestError);
  // The change is in the audit log, attributed to the admin key.
  const audit = await f.tg.gw.store.db.selectFrom('audit_log').selectAll().where('target_id', '=', victim.id).execute();
  assert.ok(
    audit.some((a: any) => /revoke/.test(a.action) && a.actor_id === f.A.adminKeyId),
    JSON.stringify(audit.map((a: any) => [a.action, a.actor_id])),
  );
});

test('OpenAI: /v1/organization/usage/completions and /v1/organization/costs equal `tollgate usage`', async () => {
  const start = Date.UTC(2026, 9, 5) / 1000;
  const end = Date.UTC(2026, 9, 8) / 1000;
  const r = await fetch(`${f.tg.url}/v1/organization/usage/completions?start_time=${start}&end_time=${end}&bucket_width=1d`, {
    headers: { authorization: `Bearer ${f.A.adminKey}` },
  });
  const j = (await r.json()) as any;
  assert.equal(r.status, 200, JSON.stringify(j));
  assert.equal(j.object, 'page');
  assert.equal(j.data.length, 3);
  assert.equal(j.data[0].object, 'bucket');
  assert.equal(j.data[0].start_time, start);
  assert.equal(j.data[0].end_time, start + 86_400);
  const res = j.data.map((b: any) => b.results[0]);
  assert.deepEqual(Object.keys(res[0]).sort(), [
    'api_key_id',
    'batch',
    'input_audio_tokens',
    'input_cached_tokens',
    'input_tokens',
    'model',
    'num_model_requests',
    'object',
    'output_audio_tokens',
    'output_tokens',
    'project_id',
    'service_tier',
    'user_id',
  ]);
  assert.equal(res[0].object, 'organization.usage.completions.result');
  // `tollgate usage`'s report, in-process (anthropic-usage.test.ts runs the real CLI against it).
  const u = await usageReport(f.tg.gw.store.db, { orgId: f.A.orgId, since: '2026-10-05', until: '2026-10-08' });
  const sum = (k: string) => res.reduce((s: number, x: any) => s + x[k], 0);
  assert.equal(sum('num_model_requests'), u.requests);
  assert.equal(sum('output_tokens'), u.output_tokens);
  assert.equal(sum('input_cached_tokens'), u.cache_read_input_tokens);
  assert.equal(
    sum('input_tokens'),
    u.input_tokens + u.cache_read_input_tokens + u.cache_creation_input_tokens,
    'OpenAI counts cached input inside input_tokens',
  );
  const grouped = (await (
    await fetch(`${f.tg.url}/v1/organization/usage/completions?start_time=${start}&end_time=${end}&group_by[]=project_id&group_by[]=model`, {
      headers: { authorization: `Bearer ${f.A.adminKey}` },
    })
  ).json()) as any;
  assert.ok(grouped.data[0].results.every((x: any) => [f.A.workspaceId, f.ws2].includes(x.project_id) && x.model));

  const c = (await (
    await fetch(`${f.tg.url}/v1/organization/costs?start_time=${start}&end_time=${end}`, { headers: { authorization: `Bearer ${f.A.adminKey}` } })
  ).json()) as any;
  assert.equal(c.data.length, 3);
  const amounts = c.data.map((b: any) => b.results[0]);
  assert.equal(amounts[0].object, 'organization.costs.result');
  assert.equal(amounts[0].amount.currency, 'usd');
  assert.equal(typeof amounts[0].amount.value, 'number');
  // The JSON numbers carry the exact decimal amounts.
  assert.equal(sumDecimals(amounts.map((x: any) => String(x.amount.value))) * 100n, usdToCentUnits(u.cost_usd));
  const bad = await fetch(`${f.tg.url}/v1/organization/costs?end_time=${end}`, { headers: { authorization: `Bearer ${f.A.adminKey}` } });
  assert.equal(bad.status, 400);
  const bj = (await bad.json()) as any;
  assert.equal(bj.error.type, 'invalid_request_error', 'OpenAI envelope');
  assert.equal(bj.error.param !== undefined, true);
});
