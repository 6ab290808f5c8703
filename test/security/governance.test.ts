/**
 * Inside an org, keys are no longer all-powerful: what an attacker holding a tenant key tried on
 * `main` (remove its own $1 cap, raise the org cap to $9M, mint a key that never expires, revoke
 * the org's main key), refused; operator limits are ceilings (also for invoice orgs); a key made by
 * a workspace admin key cannot outlive it; and every change lands in the append-only audit log
 * with who made it — the same entries through the CLI and the admin API.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { cliActor } from '../../src/audit/actor.ts';
import { AccountsService } from '../../src/accounts/service.ts';
import { Ledger } from '../../src/billing/ledger.ts';
import { usdToPico } from '../../src/core/money.ts';
import { LimitsService } from '../../src/limits/service.ts';
import { startFakeUpstream, type FakeUpstream } from '../support/fake-upstream.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { systemClock } from '../../src/core/clock.ts';

const ADMIN = 'governance-admin-token-0123456789';
let fake: FakeUpstream;
let tg: TestGateway;
let c: Awaited<ReturnType<TestGateway['customer']>>;

before(async () => {
  fake = await startFakeUpstream();
  tg = await startTestGateway({ upstreamUrl: fake.url, env: { TOLLGATE_ADMIN_TOKEN: ADMIN } });
  c = await tg.customer({ name: 'Tenant' });
});
after(async () => {
  await tg?.close();
  await fake?.close();
});

/** What `tollgate …` does, in-process (the CLI's own wiring is exercised by the few real `tg.cli` calls below). */
const asCli = () => ({
  limits: new LimitsService(tg.gw.store.db, systemClock, cliActor()),
  accounts: new AccountsService(tg.gw.store.db, systemClock, cliActor()),
  ledger: new Ledger(tg.gw.store.db, systemClock, cliActor()),
});
const operatorCap = async (orgId: string, scope: 'org' | 'workspace' | 'key', scopeId: string, usd: string) => {
  await asCli().limits.set({ orgId, scope, scopeId, monthly: usdToPico(usd) });
  await tg.gw.refresh();
};

async function api(method: string, path: string, key: string, body?: unknown) {
  const r = await fetch(`${tg.url}/admin/v1/${path}`, {
    method,
    headers: { 'x-api-key': key, 'content-type': 'application/json', ...(key === ADMIN ? { authorization: `Bearer ${ADMIN}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const t = await r.text();
  return { status: r.status, json: t ? JSON.parse(t) : null };
}

test('the attack from main, with an inference key: every step is refused', async () => {
  await tg.cli('limits', 'set', '--org', c.orgId, '--key', c.keyId, '--monthly', '1'); // the real CLI: the operator's limit
  const k = c.key;
  assert.equal((await api('PUT', `orgs/${c.orgId}/limits`, k, { scope: 'key', scope_id: c.keyId, monthly_usd: null })).status, 403);
  assert.equal((await api('PUT', `orgs/${c.orgId}/limits`, k, { scope: 'org', monthly_usd: '9000000' })).status, 403);
  assert.equal((await api('POST', `orgs/${c.orgId}/keys`, k, { name: 'forever' })).status, 403);
  assert.equal((await api('POST', `keys/${c.adminKeyId}/revoke`, k)).status, 403);
  assert.equal((await api('GET', `orgs/${c.orgId}/keys`, k)).status, 403);
  const shown = await new LimitsService(tg.gw.store.db, systemClock).get('key', c.keyId);
  assert.equal(shown!.monthly, usdToPico('1'));
});

test('operator limits are ceilings an admin key can lower but never raise or remove', async () => {
  const a = c.adminKey;
  const put = (body: object) => api('PUT', `orgs/${c.orgId}/limits`, a, body);
  assert.equal((await put({ scope: 'key', scope_id: c.keyId, monthly_usd: '2' })).status, 403);
  const lower = await put({ scope: 'key', scope_id: c.keyId, monthly_usd: '0.5' });
  assert.equal(lower.status, 200);
  assert.deepEqual([lower.json.limit.monthly_usd, lower.json.limit.operator_limit_usd, lower.json.limit.org_limit_usd], ['0.5', '1', '0.5']);
  const removed = await put({ scope: 'key', scope_id: c.keyId, monthly_usd: null });
  assert.deepEqual([removed.json.limit.monthly_usd, removed.json.limit.org_limit_usd], ['1', null], 'removing its own leaves the ceiling');
  // Invoice orgs: the operator's org cap is their only ceiling, and it stays.
  const inv = await tg.customer({ name: 'Invoiced' });
  await asCli().accounts.updateOrg(inv.orgId, { billingMode: 'invoice' });
  await operatorCap(inv.orgId, 'org', inv.orgId, '100');
  const del = await api('PUT', `orgs/${inv.orgId}/limits`, inv.adminKey, { scope: 'org', monthly_usd: null });
  assert.equal(del.json.limit.monthly_usd, '100');
  assert.equal((await api('PUT', `orgs/${inv.orgId}/limits`, inv.adminKey, { scope: 'org', monthly_usd: '9000000' })).status, 403);
  const shown = await tg.cli('limits', 'show', '--org', inv.orgId);
  assert.deepEqual(
    shown.limits.map((l: any) => [l.operator_limit_usd, l.org_limit_usd, l.monthly_usd]),
    [['100', null, '100']],
  );
});

test('a workspace admin key: its keys stay in its workspace and cannot outlive it', async () => {
  const ws = await tg.accounts.createWorkspace(c.orgId, 'Contractors');
  const exp = Date.now() + 10 * 86_400_000;
  const boss = await tg.accounts.createKey({
    orgId: c.orgId,
    workspaceId: ws.id,
    kind: 'admin',
    adminScope: 'workspace',
    expiresAt: exp,
    name: 'contractor admin',
  });
  const child = await api('POST', `orgs/${c.orgId}/keys`, boss.key, { name: 'contractor app' });
  assert.equal(child.status, 201);
  assert.equal(child.json.workspace_id, ws.id);
  assert.equal(Date.parse(child.json.expires_at), exp, "no expiry asked: the creator's");
  assert.equal((await api('POST', `orgs/${c.orgId}/keys`, boss.key, { name: 'late', expires_in_days: 30 })).status, 400);
  const sub = await api('POST', `orgs/${c.orgId}/keys`, boss.key, { name: 'sub admin', kind: 'admin' });
  const grandchild = await api('POST', `orgs/${c.orgId}/keys`, sub.json.key, { name: 'grandchild' });
  const models = (key: string) =>
    fetch(`${tg.url}/v1/models`, { headers: { 'x-api-key': key } }).then(async (r) => {
      await r.arrayBuffer();
      return r.status;
    });
  assert.equal(await models(child.json.key), 200);
  const revoked = await api('POST', `keys/${boss.id}/revoke`, c.adminKey);
  assert.deepEqual(new Set(revoked.json.revoked_with_it), new Set([child.json.id, sub.json.id, grandchild.json.id]));
  assert.equal(await models(child.json.key), 401);
  assert.equal(await models(grandchild.json.key), 401);
});

test('every change is in the audit log with who made it; the CLI and the API show the same entries; it is append-only', async () => {
  const o = await tg.customer({ name: 'Audited' });
  await tg.cli('credits', 'grant', '--org', o.orgId, '--usd', '3'); // the real CLI, as its OS user
  await asCli().accounts.updateOrg(o.orgId, { tierPinned: 2 });
  await operatorCap(o.orgId, 'org', o.orgId, '50');
  const made = await api('POST', `orgs/${o.orgId}/keys`, o.adminKey, { name: 'from the api' });
  await api('PUT', `orgs/${o.orgId}/limits`, o.adminKey, { scope: 'org', monthly_usd: '40' });
  await api('POST', `orgs/${o.orgId}/credits`, ADMIN, { kind: 'grant', amount_usd: '2', note: 'goodwill' });

  const cli = await tg.cli('audit', '--org', o.orgId);
  const viaApi = (await api('GET', `orgs/${o.orgId}/audit`, o.adminKey)).json.entries;
  const strip = (e: any) => {
    const { client_ip: _c, ...rest } = e;
    return rest;
  };
  assert.deepEqual(viaApi, cli.map(strip), 'the API shows what the CLI shows (client addresses only to the operator)');
  const actions = cli.map((e: any) => `${e.action}:${e.actor.kind}`);
  for (const a of ['credits.grant:cli', 'org.tier:cli', 'limit.ceiling:cli', 'key.create:admin_key', 'limit.set:admin_key', 'credits.grant:operator'])
    assert.ok(actions.includes(a), `${a} in ${actions}`);
  const byKey = cli.find((e: any) => e.action === 'key.create' && e.actor.kind === 'admin_key');
  assert.equal(byKey.actor.id, o.adminKeyId);
  assert.equal(byKey.target.id, made.json.id);
  assert.ok(byKey.request_id?.startsWith('req_'));
  const tier = cli.find((e: any) => e.action === 'org.tier');
  assert.deepEqual([tier.before.tier_pinned, tier.after.tier_pinned], [null, 2]);
  const lim = cli.find((e: any) => e.action === 'limit.set');
  assert.deepEqual([lim.before.org_limit_usd, lim.after.org_limit_usd, lim.after.operator_limit_usd, lim.after.in_force_usd], [null, '40', '50', '40']);
  assert.ok(!JSON.stringify(cli).includes(made.json.key), 'no secret in the audit log');
  // Another org's admin key sees none of it; an inference key cannot read it.
  assert.equal((await api('GET', `orgs/${o.orgId}/audit`, c.adminKey)).status, 403);
  assert.equal((await api('GET', `orgs/${o.orgId}/audit`, o.key)).status, 403);
  // Append-only, enforced by the database.
  await assert.rejects(sql`update audit_log set action = 'nothing' where org_id = ${o.orgId}`.execute(tg.gw.store.db), /append-only/);
  await assert.rejects(sql`delete from audit_log where org_id = ${o.orgId}`.execute(tg.gw.store.db), /append-only/);
  assert.equal((await api('GET', `orgs/${o.orgId}/audit`, o.adminKey)).json.entries.length, cli.length);
});
