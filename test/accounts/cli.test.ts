/** `tollgate user create|update|list` against a running gateway's database: operator users and members made by the operator can log in. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { Browser } from './support.ts';

let tg: TestGateway;
before(async () => {
  tg = await startTestGateway();
});
after(async () => {
  await tg?.close();
});

test('user create --operator signs in as the operator; update --no-operator takes it away', async () => {
  const made = await tg.cli('user', 'create', '--email', 'ops@cli.test', '--operator');
  assert.equal(made.operator, true);
  assert.match(made.password, /^[A-Za-z0-9_-]{16}$/);
  const b = new Browser(tg.url);
  const li = await b.post('/account/v1/login', { email: 'ops@cli.test', password: made.password });
  assert.equal(li.status, 200);
  assert.equal(li.json.operator, true);
  assert.equal((await b.get('/admin/v1/orgs')).status, 200);
  const upd = await tg.cli('user', 'update', '--email', 'ops@cli.test', '--no-operator');
  assert.equal(upd.operator, false);
  assert.equal((await b.get('/admin/v1/orgs')).status, 403, 'the same session loses operator rights at once');
});

test('user create --org --role makes a verified member; user list shows users', async () => {
  const c = await tg.customer({ name: 'CLI Org' });
  const made = await tg.cli('user', 'create', '--email', 'viewer@cli.test', '--org', c.orgId, '--role', 'viewer');
  assert.equal(made.role, 'viewer');
  const b = new Browser(tg.url);
  const li = await b.post('/account/v1/login', { email: 'viewer@cli.test', password: made.password });
  assert.deepEqual([li.json.role, li.json.current_org_id, li.json.user.verified], ['viewer', c.orgId, true]);
  assert.equal((await b.post(`/admin/v1/orgs/${c.orgId}/keys`, { name: 'no' })).status, 403);
  const list = await tg.cli('user', 'list');
  assert.ok(list.some((u: any) => u.email === 'viewer@cli.test'));
  assert.ok(!JSON.stringify(list).includes(made.password), 'no password in listings');
});
