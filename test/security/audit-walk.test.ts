/**
 * Every admin mutation writes the audit log: the test walks every non-GET route of the admin API
 * and of the compatible organization API (the tables docs/security.md is generated from), calls
 * each one successfully, and finds the audit row that names that very request (its request id),
 * the caller, the action and its target. There is no list of exceptions: a new mutation route
 * without a case here, or one that writes no audit row, fails the test. The CLI's billing changes (profile, contacts, billing
 * mode, auto-reload, approvals) are recorded with the OS user as actor.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/core/clock.ts';
import { ADMIN_ROUTES } from '../../src/admin/router.ts';
import { COMPAT_ROUTES } from '../../src/admin/compat/router.ts';
import { ManualProvider } from '../../src/billing/payments.ts';
import { usdToPico } from '../../src/core/money.ts';
import { listAudit, type AuditEntry } from '../../src/audit/log.ts';
import { Users } from '../../src/accounts/users.ts';
import { loadTierSchedule } from '../../src/limits/build-governance.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { startFakeStripe, stripeEnv, type FakeStripe } from '../support/fake-stripe.ts';
import { insertEvents } from '../support/usage-events.ts';

const ADMIN = 'audit-walk-admin-token-0123456789abcdef';
const clock = new ManualClock(Date.UTC(2026, 1, 10));
let fake: FakeStripe;
let tg: TestGateway;
before(async () => {
  fake = await startFakeStripe();
  tg = await startTestGateway({ clock, env: { ...stripeEnv(fake), TOLLGATE_ADMIN_TOKEN: ADMIN, TOLLGATE_AUTO_CLOSE_AFTER_MIN: '0' } });
});
after(async () => {
  await tg?.close();
  await fake?.close();
});

async function call(path: string, cred: string, method: string, body?: unknown) {
  const r = await fetch(path.startsWith('/') ? `${tg.url}${path}` : `${tg.url}/admin/v1/${path}`, {
    method,
    headers: { authorization: `Bearer ${cred}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await r.text();
  return { status: r.status, requestId: r.headers.get('x-request-id')!, json: text ? JSON.parse(text) : null };
}

test('every admin mutation writes an audit row naming the request and the caller', async () => {
  const c = await tg.customer({ name: 'Walk', credits: '0' });
  const inv = await tg.customer({ name: 'Invoiced', credits: '0' });
  await tg.accounts.updateOrg(inv.orgId, { billingMode: 'invoice' });
  await insertEvents(tg, inv.orgId, 20, (i) => Date.UTC(2026, 1, 11) + i * 60_000, {
    workspaces: [inv.workspaceId],
    keyId: inv.keyId,
    seed: 4,
    discounted: '',
  });
  clock.set(Date.UTC(2026, 2, 1, 1));
  const [closed] = await tg.gw.billing.closeMonth('2026-02', inv.orgId);
  const number = closed!.invoice!.number;
  const manual = new ManualProvider(tg.gw.store.db, clock);
  const p1 = await manual.purchase({ orgId: c.orgId, amount: usdToPico('5'), ref: 'walk-1', note: 'walk' });
  const p2 = await manual.purchase({ orgId: c.orgId, amount: usdToPico('6'), ref: 'walk-2', note: 'walk' });
  // A second user in the walked org, for the member routes (as an accepted invitation would leave it).
  const mate = await new Users(tg.gw.store.db, clock).insert(tg.gw.store.db, { email: 'mate@walk.test', passwordHash: 'x', verified: true });
  await tg.gw.store.db.insertInto('memberships').values({ org_id: c.orgId, user_id: mate.id, role: 'viewer', created_at: clock.now() }).execute();
  const tier = loadTierSchedule(tg.gw.rt.config).tiers.at(-1)!.tier;
  // Ids the walk learns from earlier answers (routes run in the router's order).
  const ids: Record<string, string> = {};

  type Target = [type: string, id: string | ((e: AuditEntry) => boolean)];
  interface Case {
    cred: string;
    path: string;
    body?: unknown;
    action: string;
    target: (json: any) => Target;
    keep?: string;
  }
  // One successful call per mutation route: credential, path, body, and the audit row it must leave
  // (action, target). `keep` stores the answer's `id` under that name for a later case.
  const cases: Record<string, () => Case> = {
    'POST orgs/:org/keys': () => ({
      cred: c.adminKey,
      path: `orgs/${c.orgId}/keys`,
      body: { name: 'walker' },
      action: 'key.create',
      target: (j) => ['key', j.id],
      keep: 'key',
    }),
    'POST keys/:key/revoke': () => ({ cred: c.adminKey, path: `keys/${ids.key}/revoke`, action: 'key.revoke', target: () => ['key', ids.key!] }),
    'POST keys/:key': () => ({
      cred: c.adminKey,
      path: `keys/${c.keyId}`,
      body: { name: 'renamed', max_tokens: 1000 },
      action: 'key.update',
      target: () => ['key', c.keyId],
    }),
    'POST orgs/:org/workspaces/:workspace/policy': () => ({
      cred: c.adminKey,
      path: `orgs/${c.orgId}/workspaces/${c.workspaceId}/policy`,
      body: { max_tokens: 2000 },
      action: 'workspace.policy',
      target: () => ['workspace', c.workspaceId],
    }),
    'PUT orgs/:org/limits': () => ({
      cred: c.adminKey,
      path: `orgs/${c.orgId}/limits`,
      body: { monthly_usd: '50' },
      action: 'limit.set',
      target: () => ['org_limit', c.orgId],
    }),
    'POST orgs/:org/alerts/channels': () => ({
      cred: c.adminKey,
      path: `orgs/${c.orgId}/alerts/channels`,
      body: { kind: 'email', target: 'alerts@walk.test' },
      action: 'alert_channel.add',
      target: (j) => ['alert_channel', j.id],
      keep: 'channel',
    }),
    'POST orgs/:org/alerts/channels/:channel/disable': () => ({
      cred: c.adminKey,
      path: `orgs/${c.orgId}/alerts/channels/${ids.channel}/disable`,
      action: 'alert_channel.disable',
      target: () => ['alert_channel', ids.channel!],
    }),
    'POST orgs/:org/credits': () => ({
      cred: ADMIN,
      path: `orgs/${c.orgId}/credits`,
      body: { kind: 'grant', amount_usd: '3' },
      action: 'credits.grant',
      target: (j) => ['ledger_entry', j.entry_id],
    }),
    'POST orgs/:org/checkout': () => ({
      cred: c.adminKey,
      path: `orgs/${c.orgId}/checkout`,
      body: { amount_usd: '25' },
      action: 'payment.checkout',
      target: (j) => ['payment', (e) => (e.after as any)?.checkout_session === j.id],
    }),
    'POST orgs/:org/card': () => ({
      cred: c.adminKey,
      path: `orgs/${c.orgId}/card`,
      action: 'payment.card_setup',
      target: (j) => ['payment', (e) => (e.after as any)?.checkout_session === j.id],
    }),
    'POST orgs/:org/invoices/:number/checkout': () => ({
      cred: inv.adminKey,
      path: `orgs/${inv.orgId}/invoices/${number}/checkout`,
      action: 'invoice.checkout',
      target: (j) => ['payment', (e) => (e.after as any)?.invoice === number && (e.after as any)?.checkout_session === j.id],
    }),
    'PUT orgs/:org/billing/profile': () => ({
      cred: ADMIN,
      path: `orgs/${c.orgId}/billing/profile`,
      body: { legal_name: 'Walk GmbH', tax_rate_percent: '19' },
      action: 'billing.profile',
      target: () => ['billing_profile', c.orgId],
    }),
    'POST orgs/:org/billing/contacts': () => ({
      cred: c.adminKey,
      path: `orgs/${c.orgId}/billing/contacts`,
      body: { email: 'ap@walk.test' },
      action: 'billing.contact.add',
      target: (j) => ['billing_contact', j.id],
      keep: 'contact',
    }),
    'POST orgs/:org/billing/contacts/:contact/remove': () => ({
      cred: c.adminKey,
      path: `orgs/${c.orgId}/billing/contacts/${ids.contact}/remove`,
      action: 'billing.contact.remove',
      target: () => ['billing_contact', ids.contact!],
    }),
    'POST payments/:payment/approve': () => ({
      cred: ADMIN,
      path: `payments/${p1.paymentId}/approve`,
      action: 'payment.approve',
      target: () => ['payment', p1.paymentId!],
    }),
    'POST payments/:payment/reject': () => ({
      cred: ADMIN,
      path: `payments/${p2.paymentId}/reject`,
      action: 'payment.reject',
      target: () => ['payment', p2.paymentId!],
    }),
    'POST invoices/:number/pay': () => ({ cred: ADMIN, path: `invoices/${number}/pay`, action: 'invoice.pay', target: () => ['invoice', number] }),
    'POST orgs/:org/members/:user': () => ({
      cred: c.adminKey,
      path: `orgs/${c.orgId}/members/${mate.id}`,
      body: { role: 'developer' },
      action: 'member.role',
      target: () => ['user', mate.id],
    }),
    'POST orgs/:org/members/:user/remove': () => ({
      cred: c.adminKey,
      path: `orgs/${c.orgId}/members/${mate.id}/remove`,
      action: 'member.remove',
      target: () => ['user', mate.id],
    }),
    'POST orgs/:org/invitations': () => ({
      cred: c.adminKey,
      path: `orgs/${c.orgId}/invitations`,
      body: { email: 'new@walk.test', role: 'developer' },
      action: 'invitation.create',
      target: (j) => ['invitation', j.id],
      keep: 'invitation',
    }),
    'POST orgs/:org/invitations/:invitation/revoke': () => ({
      cred: c.adminKey,
      path: `orgs/${c.orgId}/invitations/${ids.invitation}/revoke`,
      action: 'invitation.revoke',
      target: () => ['invitation', ids.invitation!],
    }),
    'POST orgs/:org/workspaces': () => ({
      cred: c.adminKey,
      path: `orgs/${c.orgId}/workspaces`,
      body: { name: 'Side' },
      action: 'workspace.create',
      target: (j) => ['workspace', j.id],
      keep: 'ws',
    }),
    'POST orgs/:org/workspaces/:ws': () => ({
      cred: c.adminKey,
      path: `orgs/${c.orgId}/workspaces/${ids.ws}`,
      body: { name: 'Side B' },
      action: 'workspace.rename',
      target: () => ['workspace', ids.ws!],
    }),
    'POST orgs/:org/workspaces/:ws/archive': () => ({
      cred: c.adminKey,
      path: `orgs/${c.orgId}/workspaces/${ids.ws}/archive`,
      action: 'workspace.archive',
      target: () => ['workspace', ids.ws!],
    }),
    'POST orgs/:org/tier': () => ({ cred: ADMIN, path: `orgs/${c.orgId}/tier`, body: { tier }, action: 'org.tier', target: () => ['org', c.orgId] }),
    'POST orgs/:org/suspend': () => ({
      cred: ADMIN,
      path: `orgs/${c.orgId}/suspend`,
      body: { reason: 'walk' },
      action: 'org.suspend',
      target: () => ['org', c.orgId],
    }),
    'POST orgs/:org/resume': () => ({ cred: ADMIN, path: `orgs/${c.orgId}/resume`, action: 'org.resume', target: () => ['org', c.orgId] }),
    // The compatible organization API (full path, admin key only).
    'POST /v1/organizations/api_keys/:id': () => ({
      cred: c.adminKey,
      path: `/v1/organizations/api_keys/${c.keyId}`,
      body: { name: 'compat-renamed' },
      action: 'key.update',
      target: () => ['key', c.keyId],
    }),
  };
  // No exceptions: every mutation route of both admin routers must have a case above.
  const mutations = [...ADMIN_ROUTES, ...COMPAT_ROUTES].filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.pattern}`);
  assert.deepEqual(
    mutations.filter((m) => !cases[m]),
    [],
    'a mutation route without an audit case here',
  );
  assert.deepEqual(
    Object.keys(cases).filter((k) => !mutations.includes(k)),
    [],
    'a case for a route the router does not have',
  );

  for (const route of mutations) {
    const x = cases[route]!();
    const r = await call(x.path, x.cred, route.split(' ')[0]!, x.body);
    assert.ok(r.status >= 200 && r.status < 300, `${route}: ${r.status} ${JSON.stringify(r.json)}`);
    if (x.keep) ids[x.keep] = r.json.id;
    const rows = (await listAudit(tg.gw.store.db, { limit: 1000 })).filter((e) => e.requestId === r.requestId);
    assert.ok(rows.length >= 1, `${route} wrote no audit row`);
    const [type, id] = x.target(r.json);
    const hit = rows.find((e) => e.action === x.action && e.targetType === type && (typeof id === 'string' ? e.targetId === id : id(e)));
    assert.ok(hit, `${route}: want ${x.action} on ${type}; got ${JSON.stringify(rows.map((e) => [e.action, e.targetType, e.targetId]))}`);
    const who = x.cred === ADMIN ? { kind: 'operator', id: 'admin-token' } : { kind: 'admin_key', id: x.cred === c.adminKey ? c.adminKeyId : inv.adminKeyId };
    for (const e of rows) assert.deepEqual(e.actor, who, route);
  }
  // The profile row carries before and after.
  const prof = (await listAudit(tg.gw.store.db, { orgId: c.orgId })).find((e) => e.action === 'billing.profile')!;
  assert.equal((prof.before as any).legal_name, null);
  assert.equal((prof.after as any).legal_name, 'Walk GmbH');
  assert.equal((prof.after as any).tax_rate_e4, '190000');
  // Refused calls change nothing and record nothing.
  const before = (await listAudit(tg.gw.store.db, { limit: 1000 })).length;
  assert.equal((await call(`orgs/${c.orgId}/billing/profile`, c.adminKey, 'PUT', { tax_rate_percent: '0' })).status, 403);
  assert.equal((await call(`payments/${p1.paymentId}/approve`, ADMIN, 'POST')).status, 200, 'approving twice is idempotent');
  assert.equal((await listAudit(tg.gw.store.db, { limit: 1000 })).length, before, 'no row for a refused call or a no-op');
});

test('billing changes from the CLI are audited with the OS user', async () => {
  const c = await tg.customer({ name: 'Cli', credits: '0' });
  await tg.cli('billing', 'profile', '--org', c.orgId, '--legal-name', 'Cli Ltd', '--net-days', '15');
  await tg.cli('billing', 'contact', 'add', '--org', c.orgId, '--email', 'bills@cli.test');
  await tg.cli('billing', 'mode', 'card', '--org', c.orgId);
  await tg.cli('credits', 'auto-reload', '--org', c.orgId, '--below', '5', '--amount', '20');
  const rows = await listAudit(tg.gw.store.db, { orgId: c.orgId });
  const actions = rows.map((e) => e.action);
  for (const a of ['billing.profile', 'billing.contact.add', 'credits.settings']) assert.ok(actions.includes(a), `${a} in ${actions}`);
  const mode = rows.find((e) => e.action.startsWith('org.') && (e.after as any)?.billing_mode === 'card');
  assert.ok(mode, `billing mode change audited: ${actions}`);
  const mine = rows.filter((e) => ['billing.profile', 'billing.contact.add', 'credits.settings'].includes(e.action) || e === mode);
  assert.equal(mine.length, 4);
  for (const e of mine) assert.equal(e.actor.kind, 'cli', `${e.action} by ${JSON.stringify(e.actor)}`);
});
