/**
 * Who may call what, walked exhaustively against a running gateway: every admin endpoint with
 * every kind of credential (operator token, org-wide admin key, workspace admin key, inference
 * key, no credential, an invalid one), compared with the table in docs/security.md — which must
 * itself be exactly the table the router enforces (src/admin/permissions.ts). Plus the model APIs'
 * row, another org's admin key on every org route, and the workspace confinement the table marks
 * "✓ ws".
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_ROUTES } from '../../src/admin/router.ts';
import { COMPAT_ROUTES } from '../../src/admin/compat/router.ts';
import { docTable, parseTable } from './permission-table.ts';
import { permissionTableMarkdown } from '../../src/admin/permissions.ts';
import { AlertService } from '../../src/billing/alerts/index.ts';
import { ManualProvider } from '../../src/billing/payments.ts';
import { systemClock } from '../../src/core/clock.ts';
import { accountsOf } from '../../src/accounts/context.ts';
import { Invitations } from '../../src/accounts/invitations.ts';
import { usdToPico } from '../../src/core/money.ts';
import { startFakeStripe, stripeEnv, type FakeStripe } from '../support/fake-stripe.ts';
import { insertEvents } from '../support/usage-events.ts';
import { startFakeUpstream, type FakeUpstream } from '../support/fake-upstream.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';

const ADMIN = 'permission-walk-admin-token-0123456789';

let fake: FakeUpstream;
let tg: TestGateway;
let A: Awaited<ReturnType<TestGateway['customer']>>;
let B: Awaited<ReturnType<TestGateway['customer']>>;
let ws2: string;
let wsAdmin: string;
let stripe: FakeStripe;
/** An open invoice of org A (for the invoice routes). */
let invoiceNumber: string;

before(async () => {
  fake = await startFakeUpstream();
  stripe = await startFakeStripe();
  tg = await startTestGateway({
    upstreamUrl: fake.url,
    env: { ...stripeEnv(stripe), TOLLGATE_ADMIN_TOKEN: ADMIN, TOLLGATE_AUTH_FAILURE_BURST: '0', TOLLGATE_AUTO_CLOSE_AFTER_MIN: '0' },
  });
  A = await tg.customer({ name: 'Org A' });
  B = await tg.customer({ name: 'Org B' });
  ws2 = (await tg.accounts.createWorkspace(A.orgId, 'Team 2')).id;
  wsAdmin = (await tg.accounts.createKey({ orgId: A.orgId, workspaceId: ws2, kind: 'admin', adminScope: 'workspace', name: 'team 2 admin' })).key;
  // An open invoice of org A for last month's usage (the invoice routes need one).
  await tg.accounts.updateOrg(A.orgId, { billingMode: 'invoice' });
  const now = new Date();
  const last = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 3);
  await insertEvents(tg, A.orgId, 5, (i) => last + i * 60_000, { workspaces: [A.workspaceId], keyId: A.keyId, seed: 3, discounted: '' });
  const [closed] = await tg.gw.billing.closeMonth(new Date(last).toISOString().slice(0, 7), A.orgId);
  invoiceNumber = closed!.invoice!.number;
  await tg.gw.refresh();
});
after(async () => {
  await tg?.close();
  await fake?.close();
  await stripe?.close();
});

type Cred = 'operator token' | 'admin key (org)' | 'admin key (workspace)' | 'inference key' | 'none' | 'invalid';
const headersFor = (c: Cred): Record<string, string> =>
  ({
    'operator token': { authorization: `Bearer ${ADMIN}` },
    'admin key (org)': { 'x-api-key': A.adminKey },
    'admin key (workspace)': { authorization: `Bearer ${wsAdmin}` },
    'inference key': { 'x-api-key': A.key },
    none: {},
    invalid: { 'x-api-key': `sk-tg-admin-${'x'.repeat(48)}` },
  })[c];

/** A request each route accepts from an allowed caller (fresh targets where the call consumes one). */
async function requestFor(method: string, pattern: string) {
  let path = pattern.replace(':org', A.orgId).replace(':number', invoiceNumber).replace(':workspace', ws2);
  if (pattern.includes(':key')) path = path.replace(':key', (await tg.accounts.createKey({ orgId: A.orgId, workspaceId: ws2, name: 'target' })).id);
  if (pattern.includes(':payment')) {
    const p = await new ManualProvider(tg.gw.store.db, systemClock).purchase({
      orgId: A.orgId,
      amount: usdToPico('1'),
      ref: `walk:${Math.random()}`,
      note: 'permission walk',
    });
    path = path.replace(':payment', p.paymentId!);
  }
  if (pattern.includes(':channel'))
    path = path.replace(
      ':channel',
      (await new AlertService(tg.gw.store.db, { clock: systemClock }).addEmail(A.orgId, `alerts-${Math.random().toString(36).slice(2)}@a.test`)).id,
    );
  if (pattern.includes(':user')) path = path.replace(':user', await freshMember());
  if (pattern.includes(':invitation')) {
    const a = accountsOf(tg.gw.rt);
    const inv = await new Invitations(a.db, a.tokens, systemClock).create(A.orgId, `inv-${Math.random().toString(36).slice(2)}@a.test`, 'viewer', {
      kind: 'system',
      id: 'test',
    });
    path = path.replace(':invitation', inv.view.id);
  }
  if (pattern.includes(':ws')) path = path.replace(':ws', (await tg.accounts.createWorkspace(A.orgId, 'walk')).id);
  if (pattern.includes(':contact'))
    path = path.replace(':contact', (await tg.gw.billing.invoices.profiles.addContact(A.orgId, `ap-${Math.random().toString(36).slice(2)}@a.test`)).id);
  const body =
    pattern === 'orgs/:org/keys'
      ? { name: 'walk' }
      : pattern === 'orgs/:org/limits'
        ? { scope: 'workspace', scope_id: ws2, monthly_usd: '7' }
        : pattern === 'orgs/:org/credits'
          ? { kind: 'grant', amount_usd: '1' }
          : pattern === 'orgs/:org/checkout'
            ? { amount_usd: '25' }
            : pattern === 'orgs/:org/billing/profile'
              ? { tax_rate_percent: '0' }
              : pattern === 'orgs/:org/billing/contacts'
                ? { email: 'ap@a.test' }
                : pattern === 'orgs/:org/members/:user'
                  ? { role: 'developer' }
                  : pattern === 'orgs/:org/invitations'
                    ? { email: `walk-${Math.random().toString(36).slice(2)}@a.test`, role: 'viewer' }
                    : pattern === 'orgs/:org/workspaces' || pattern === 'orgs/:org/workspaces/:ws'
                      ? { name: 'walked' }
                      : pattern === 'orgs/:org/tier'
                        ? { tier: null }
                        : pattern === 'orgs/:org/alerts/channels'
                          ? { kind: 'email', target: 'alerts@a.test' }
                          : method === 'GET'
                            ? undefined
                            : {};
  return { path, body: method === 'GET' ? undefined : body };
}

/** A new viewer of org A (a target for the member routes). */
async function freshMember(): Promise<string> {
  const a = accountsOf(tg.gw.rt);
  const u = await a.db.transaction().execute((trx) => a.users.insert(trx, { email: `m-${Math.random().toString(36).slice(2)}@a.test`, passwordHash: 'x' }));
  await a.users.addMember(A.orgId, u.id, 'viewer', { kind: 'system', id: 'test' });
  return u.id;
}

async function call(method: string, path: string, headers: Record<string, string>, body?: unknown) {
  const r = await fetch(`${tg.url}/admin/v1/${path}`, {
    method,
    headers: { ...headers, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await r.text();
  return { status: r.status, json: text ? JSON.parse(text) : null };
}

test('docs/security.md holds exactly the permission table the router enforces', () => {
  assert.ok(docTable, 'the doc has the permission-table markers');
  assert.equal(docTable, permissionTableMarkdown([...ADMIN_ROUTES, ...COMPAT_ROUTES]));
});

test('every admin endpoint × every credential kind answers as the table says', async () => {
  const table = parseTable(docTable);
  const creds: Cred[] = ['operator token', 'admin key (org)', 'admin key (workspace)', 'inference key', 'none', 'invalid'];
  let walked = 0;
  for (const r of ADMIN_ROUTES) {
    const row = table.get(`${r.method} ${r.pattern.replace(/:(\w+)/g, '{$1}')}`);
    assert.ok(row, `the table has a row for ${r.method} ${r.pattern}`);
    for (const c of creds) {
      const { path, body } = await requestFor(r.method, r.pattern);
      const res = await call(r.method, path, headersFor(c), body);
      const where = `${r.method} ${r.pattern} with ${c}: ${res.status} ${JSON.stringify(res.json?.error ?? '')}`;
      if (c === 'none' || c === 'invalid') {
        assert.equal(res.status, 401, where);
        assert.equal(res.json.error.type, 'authentication_error', where);
      } else if (row.get(c)!.startsWith('✓')) {
        assert.ok(res.status >= 200 && res.status < 300, where);
      } else {
        assert.equal(row.get(c), '—', where);
        assert.equal(res.status, 403, where);
        assert.equal(res.json.error.type, 'permission_error', where);
      }
      walked++;
    }
  }
  assert.equal(walked, ADMIN_ROUTES.length * creds.length);
});

test("another org's admin key gets 403 on every org-scoped endpoint of this org", async () => {
  for (const r of ADMIN_ROUTES.filter((x) => x.pattern.includes(':org') || x.pattern.includes(':key'))) {
    const { path, body } = await requestFor(r.method, r.pattern);
    const res = await call(r.method, path, { 'x-api-key': B.adminKey }, body);
    assert.equal(res.status, 403, `${r.method} ${r.pattern}: ${res.status}`);
    assert.ok(!JSON.stringify(res.json).includes('Org A'));
  }
});

test('model APIs: inference keys only (admin keys and the operator token are refused)', async () => {
  const row = parseTable(docTable).get([...parseTable(docTable).keys()].find((k) => k.startsWith('model APIs'))!)!;
  const ask = JSON.stringify({ model: 'claude-haiku-4-5', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] });
  const endpoints: Array<[string, string, string | undefined]> = [
    ['POST', '/v1/messages', ask],
    ['POST', '/v1/messages/count_tokens', ask],
    ['POST', '/v1/chat/completions', JSON.stringify({ model: 'claude-haiku-4-5', messages: [{ role: 'user', content: 'hi' }] })],
    ['GET', '/v1/models', undefined],
  ];
  for (const [method, path, body] of endpoints) {
    for (const c of ['operator token', 'admin key (org)', 'admin key (workspace)', 'inference key'] as Cred[]) {
      const r = await fetch(`${tg.url}${path}`, {
        method,
        headers: { ...headersFor(c), 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
        body,
      });
      const text = await r.text();
      const where = `${method} ${path} with ${c}: ${r.status} ${text.slice(0, 200)}`;
      if (row.get(c) === '✓') assert.equal(r.status, 200, where);
      else if (c === 'operator token') assert.equal(r.status, 401, where);
      else {
        assert.equal(r.status, 403, where);
        assert.match(text, /admin key/);
      }
    }
  }
});

test('a workspace admin key is confined to its workspace', async () => {
  const ws = { authorization: `Bearer ${wsAdmin}` };
  const listed = (await call('GET', `orgs/${A.orgId}/keys`, ws)).json.keys;
  assert.ok(listed.length > 0);
  assert.ok(
    listed.every((k: any) => k.workspace_id === ws2),
    "only its workspace's keys",
  );
  assert.equal((await call('POST', `orgs/${A.orgId}/keys`, ws, { name: 'elsewhere', workspace_id: A.workspaceId })).status, 403);
  const made = await call('POST', `orgs/${A.orgId}/keys`, ws, { name: 'sub-admin', kind: 'admin' });
  assert.equal(made.status, 201);
  assert.deepEqual([made.json.workspace_id, made.json.admin_scope], [ws2, 'workspace'], 'an admin key it makes is confined too');
  assert.equal((await call('POST', `orgs/${A.orgId}/keys`, ws, { name: 'escalate', kind: 'admin', admin_scope: 'org' })).status, 400);
  assert.equal((await call('POST', `keys/${A.keyId}/revoke`, ws)).status, 403, 'a key of another workspace');
  assert.equal((await call('PUT', `orgs/${A.orgId}/limits`, ws, { scope: 'org', monthly_usd: '1' })).status, 403);
  assert.equal((await call('PUT', `orgs/${A.orgId}/limits`, ws, { scope: 'workspace', scope_id: A.workspaceId, monthly_usd: '1' })).status, 403);
  assert.equal((await call('PUT', `orgs/${A.orgId}/limits`, ws, { scope: 'key', scope_id: A.keyId, monthly_usd: '1' })).status, 403);
  const limits = (await call('GET', `orgs/${A.orgId}/limits`, ws)).json;
  assert.ok(
    limits.scopes.every((s: any) => (s.scope === 'workspace' ? s.scope_id === ws2 : s.scope === 'key')),
    'its workspace and its keys only',
  );
  assert.ok(!('balance_usd' in limits), "not the org's balance");
  const usage = (await call('GET', `orgs/${A.orgId}/usage?group=key`, ws)).json;
  assert.equal(usage.workspace_id, ws2);
});
