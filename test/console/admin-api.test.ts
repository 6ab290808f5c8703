/**
 * The admin API against a running gateway: its numbers equal the CLI's after real, billed
 * traffic (official Anthropic SDK → gateway → fake upstream), tenants are isolated (an org's admin
 * key gets 403 on every other org's resource), and bad credentials / bodies / ids get 401 / 400 / 404.
 * (Who may call what is walked exhaustively in test/security/permissions.test.ts.)
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { picoToUsd, usdToPico } from '../../src/core/money.ts';
import { startFakeUpstream, type FakeUpstream } from '../support/fake-upstream.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';

const ADMIN = 'test-admin-token-0123456789abcdef';
type Customer = Awaited<ReturnType<TestGateway['customer']>>;

let fake: FakeUpstream;
let tg: TestGateway;
let a: Customer;
let b: Customer;
let a2: { id: string; key: string };

async function call(path: string, opts: { auth?: Record<string, string>; method?: string; body?: unknown; raw?: string } = {}) {
  const headers: Record<string, string> = { ...(opts.auth ?? {}) };
  if (opts.body !== undefined || opts.raw !== undefined) headers['content-type'] = 'application/json';
  const r = await fetch(`${tg.url}/admin/v1/${path}`, {
    method: opts.method ?? 'GET',
    headers,
    body: opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body)),
  });
  const text = await r.text();
  return { status: r.status, json: text ? JSON.parse(text) : null, headers: r.headers };
}
const op = { authorization: `Bearer ${ADMIN}` };
const keyOf = (k: string) => ({ 'x-api-key': k });
const bearerOf = (k: string) => ({ authorization: `Bearer ${k}` });
const sumUsd = (rows: Array<{ cost_usd: string }>) => rows.reduce((s, r) => s + usdToPico(r.cost_usd), 0n);
const today = () => new Date().toISOString().slice(0, 10);
const tomorrow = () => new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);

before(async () => {
  fake = await startFakeUpstream();
  tg = await startTestGateway({ upstreamUrl: fake.url, env: { TOLLGATE_ADMIN_TOKEN: ADMIN } });
  a = await tg.customer({ name: 'Org A', credits: '20' });
  b = await tg.customer({ name: 'Org B', credits: '20' });
  const k = await tg.accounts.createKey({ orgId: a.orgId, name: 'second' });
  a2 = { id: k.id, key: k.key };
  await tg.gw.refresh();
  const send = async (key: string, model: string, usage: Record<string, unknown>) => {
    fake.script({ kind: 'usage', usage: usage as any });
    await new Anthropic({ baseURL: tg.url, apiKey: key, maxRetries: 0 }).messages.create({
      model,
      max_tokens: 300,
      messages: [{ role: 'user', content: 'Hi' }],
    });
  };
  await send(a.key, 'claude-sonnet-4-5', {
    input_tokens: 1000,
    output_tokens: 200,
    cache_read_input_tokens: 3000,
    cache_creation: { ephemeral_5m_input_tokens: 100, ephemeral_1h_input_tokens: 50 },
  });
  await send(a.key, 'claude-haiku-4-5', { input_tokens: 10, output_tokens: 20 });
  await send(a2.key, 'claude-sonnet-4-5', { input_tokens: 2000, output_tokens: 50 });
  await send(b.key, 'claude-opus-4-5', { input_tokens: 777, output_tokens: 77 });
});
after(async () => {
  await tg?.close();
  await fake?.close();
});

test('401 without valid credentials', async () => {
  assert.equal((await call('whoami')).status, 401);
  assert.equal((await call(`orgs/${a.orgId}/usage`)).status, 401);
  const wrong = await call(`orgs/${a.orgId}/usage`, { auth: bearerOf('not-the-admin-token-at-all') });
  assert.equal(wrong.status, 401);
  assert.equal(wrong.json.error.type, 'authentication_error');
  assert.equal((await call('orgs', { auth: bearerOf(`${ADMIN}x`) })).status, 401, 'a near-miss admin token is no token');
  assert.equal((await call('orgs', { auth: keyOf('sk-tg-unknown') })).status, 401);
  const who = await call('whoami', { auth: keyOf(a.adminKey) });
  assert.equal(who.status, 200);
  assert.deepEqual([who.json.kind, who.json.role, who.json.org_id, who.json.key_id], ['admin_key', 'org_admin', a.orgId, a.adminKeyId]);
  assert.equal((await call('whoami', { auth: bearerOf(a.adminKey) })).json.org_id, a.orgId, 'Bearer works for admin keys too');
  const inference = await call('whoami', { auth: keyOf(a.key) });
  assert.equal(inference.status, 403, 'an inference key is not an admin credential');
  assert.match(inference.json.error.message, /inference key/);
  assert.equal((await call('whoami', { auth: op })).json.kind, 'operator');
});

test('usage: totals and by-model equal the CLI; by key / day / month sum to the totals', async () => {
  const cliMargin = await tg.cli('usage', '--org', a.orgId, '--margin');
  const opView = await call(`orgs/${a.orgId}/usage?group=model,key,day,month`, { auth: op });
  assert.equal(opView.status, 200);
  const { org_id, since, until, by_key, by_day, by_month, ...opReport } = opView.json;
  assert.deepEqual(opReport, cliMargin, 'operator view = tollgate usage --margin');
  assert.equal(cliMargin.requests, 3);
  assert.equal(cliMargin.cost_usd, '0.014435'); // 0.007575 + 0.00011 + 0.00675 (per-MTok: sonnet $3/$15, haiku $1/$5)
  for (const rows of [by_key, by_day, by_month]) assert.equal(sumUsd(rows), usdToPico(cliMargin.cost_usd));
  assert.deepEqual(
    by_key.map((k: any) => [k.key_id, k.name, k.requests]).sort(),
    [
      [a.keyId, 'default', 2],
      [a2.id, 'second', 1],
    ].sort(),
  );
  assert.deepEqual(
    by_day.map((d: any) => d.day),
    [today()],
  );

  const cli = await tg.cli('usage', '--org', a.orgId);
  const tenant = await call(`orgs/${a.orgId}/usage?group=key,day`, { auth: keyOf(a.adminKey) });
  const { org_id: _o, since: _s, until: _u, by_key: tk, by_day: td, ...tenantReport } = tenant.json;
  assert.deepEqual(tenantReport, cli, 'tenant view = tollgate usage (no upstream cost or margin)');
  assert.ok(!JSON.stringify(tenant.json).includes('upstream_cost') && !JSON.stringify(tenant.json).includes('margin'));
  assert.equal(sumUsd(tk), usdToPico(cli.cost_usd));
  assert.equal(sumUsd(td), usdToPico(cli.cost_usd));

  const ranged = await call(`orgs/${a.orgId}/usage?since=${today()}&until=${tomorrow()}`, { auth: keyOf(a.adminKey) });
  const cliRanged = await tg.cli('usage', '--org', a.orgId, '--since', today(), '--until', tomorrow());
  assert.equal(ranged.json.cost_usd, cliRanged.cost_usd);
  const none = await call(`orgs/${a.orgId}/usage?since=${tomorrow()}`, { auth: keyOf(a.adminKey) });
  assert.equal(none.json.requests, 0);
  assert.equal(none.json.cost_usd, '0');
});

test('org status, keys, limits and credits equal the CLI', async () => {
  const status = (await call(`orgs/${a.orgId}`, { auth: keyOf(a.adminKey) })).json;
  const show = await tg.cli('org', 'show', a.orgId);
  for (const f of ['id', 'name', 'tier', 'balance_usd', 'total_spend_usd', 'month_spend_usd', 'spend_limits', 'tier_monthly_spend_cap_usd'])
    assert.deepEqual(status[f], show[f], f);

  const keys = (await call(`orgs/${a.orgId}/keys`, { auth: keyOf(a.adminKey) })).json.keys;
  const cliKeys = await tg.cli('key', 'list', '--org', a.orgId);
  assert.deepEqual(
    keys.map((k: any) => [k.id, k.name, k.hint, k.status, k.created_at]),
    cliKeys.map((k: any) => [k.id, k.name, k.hint, k.status, k.created_at]),
  );
  assert.ok(!JSON.stringify(keys).includes(a.key), 'secrets are never listed');

  const put = await call(`orgs/${a.orgId}/limits`, { auth: keyOf(a.adminKey), method: 'PUT', body: { scope: 'org', monthly_usd: '10.5', notify: [50, 90] } });
  assert.equal(put.status, 200);
  assert.deepEqual(put.json.limit, {
    scope: 'org',
    scope_id: a.orgId,
    name: 'Org A',
    monthly_usd: '10.5',
    operator_limit_usd: null,
    org_limit_usd: '10.5',
    org_limit_set_by: 'org',
    notify: [50, 90],
    spent_this_month_usd: '0.014435',
  });
  await call(`orgs/${a.orgId}/limits`, { auth: op, method: 'PUT', body: { scope: 'key', scope_id: a2.id, monthly_usd: '2' } });
  await call(`orgs/${a.orgId}/limits`, { auth: op, method: 'PUT', body: { scope: 'workspace', scope_id: a.workspaceId, monthly_usd: '5' } });
  const limits = (await call(`orgs/${a.orgId}/limits`, { auth: keyOf(a.adminKey) })).json;
  const cliLimits = await tg.cli('limits', 'show', '--org', a.orgId);
  const byScope = (rows: any[]) => [...rows].sort((x, y) => `${x.scope}${x.scope_id}`.localeCompare(`${y.scope}${y.scope_id}`));
  assert.deepEqual(byScope(limits.limits), byScope(cliLimits.limits));
  assert.equal(limits.balance_usd, cliLimits.balance_usd);
  assert.equal(limits.scopes.find((s: any) => s.scope_id === a2.id).spent_this_month_usd, '0.00675');
  const cleared = await call(`orgs/${a.orgId}/limits`, {
    auth: keyOf(a.adminKey),
    method: 'PUT',
    body: { scope: 'workspace', scope_id: a.workspaceId, monthly_usd: null },
  });
  assert.equal(cleared.json.limit.monthly_usd, '5', "removing the org's own limit leaves the operator's ceiling in force");
  assert.deepEqual(cleared.json.limit.notify, [80], 'omitted notify keeps the thresholds');
  const raise = await call(`orgs/${a.orgId}/limits`, {
    auth: keyOf(a.adminKey),
    method: 'PUT',
    body: { scope: 'workspace', scope_id: a.workspaceId, monthly_usd: '6' },
  });
  assert.equal(raise.status, 403, "a tenant cannot raise the operator's ceiling");
  assert.equal(raise.json.error.type, 'permission_error');
  const lower = await call(`orgs/${a.orgId}/limits`, {
    auth: keyOf(a.adminKey),
    method: 'PUT',
    body: { scope: 'workspace', scope_id: a.workspaceId, monthly_usd: '4' },
  });
  assert.deepEqual([lower.json.limit.monthly_usd, lower.json.limit.operator_limit_usd, lower.json.limit.org_limit_usd], ['4', '5', '4']);

  const credits = (await call(`orgs/${a.orgId}/credits`, { auth: keyOf(a.adminKey) })).json;
  const bal = await tg.cli('credits', 'balance', '--org', a.orgId);
  assert.deepEqual([credits.balance_usd, credits.credits_usd, credits.usage_usd], [bal.balance_usd, bal.credits_usd, bal.usage_usd]);
  const hist = await tg.cli('credits', 'history', '--org', a.orgId);
  assert.deepEqual(
    credits.history.map(({ id, ...rest }: any) => rest),
    hist,
  );
});

test('keys: create returns the secret once and it works; revoke takes effect at once', async () => {
  const created = await call(`orgs/${a.orgId}/keys`, { auth: keyOf(a.adminKey), method: 'POST', body: { name: 'ci', expires_in_days: 30 } });
  assert.equal(created.status, 201);
  assert.match(created.json.key, /^sk-tg-[A-Za-z0-9]{48}$/);
  assert.equal(created.json.status, 'active');
  assert.equal(created.json.kind, 'inference');
  assert.equal(created.json.created_by, a.adminKeyId);
  assert.ok(created.json.expires_at);
  const claude = new Anthropic({ baseURL: tg.url, apiKey: created.json.key, maxRetries: 0 });
  fake.script({ kind: 'usage', usage: { input_tokens: 5, output_tokens: 5 } as any });
  await claude.messages.create({ model: 'claude-haiku-4-5', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] });
  const listed = (await call(`orgs/${a.orgId}/keys`, { auth: op })).json.keys;
  assert.ok(listed.some((k: any) => k.id === created.json.id && !('key' in k)));

  const revoked = await call(`keys/${created.json.id}/revoke`, { auth: keyOf(a.adminKey), method: 'POST' });
  assert.equal(revoked.status, 200);
  assert.equal(revoked.json.status, 'revoked');
  await assert.rejects(
    claude.messages.create({ model: 'claude-haiku-4-5', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] }),
    Anthropic.AuthenticationError,
  );
  assert.equal((await call('whoami', { auth: keyOf(created.json.key) })).status, 401);
});

test("tenant isolation: an org's admin key gets 403 on another org and on operator routes", async () => {
  const auth = keyOf(a.adminKey);
  for (const p of ['', '/usage', '/keys', '/limits', '/credits']) {
    const r = await call(`orgs/${b.orgId}${p}`, { auth });
    assert.equal(r.status, 403, `GET orgs/B${p}`);
    assert.equal(r.json.error.type, 'permission_error');
    assert.ok(!JSON.stringify(r.json).includes('Org B'));
  }
  assert.equal((await call(`orgs/${b.orgId}/keys`, { auth, method: 'POST', body: { name: 'sneaky' } })).status, 403);
  assert.equal((await call(`orgs/${b.orgId}/limits`, { auth, method: 'PUT', body: { monthly_usd: '0' } })).status, 403);
  assert.equal((await call(`keys/${b.keyId}/revoke`, { auth, method: 'POST' })).status, 403);
  assert.equal((await call('whoami', { auth: keyOf(b.adminKey) })).status, 200, "B's admin key still works");
  assert.equal(
    (await call(`orgs/${a.orgId}/limits`, { auth, method: 'PUT', body: { scope: 'key', scope_id: b.keyId, monthly_usd: '1' } })).status,
    404,
    "B's key is not in A",
  );
  assert.equal((await call('orgs', { auth })).status, 403);
  assert.equal((await call(`orgs/${a.orgId}/credits`, { auth, method: 'POST', body: { kind: 'grant', amount_usd: '100' } })).status, 403);
  assert.equal((await call(`orgs/${b.orgId}/usage`, { auth: keyOf(b.adminKey) })).json.requests, 1);
  const bUsage = (await call(`orgs/${b.orgId}/usage?group=key`, { auth: op })).json;
  assert.deepEqual(
    bUsage.by_key.map((k: any) => k.key_id),
    [b.keyId],
  );
  const orgs = (await call('orgs', { auth: op })).json.orgs;
  assert.deepEqual(orgs.map((o: any) => o.id).sort(), [a.orgId, b.orgId].sort());
});

test('operator credits: grant and purchase move the balance; bad input is a 400', async () => {
  const before = (await call(`orgs/${b.orgId}/credits`, { auth: op })).json.balance_usd;
  const g = await call(`orgs/${b.orgId}/credits`, {
    auth: op,
    method: 'POST',
    body: { kind: 'grant', amount_usd: '5', expires_in_days: 30, note: 'welcome', ref: 'grant-1' },
  });
  assert.equal(g.status, 201);
  assert.equal(g.json.amount_usd, '5');
  assert.equal(g.json.balance_usd, picoToUsd(usdToPico(before) + usdToPico('5')));
  const again = await call(`orgs/${b.orgId}/credits`, { auth: op, method: 'POST', body: { kind: 'grant', amount_usd: '5', ref: 'grant-1' } });
  assert.equal(again.json.entry_id, g.json.entry_id, 'a repeated ref is a no-op');
  assert.equal((await call(`orgs/${a.orgId}/credits`, { auth: op, method: 'POST', body: { kind: 'grant', amount_usd: '5', ref: 'grant-1' } })).status, 409);
  const p = await call(`orgs/${b.orgId}/credits`, { auth: op, method: 'POST', body: { kind: 'purchase', amount_usd: '12.25' } });
  assert.equal(p.json.amount_usd, '12.25');
  const bal = await tg.cli('credits', 'balance', '--org', b.orgId);
  assert.equal(p.json.balance_usd, bal.balance_usd);
  for (const body of [
    { kind: 'grant', amount_usd: 'abc' },
    { kind: 'purchase', amount_usd: '-5' },
    { kind: 'expiry', amount_usd: '1' },
    { kind: 'grant', amount_usd: '0' },
    { kind: 'grant' },
    { kind: 'grant', amount_usd: '1', extra: true },
  ]) {
    const r = await call(`orgs/${b.orgId}/credits`, { auth: op, method: 'POST', body });
    assert.equal(r.status, 400, JSON.stringify(body));
    assert.equal(r.json.error.type, 'invalid_request_error');
    assert.match(r.json.error.message, /^invalid body: /);
  }
});

test('400 for bad bodies and queries, 404 for unknown ids and paths', async () => {
  const auth = keyOf(a.adminKey);
  const bad = async (path: string, opts: Parameters<typeof call>[1], re: RegExp) => {
    const r = await call(path, { auth, ...opts });
    assert.equal(r.status, 400, `${path} ${JSON.stringify(opts)}`);
    assert.match(r.json.error.message, re);
  };
  await bad(`orgs/${a.orgId}/limits`, { method: 'PUT', body: { monthly_usd: '-5' } }, /monthly_usd/);
  await bad(`orgs/${a.orgId}/limits`, { method: 'PUT', body: { monthly_usd: '5', notify: [0] } }, /notify\.0: percentages are 1-100/);
  await bad(`orgs/${a.orgId}/limits`, { method: 'PUT', body: { scope: 'key', monthly_usd: '5' } }, /scope_id: required/);
  await bad(`orgs/${a.orgId}/limits`, { method: 'PUT', body: { scope: 'team', monthly_usd: '5' } }, /scope/);
  await bad(`orgs/${a.orgId}/limits`, { method: 'PUT', raw: '{"monthly_usd": ' }, /parsing the body as JSON/);
  await bad(`orgs/${a.orgId}/keys`, { method: 'POST', body: { name: '' } }, /name: must not be empty/);
  await bad(`orgs/${a.orgId}/keys`, { method: 'POST', body: { name: 'x', expires_in_days: 1.5 } }, /expires_in_days/);
  await bad(`orgs/${a.orgId}/keys`, { method: 'POST', body: { nme: 'typo' } }, /nme|unrecognized/i);
  await bad(`orgs/${a.orgId}/usage?group=week`, {}, /unknown group week/);
  await bad(`orgs/${a.orgId}/usage?since=2026-13-01`, {}, /since/);
  await bad(`orgs/${a.orgId}/usage?since=2026-03-05&until=2026-03-01`, {}, /must be before until/);
  await bad(`orgs/${a.orgId}/usage?from=2026-03-01`, {}, /from|unrecognized/i);

  const unknownOrg = await call('orgs/org_doesnotexist/usage', { auth: op });
  assert.equal(unknownOrg.status, 404);
  assert.equal(unknownOrg.json.error.type, 'not_found_error');
  assert.equal((await call('orgs/org_doesnotexist/usage', { auth })).status, 403, 'a tenant learns nothing about other ids');
  assert.equal((await call('keys/apikey_nope/revoke', { auth: op, method: 'POST' })).status, 404);
  assert.equal((await call('keys/apikey_nope/revoke', { auth, method: 'POST' })).status, 404);
  assert.equal((await call('nothing/here', { auth: op })).status, 404);
  const wrongMethod = await call(`orgs/${a.orgId}`, { auth: op, method: 'DELETE' });
  assert.equal(wrongMethod.status, 405);
  assert.equal(wrongMethod.headers.get('allow'), 'GET');
});

test('without TOLLGATE_ADMIN_TOKEN operator access is disabled', async () => {
  // Backend-independent, so this second gateway always uses SQLite (the file keeps one PostgreSQL
  // test database on PostgreSQL runs).
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-noadmin-'));
  const other = await startTestGateway({ upstreamUrl: fake.url, env: { DATABASE_URL: join(dir, 'tollgate.db') } });
  try {
    const c = await other.customer();
    const r = await fetch(`${other.url}/admin/v1/orgs`, { headers: { authorization: 'Bearer ' } });
    assert.equal(r.status, 401);
    const r2 = await fetch(`${other.url}/admin/v1/orgs`, { headers: op });
    assert.equal(r2.status, 401);
    const r3 = await fetch(`${other.url}/admin/v1/orgs/${c.orgId}/usage`, { headers: keyOf(c.adminKey) });
    assert.equal(r3.status, 200, 'org keys still work');
  } finally {
    await other.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
