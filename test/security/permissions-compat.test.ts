/**
 * The compatible organization APIs (/v1/organizations, /v1/organization) walked with every kind of
 * credential against the permission table in docs/security.md (permissions.test.ts walks /admin/v1).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { COMPAT_ROUTES } from '../../src/admin/compat/router.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { docTable, parseTable } from './permission-table.ts';

const ADMIN = 'permission-walk-admin-token-0123456789';
let tg: TestGateway;
let A: Awaited<ReturnType<TestGateway['customer']>>;
let ws2: string;
let wsAdmin: string;
before(async () => {
  tg = await startTestGateway({ env: { TOLLGATE_ADMIN_TOKEN: ADMIN, TOLLGATE_AUTH_FAILURE_BURST: '0' } });
  A = await tg.customer({ name: 'Org A' });
  ws2 = (await tg.accounts.createWorkspace(A.orgId, 'Team 2')).id;
  wsAdmin = (await tg.accounts.createKey({ orgId: A.orgId, workspaceId: ws2, kind: 'admin', adminScope: 'workspace', name: 'team 2 admin' })).key;
  await tg.gw.refresh();
});
after(async () => {
  await tg?.close();
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

test('every compatible organization endpoint (/v1/organizations, /v1/organization) × every credential kind answers as the table says', async () => {
  const table = parseTable(docTable);
  const creds: Cred[] = ['operator token', 'admin key (org)', 'admin key (workspace)', 'inference key', 'none', 'invalid'];
  const day = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
  let walked = 0;
  for (const r of COMPAT_ROUTES) {
    const row = table.get(`${r.method} ${r.pattern.replace(/:(\w+)/g, '{$1}')}`);
    assert.ok(row, `the table has a row for ${r.method} ${r.pattern}`);
    for (const c of creds) {
      let path = r.pattern;
      if (path.includes('api_keys/:id')) path = path.replace(':id', (await tg.accounts.createKey({ orgId: A.orgId, workspaceId: ws2, name: 'target' })).id);
      path = path.replace(':id', ws2);
      if (path.endsWith('usage_report/messages') || path.endsWith('cost_report')) path += `?starting_at=${day}T00:00:00Z`;
      if (path.startsWith('/v1/organization/')) path += `?start_time=${Math.floor(Date.now() / 1000) - 86_400}`;
      const body = r.method === 'POST' ? JSON.stringify({ name: 'walked' }) : undefined;
      const res = await fetch(`${tg.url}${path}`, {
        method: r.method,
        headers: { ...headersFor(c), ...(body ? { 'content-type': 'application/json' } : {}) },
        body,
      });
      const text = await res.text();
      const json = text ? JSON.parse(text) : null;
      const where = `${r.method} ${r.pattern} with ${c}: ${res.status} ${text.slice(0, 200)}`;
      if (c === 'none' || c === 'invalid') {
        assert.equal(res.status, 401, where);
        assert.equal(json.error.type, 'authentication_error', where);
      } else if (row.get(c)!.startsWith('✓')) {
        assert.ok(res.status >= 200 && res.status < 300, where);
      } else {
        assert.equal(row.get(c), '—', where);
        assert.equal(res.status, 403, where);
        assert.equal(json.error.type, 'permission_error', where);
      }
      walked++;
    }
  }
  assert.equal(walked, COMPAT_ROUTES.length * creds.length);
});
