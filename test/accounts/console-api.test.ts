/**
 * The console's data, through the admin API with a user's session: workspaces (archiving stops
 * their keys), the request log (keyset pages over hundreds of events, filters, a hostile cursor),
 * rate limits with what is left right now, the models-and-prices storefront with a reseller
 * discount, and the operator's org search, sign-ups, tiers and suspension.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import { startFakeUpstream, type FakeUpstream } from '../support/fake-upstream.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { insertEvents } from '../support/usage-events.ts';
import { Browser } from './support.ts';
import { accountsOf } from '../../src/accounts/context.ts';
import { PricingService } from '../../src/pricing/service.ts';
import { usdToPico } from '../../src/core/money.ts';
import { systemClock } from '../../src/core/clock.ts';

const ADMIN = 'console-api-admin-token-0123456789';
let fake: FakeUpstream;
let tg: TestGateway;
let b: Browser;
let orgId: string;

before(async () => {
  fake = await startFakeUpstream();
  tg = await startTestGateway({ upstreamUrl: fake.url, env: { TOLLGATE_ADMIN_TOKEN: ADMIN } });
  b = new Browser(tg.url);
  const r = await b.post('/account/v1/signup', { email: 'dana@console.test', password: 'long enough pw', org_name: 'Dana Inc' });
  orgId = r.json.current_org_id;
  // Verified directly (the mail flow has its own tests), and some credit to spend.
  await tg.gw.store.db.updateTable('users').set({ verified_at: Date.now() }).execute();
  await tg.ledger.append({ orgId, kind: 'purchase', amount: 50_000_000_000_000n });
  await tg.gw.refresh();
});
after(async () => {
  await tg?.close();
  await fake?.close();
});

const ask = (key: string) =>
  new Anthropic({ baseURL: tg.url, apiKey: key, maxRetries: 0 }).messages.create({
    model: 'claude-sonnet-4-5',
    max_tokens: 20,
    messages: [{ role: 'user', content: 'hi' }],
  });

test('workspaces: create, rename, own keys; archiving stops its keys at once', async () => {
  const ws = await b.post(`/admin/v1/orgs/${orgId}/workspaces`, { name: 'Research' });
  assert.equal(ws.status, 201);
  assert.equal(ws.json.status, 'active');
  const renamed = await b.post(`/admin/v1/orgs/${orgId}/workspaces/${ws.json.id}`, { name: 'R&D' });
  assert.equal(renamed.json.name, 'R&D');
  const key = await b.post(`/admin/v1/orgs/${orgId}/keys`, { name: 'rd key', workspace_id: ws.json.id });
  assert.equal(key.status, 201);
  assert.equal(key.json.workspace_id, ws.json.id);
  const limit = await b.req('PUT', `/admin/v1/orgs/${orgId}/limits`, { scope: 'workspace', scope_id: ws.json.id, monthly_usd: '10' });
  assert.equal(limit.status, 200, JSON.stringify(limit.json));
  fake.script({ kind: 'usage', usage: { input_tokens: 5, output_tokens: 5 } as any });
  assert.equal((await ask(key.json.key)).type, 'message');
  const list = await b.get(`/admin/v1/orgs/${orgId}/workspaces`);
  assert.equal(list.json.workspaces.find((w: any) => w.id === ws.json.id).active_keys, 1);

  const archived = await b.post(`/admin/v1/orgs/${orgId}/workspaces/${ws.json.id}/archive`);
  assert.equal(archived.status, 200);
  assert.equal(archived.json.status, 'archived');
  await assert.rejects(ask(key.json.key), Anthropic.AuthenticationError);
  assert.equal((await b.post(`/admin/v1/orgs/${orgId}/keys`, { name: 'late', workspace_id: ws.json.id })).status, 400);
  // The last active workspace stays.
  const rest = (await b.get(`/admin/v1/orgs/${orgId}/workspaces`)).json.workspaces.filter((w: any) => w.status === 'active');
  assert.equal(rest.length, 1);
  const last = await b.post(`/admin/v1/orgs/${orgId}/workspaces/${rest[0].id}/archive`);
  assert.equal(last.status, 409);
  assert.equal((await b.post(`/admin/v1/orgs/${orgId}/workspaces`, { name: '' })).status, 400);
  assert.equal((await b.post(`/admin/v1/orgs/${orgId}/workspaces/wrkspc_nope`, { name: 'x' })).status, 404);
});

test('logs: keyset pages cover every request once, newest first; filters; bad cursors are 400', async () => {
  const ws = (await b.post(`/admin/v1/orgs/${orgId}/workspaces`, { name: 'Logs' })).json.id;
  const wsDefault = (await b.get(`/admin/v1/orgs/${orgId}/workspaces`)).json.workspaces.find((w: any) => w.status === 'active' && w.id !== ws).id;
  const key = (await b.post(`/admin/v1/orgs/${orgId}/keys`, { name: 'logs' })).json;
  const t0 = Date.UTC(2026, 10, 1);
  // 250 events, several per millisecond (ties on created_at are broken by id).
  await insertEvents(tg, orgId, 250, (i) => t0 + Math.floor(i / 3) * 1000, { workspaces: [ws, wsDefault], keyId: key.id, seed: 11, discounted: '' });
  const q = `from=${new Date(t0).toISOString()}&to=${new Date(t0 + 86_400_000).toISOString()}`;
  const seen: any[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const r: any = await b.get(`/admin/v1/orgs/${orgId}/logs?${q}&limit=100${cursor ? `&cursor=${cursor}` : ''}`);
    assert.equal(r.status, 200, JSON.stringify(r.json));
    seen.push(...r.json.data);
    cursor = r.json.next_cursor;
    pages++;
  } while (cursor);
  assert.equal(pages, 3);
  assert.equal(seen.length, 250);
  assert.equal(new Set(seen.map((e) => e.id)).size, 250, 'no row twice');
  for (let i = 1; i < seen.length; i++)
    assert.ok(seen[i - 1].time > seen[i].time || (seen[i - 1].time === seen[i].time && seen[i - 1].id > seen[i].id), 'newest first');
  const e = seen[0];
  assert.deepEqual(Object.keys(e.tokens).sort(), ['cache_read', 'cache_write_1h', 'cache_write_5m', 'input', 'output']);
  assert.match(e.cost_usd, /^\d+(\.\d+)?$/);

  const inWs = (await b.get(`/admin/v1/orgs/${orgId}/logs?${q}&workspace_id=${ws}&limit=500`)).json.data;
  assert.ok(inWs.length > 0 && inWs.length < 250 && inWs.every((x: any) => x.workspace_id === ws));
  const model = e.model;
  const byModel = (await b.get(`/admin/v1/orgs/${orgId}/logs?${q}&model=${encodeURIComponent(model)}&limit=500`)).json.data;
  assert.ok(byModel.length > 0 && byModel.every((x: any) => x.model === model));
  assert.equal((await b.get(`/admin/v1/orgs/${orgId}/logs?${q}&status=error`)).json.data.length, 0);
  await tg.gw.store.db.updateTable('usage_events').set({ status: 529n }).where('id', '=', seen[7].id).execute();
  assert.deepEqual(
    (await b.get(`/admin/v1/orgs/${orgId}/logs?${q}&status=error`)).json.data.map((x: any) => [x.id, x.status]),
    [[seen[7].id, 529]],
  );
  assert.equal((await b.get(`/admin/v1/orgs/${orgId}/logs?${q}&status=529`)).json.data.length, 1);
  assert.equal((await b.get(`/admin/v1/orgs/${orgId}/logs?${q}&status=ok&limit=500`)).json.data.length, 249);
  assert.equal(
    (await b.get(`/admin/v1/orgs/${orgId}/logs?from=${new Date(t0 + 10_000).toISOString()}&to=${new Date(t0 + 20_000).toISOString()}&limit=500`)).json.data
      .length,
    30,
  );

  for (const bad of [
    'cursor=abc',
    `cursor=${Buffer.from("1:x' or 1=1 --").toString('base64url')}`,
    'limit=0',
    'limit=501',
    'status=abc',
    'from=yesterday',
    'org=other',
  ]) {
    const r = await b.get(`/admin/v1/orgs/${orgId}/logs?${bad}`);
    assert.equal(r.status, 400, bad);
  }
});

test('rate limits: the tier, its limits per class, what is left now, and what the next tier needs', async () => {
  const key = (await b.post(`/admin/v1/orgs/${orgId}/keys`, { name: 'rl' })).json.key;
  fake.script({ kind: 'usage', usage: { input_tokens: 5, output_tokens: 5 } as any });
  await ask(key);
  const r = await b.get(`/admin/v1/orgs/${orgId}/rate-limits`);
  assert.equal(r.status, 200);
  assert.equal(r.json.tier, 1);
  const sonnet = r.json.classes.find((c: any) => c.rate_class === 'claude-sonnet-4');
  assert.ok(sonnet, JSON.stringify(r.json.classes.map((c: any) => c.rate_class)));
  const used = r.json.classes.filter((c: any) => c.remaining.requests < c.limits.rpm);
  assert.ok(used.length >= 1, 'the request shows in a bucket');
  assert.equal(used[0].limits.rpm - used[0].remaining.requests >= 1, true);
  assert.equal(r.json.next_tier.tier, 2);
  assert.equal(r.json.next_tier.min_spend_usd, '50');
  assert.ok(usdToPico(r.json.total_spend_usd) > 0n);
  assert.equal(usdToPico(r.json.next_tier.spend_needed_usd), usdToPico('50') - usdToPico(r.json.total_spend_usd), 'exactly what is missing');
});

test('models & prices: the org price beside list price and the discount (a reseller group)', async () => {
  const list = await b.get(`/admin/v1/orgs/${orgId}/models`);
  assert.equal(list.status, 200);
  const m = list.json.models.find((x: any) => x.id.startsWith('claude-sonnet-4-5'));
  assert.ok(m);
  assert.deepEqual(m.yours, m.list);
  assert.equal(m.discount_bps, 0);
  await new PricingService(tg.gw.store.db, systemClock).setGroupAdjustment('vip', -2000, Date.now() - 1000);
  await tg.accounts.updateOrg(orgId, { priceGroup: 'vip' });
  await tg.gw.refresh();
  const after = (await b.get(`/admin/v1/orgs/${orgId}/models`)).json;
  assert.equal(after.price_group, 'vip');
  const v = after.models.find((x: any) => x.id === m.id);
  assert.equal(v.discount_bps, 2000);
  assert.equal(v.list.input, '3');
  assert.equal(v.yours.input, '2.4');
  assert.equal(v.yours.output, '12');
});

test('operator: search orgs (by name or member email), sign-ups, pin a tier, suspend and resume', async () => {
  const op = new Browser(tg.url);
  await op.post('/account/v1/login', { admin_token: ADMIN });
  const byEmail = await op.get('/admin/v1/operator/orgs?q=DANA@console');
  assert.equal(byEmail.status, 200);
  assert.deepEqual(
    byEmail.json.orgs.map((o: any) => o.id),
    [orgId],
  );
  assert.equal(byEmail.json.orgs[0].owner_email, 'dana@console.test');
  assert.equal((await op.get('/admin/v1/operator/orgs?q=Dana%20Inc')).json.orgs.length, 1);
  assert.equal((await op.get('/admin/v1/operator/orgs?q=%25')).json.orgs.length, 0, 'a % is a literal, not a wildcard');
  const su = await op.get('/admin/v1/operator/signups');
  assert.equal(su.json.signups[0].email, 'dana@console.test');
  assert.equal(su.json.signups[0].org_id, orgId);

  assert.equal((await op.post(`/admin/v1/orgs/${orgId}/tier`, { tier: 3 })).json.tier, 3);
  assert.equal((await b.get(`/admin/v1/orgs/${orgId}/rate-limits`)).json.tier, 3);
  assert.equal((await op.post(`/admin/v1/orgs/${orgId}/tier`, { tier: 99 })).status, 400);
  assert.equal((await op.post(`/admin/v1/orgs/${orgId}/tier`, { tier: null })).json.tier_pinned, false);

  const key = (await b.post(`/admin/v1/orgs/${orgId}/keys`, { name: 'sus' })).json.key;
  const s = await op.post(`/admin/v1/orgs/${orgId}/suspend`, { reason: 'abuse report' });
  assert.equal(s.json.suspended.reason, 'operator');
  await assert.rejects(ask(key), (e: any) => e.status === 402);
  assert.equal((await b.post(`/admin/v1/orgs/${orgId}/resume`)).status, 403, 'a tenant cannot resume itself');
  assert.equal((await op.post(`/admin/v1/orgs/${orgId}/resume`)).json.suspended, null);
  fake.script({ kind: 'usage', usage: { input_tokens: 5, output_tokens: 5 } as any });
  assert.equal((await ask(key)).type, 'message');
  const audit = await op.get(`/admin/v1/orgs/${orgId}/audit`);
  const actions = audit.json.entries.map((e: any) => e.action);
  for (const a of ['org.suspend', 'org.resume', 'org.tier', 'workspace.archive', 'user.signup']) assert.ok(actions.includes(a), a);
  void accountsOf;
});
