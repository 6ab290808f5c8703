/**
 * What the console's Usage filters and Alerts page stand on, against a running gateway with real
 * traffic (official Anthropic SDK → gateway → fake upstream):
 * - `GET orgs/{org}/usage` filtered by key, model and workspace sums exactly to the unfiltered
 *   report's rows; a workspace admin key cannot widen its view to another workspace (403);
 * - alert recipients: an admin key adds an email and lists it; a tenant's webhook pointing at this
 *   machine or a private network is refused (400), the operator's is accepted and its secret is
 *   shown once; a workspace admin key neither reads nor adds (403); another org neither reads (403)
 *   nor disables (404) them; disabling is audited.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import { usdToPico } from '../../src/core/money.ts';
import { privateHost } from '../../src/admin/alerts.ts';
import { startFakeUpstream, type FakeUpstream } from '../support/fake-upstream.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';

const ADMIN = 'filters-alerts-admin-token-0123456789';
type Customer = Awaited<ReturnType<TestGateway['customer']>>;
let fake: FakeUpstream;
let tg: TestGateway;
let a: Customer;
let b: Customer;
let second: { id: string; key: string };

async function call(path: string, auth: string, method = 'GET', body?: unknown) {
  const r = await fetch(`${tg.url}/admin/v1/${path}`, {
    method,
    headers: { authorization: `Bearer ${auth}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  return { status: r.status, json: text ? JSON.parse(text) : null };
}

before(async () => {
  fake = await startFakeUpstream();
  tg = await startTestGateway({ upstreamUrl: fake.url, env: { TOLLGATE_ADMIN_TOKEN: ADMIN, TOLLGATE_MASTER_KEY: '11'.repeat(32) } });
  a = await tg.customer({ name: 'Filters A', credits: '20' });
  b = await tg.customer({ name: 'Filters B', credits: '20' });
  const k = await tg.accounts.createKey({ orgId: a.orgId, name: 'second' });
  second = { id: k.id, key: k.key };
  await tg.gw.refresh();
  const send = async (key: string, model: string, input: number, output: number) => {
    fake.script({ kind: 'usage', usage: { input_tokens: input, output_tokens: output } as any });
    await new Anthropic({ baseURL: tg.url, apiKey: key, maxRetries: 0 }).messages.create({
      model,
      max_tokens: 300,
      messages: [{ role: 'user', content: 'Hi' }],
    });
  };
  await send(a.key, 'claude-sonnet-4-5', 1200, 80);
  await send(a.key, 'claude-haiku-4-5', 3000, 40);
  await send(second.key, 'claude-sonnet-4-5', 500, 500);
  await tg.gw.refresh();
});
after(async () => {
  await tg?.close();
  await fake?.close();
});

test('usage filters by key, model and workspace add up to the unfiltered report', async () => {
  const all = (await call(`orgs/${a.orgId}/usage?group=key`, a.adminKey)).json;
  assert.equal(all.requests, 3);
  const first = (await call(`orgs/${a.orgId}/usage?key_id=${a.keyId}&group=key,day`, a.adminKey)).json;
  const other = (await call(`orgs/${a.orgId}/usage?key_id=${second.id}`, a.adminKey)).json;
  assert.equal(first.requests, 2);
  assert.equal(other.requests, 1);
  assert.equal(usdToPico(first.cost_usd) + usdToPico(other.cost_usd), usdToPico(all.cost_usd));
  assert.deepEqual(
    first.by_key.map((r: any) => r.key_id),
    [a.keyId],
  );
  assert.equal(
    first.by_day.reduce((s: bigint, d: any) => s + usdToPico(d.cost_usd), 0n),
    usdToPico(first.cost_usd),
  );
  // Models are filtered by the id usage is recorded under (the dated snapshot), as by_model lists them.
  const sonnetId = all.by_model.find((r: any) => r.model.startsWith('claude-sonnet-4-5')).model;
  const sonnet = (await call(`orgs/${a.orgId}/usage?model=${sonnetId}`, a.adminKey)).json;
  assert.deepEqual(
    sonnet.by_model.map((r: any) => r.model),
    [sonnetId],
  );
  assert.equal(sonnet.cost_usd, all.by_model.find((r: any) => r.model === sonnetId).cost_usd);
  const both = (await call(`orgs/${a.orgId}/usage?model=${sonnetId}&key_id=${second.id}`, a.adminKey)).json;
  assert.equal(both.requests, 1);
  assert.equal((await call(`orgs/${a.orgId}/usage?workspace_id=${a.workspaceId}`, a.adminKey)).json.cost_usd, all.cost_usd);
  assert.equal((await call(`orgs/${a.orgId}/usage?workspace_id=ws_nope`, a.adminKey)).json.requests, 0);
  // Another org's key id filters to nothing; it never reveals that org's usage.
  assert.equal((await call(`orgs/${a.orgId}/usage?key_id=${b.keyId}`, a.adminKey)).json.requests, 0);
  assert.equal((await call(`orgs/${a.orgId}/usage?model=`, a.adminKey)).status, 400);
  // A workspace admin key cannot look at another workspace.
  const wsAdmin = (
    await call(`orgs/${a.orgId}/keys`, a.adminKey, 'POST', { name: 'ws-admin', kind: 'admin', admin_scope: 'workspace', workspace_id: a.workspaceId })
  ).json;
  await tg.gw.refresh();
  assert.equal((await call(`orgs/${a.orgId}/usage?workspace_id=ws_other`, wsAdmin.key)).status, 403);
  assert.equal((await call(`orgs/${a.orgId}/usage?workspace_id=${a.workspaceId}`, wsAdmin.key)).json.requests, 3);
});

test('alert recipients: add, list, refuse private webhooks to tenants, isolate orgs, disable', async () => {
  const mail = await call(`orgs/${a.orgId}/alerts/channels`, a.adminKey, 'POST', { kind: 'email', target: 'ops@example.com' });
  assert.equal(mail.status, 201);
  assert.equal(mail.json.kind, 'email');
  assert.equal(mail.json.secret, undefined);
  assert.equal((await call(`orgs/${a.orgId}/alerts/channels`, a.adminKey, 'POST', { kind: 'email', target: 'not an address' })).status, 400);
  assert.equal((await call(`orgs/${a.orgId}/alerts/channels`, a.adminKey, 'POST', { kind: 'sms', target: '+100' })).status, 400);
  for (const url of [
    'http://127.0.0.1:9/hook',
    'http://localhost/hook',
    'https://10.1.2.3/x',
    'http://[::1]/x',
    'http://169.254.169.254/latest/meta-data',
    'http://192.168.0.1/',
  ]) {
    const r = await call(`orgs/${a.orgId}/alerts/channels`, a.adminKey, 'POST', { kind: 'webhook', target: url });
    assert.equal(r.status, 400, url);
    assert.match(r.json.error.message, /public internet/);
  }
  const hook = await call(`orgs/${a.orgId}/alerts/channels`, ADMIN, 'POST', { kind: 'webhook', target: 'http://127.0.0.1:9/hook' });
  assert.equal(hook.status, 201);
  assert.match(hook.json.secret, /^whsec_/);

  const listed = (await call(`orgs/${a.orgId}/alerts`, a.adminKey)).json;
  assert.deepEqual(listed.channels.map((c: any) => c.target).sort(), ['http://127.0.0.1:9/hook', 'ops@example.com']);
  assert.ok(!JSON.stringify(listed).includes(hook.json.secret), 'the secret is never listed');
  assert.deepEqual(listed.recent, []);

  const wsAdmin = (
    await call(`orgs/${a.orgId}/keys`, a.adminKey, 'POST', { name: 'ws-admin-2', kind: 'admin', admin_scope: 'workspace', workspace_id: a.workspaceId })
  ).json;
  await tg.gw.refresh();
  assert.equal((await call(`orgs/${a.orgId}/alerts`, wsAdmin.key)).status, 403);
  assert.equal((await call(`orgs/${a.orgId}/alerts/channels`, wsAdmin.key, 'POST', { kind: 'email', target: 'x@example.com' })).status, 403);
  assert.equal((await call(`orgs/${a.orgId}/alerts/channels/${mail.json.id}/disable`, wsAdmin.key, 'POST')).status, 403);

  assert.equal((await call(`orgs/${a.orgId}/alerts`, b.adminKey)).status, 403);
  assert.equal((await call(`orgs/${b.orgId}/alerts/channels/${mail.json.id}/disable`, b.adminKey, 'POST')).status, 404);
  const off = await call(`orgs/${a.orgId}/alerts/channels/${mail.json.id}/disable`, a.adminKey, 'POST');
  assert.equal(off.status, 200);
  assert.ok(off.json.disabled_at);
  const audit = (await call(`orgs/${a.orgId}/audit`, a.adminKey)).json.entries;
  const entry = audit.find((e: any) => e.action === 'alert_channel.disable');
  assert.deepEqual(entry.actor, { kind: 'admin_key', id: a.adminKeyId });
});

test('privateHost knows loopback, private, link-local and local names', () => {
  for (const h of [
    '127.0.0.1',
    '10.0.0.1',
    '172.16.5.4',
    '192.168.1.1',
    '169.254.1.1',
    '100.64.0.1',
    '0.0.0.0',
    '::1',
    '[::1]',
    'fd00::1',
    'fe80::1',
    '::ffff:127.0.0.1',
    'localhost',
    'api.localhost',
    'printer.local',
    'db.internal',
  ])
    assert.equal(privateHost(h), true, h);
  for (const h of ['example.com', '8.8.8.8', '172.32.0.1', '2606:4700::1111', 'hooks.slack.com']) assert.equal(privateHost(h), false, h);
});
