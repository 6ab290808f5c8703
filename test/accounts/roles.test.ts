/**
 * Teams: an owner invites one member per role by mail; each invitee signs up through the link
 * (or logs in and accepts) and joins with that role. Each role's session then walks every admin
 * endpoint and is answered exactly as the table in docs/security.md says. Plus the rules around
 * owners (only owners make owners, the last owner stays), removal, and invitations that are
 * replayed, revoked or opened by the wrong address.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { smtpSink } from '../alerts/support.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { Browser, waitForMail } from './support.ts';
import { ADMIN_ROUTES } from '../../src/admin/router.ts';
import { MEMBER_ROLES } from '../../src/accounts/api-types.ts';

let smtp: Awaited<ReturnType<typeof smtpSink>>;
let tg: TestGateway;
let owner: Browser;
let orgId: string;
const members = new Map<string, Browser>();

const doc = readFileSync(new URL('../../docs/security.md', import.meta.url), 'utf8');
const table = /<!-- permission-table:start -->\n([\s\S]*?)\n<!-- permission-table:end -->/.exec(doc)![1]!;
function cellOf(method: string, pattern: string, column: string): string {
  const lines = table.split('\n').filter((l) => l.startsWith('|'));
  const cells = (l: string) =>
    l
      .split('|')
      .slice(1, -1)
      .map((c) => c.trim());
  const head = cells(lines[0]!);
  const row = lines
    .slice(2)
    .map(cells)
    .find((c) => c[0]!.replace(/`/g, '') === `${method} ${pattern.replace(/:(\w+)/g, '{$1}')}`);
  assert.ok(row, `docs/security.md has a row for ${method} ${pattern}`);
  return row[head.indexOf(column)]!;
}

before(async () => {
  smtp = await smtpSink();
  tg = await startTestGateway({ env: { SMTP_URL: smtp.url } });
  owner = new Browser(tg.url);
  const r = await owner.post('/account/v1/signup', { email: 'founder@team.test', password: 'owner password', org_name: 'Team Org' });
  orgId = r.json.current_org_id;
  const { token } = await waitForMail(smtp.mails, 'founder@team.test', /Verify/);
  await owner.post('/account/v1/verify', { token });
});
after(async () => {
  await tg?.close();
  await smtp?.close();
});

test('invite one member per role; each joins through the mailed link with that role', async () => {
  for (const role of MEMBER_ROLES) {
    const email = `${role}@team.test`;
    const inv = await owner.post(`/admin/v1/orgs/${orgId}/invitations`, { email, role });
    assert.equal(inv.status, 201, JSON.stringify(inv.json));
    assert.equal(inv.json.status, 'pending');
    const { link, token } = await waitForMail(smtp.mails, email, /invited to Team Org/);
    assert.ok(link.startsWith(`${tg.url}/console/#/invite?token=`));
    const b = new Browser(tg.url);
    const look = await b.get(`/account/v1/invitations/lookup?token=${encodeURIComponent(token)}`);
    assert.deepEqual([look.status, look.json.org_name, look.json.role, look.json.account_exists], [200, 'Team Org', role, false]);
    // The wrong address cannot use it.
    const wrong = await new Browser(tg.url).post('/account/v1/signup', { email: `not-${email}`, password: 'long enough pw', invitation_token: token });
    assert.equal(wrong.status, 403);
    const su = await b.post('/account/v1/signup', { email, password: 'member password', invitation_token: token });
    assert.equal(su.status, 201, JSON.stringify(su.json));
    assert.equal(su.json.joined_org_id, orgId);
    assert.equal(su.json.role, role);
    assert.equal(su.json.orgs.length, 1, 'no org of their own');
    assert.equal(su.json.user.verified, true, 'the invitation link proved the address');
    // Replayed.
    const again = await new Browser(tg.url).post('/account/v1/signup', { email: `again-${email}`, password: 'long enough pw', invitation_token: token });
    assert.equal(again.status, 400);
    members.set(role, b);
  }
  const list = await owner.get(`/admin/v1/orgs/${orgId}/members`);
  assert.deepEqual(list.json.members.map((m: any) => m.role).sort(), ['admin', 'billing', 'developer', 'owner', 'owner', 'viewer']);
  assert.ok(list.json.members.every((m: any) => m.verified));
});

test('each role walks every admin endpoint and is answered as docs/security.md says', async () => {
  const dummy: Record<string, string> = {
    org: orgId,
    key: 'apikey_doesnotexist',
    user: 'user_doesnotexist',
    invitation: 'invite_doesnotexist',
    ws: 'wrkspc_doesnotexist',
    number: 'TG-999999',
    payment: 'pay_doesnotexist',
    contact: 'contact_doesnotexist',
  };
  let walked = 0;
  for (const role of MEMBER_ROLES) {
    const b = members.get(role)!;
    for (const r of ADMIN_ROUTES) {
      const path = r.pattern.replace(/:(\w+)/g, (_m, p: string) => dummy[p] ?? `x_${p}`);
      const res = await b.req(r.method, `/admin/v1/${path}`, r.method === 'GET' ? undefined : {});
      const cell = cellOf(r.method, r.pattern, `user: ${role}`);
      const where = `${role}: ${r.method} ${r.pattern} → ${res.status} ${JSON.stringify(res.json?.error ?? '')} (table: ${cell})`;
      if (cell.startsWith('✓')) assert.ok(res.status !== 401 && res.status !== 403, where);
      else {
        assert.equal(res.status, 403, where);
        assert.equal(res.json.error.code, 'permission_denied', where);
      }
      walked++;
    }
  }
  assert.equal(walked, ADMIN_ROUTES.length * MEMBER_ROLES.length);
});

test('what the guide says each role does: developers make keys, billing pays, viewers only look', async () => {
  const dev = members.get('developer')!;
  assert.equal((await dev.post(`/admin/v1/orgs/${orgId}/keys`, { name: 'dev key' })).status, 201);
  assert.equal((await dev.get(`/admin/v1/orgs/${orgId}/usage`)).status, 200);
  assert.equal((await dev.post(`/admin/v1/orgs/${orgId}/invitations`, { email: 'x@team.test', role: 'viewer' })).status, 403);
  const billing = members.get('billing')!;
  assert.equal((await billing.get(`/admin/v1/orgs/${orgId}/credits`)).status, 200);
  assert.equal((await billing.post(`/admin/v1/orgs/${orgId}/keys`, { name: 'no' })).status, 403);
  const viewer = members.get('viewer')!;
  assert.equal((await viewer.get(`/admin/v1/orgs/${orgId}/keys`)).status, 200);
  for (const [p, body] of [
    [`orgs/${orgId}/keys`, { name: 'no' }],
    [`orgs/${orgId}/workspaces`, { name: 'no' }],
    [`orgs/${orgId}/invitations`, { email: 'v@team.test', role: 'viewer' }],
  ] as const) {
    assert.equal((await viewer.post(`/admin/v1/${p}`, body)).status, 403, p);
  }
  assert.equal((await viewer.req('PUT', `/admin/v1/orgs/${orgId}/limits`, { scope: 'org', monthly_usd: '1' })).status, 403);
});

test('owners: only an owner grants the owner role; the last owner stays; removal ends access', async () => {
  const admin = members.get('admin')!;
  const list = (await owner.get(`/admin/v1/orgs/${orgId}/members`)).json.members;
  const id = (email: string) => list.find((m: any) => m.email === email).user_id;
  assert.equal((await admin.post(`/admin/v1/orgs/${orgId}/members/${id('viewer@team.test')}`, { role: 'owner' })).status, 403, 'an admin cannot make owners');
  assert.equal((await admin.post(`/admin/v1/orgs/${orgId}/invitations`, { email: 'o2@team.test', role: 'owner' })).status, 403);
  assert.equal((await admin.post(`/admin/v1/orgs/${orgId}/members/${id('owner@team.test')}/remove`)).status, 403, 'nor remove an owner');
  assert.equal((await admin.post(`/admin/v1/orgs/${orgId}/members/${id('viewer@team.test')}`, { role: 'developer' })).status, 200);
  assert.equal((await admin.post(`/admin/v1/orgs/${orgId}/members/${id('viewer@team.test')}`, { role: 'viewer' })).status, 200);

  // Two owners (the founder and the invited one): the founder is demoted, then the last owner stays.
  const invitedOwner = members.get('owner')!;
  assert.equal(
    (await invitedOwner.post(`/admin/v1/orgs/${orgId}/members/${id('founder@team.test')}`, { role: 'admin' })).status,
    200,
    'an owner takes the owner role',
  );
  assert.equal((await owner.post(`/admin/v1/orgs/${orgId}/members/${id('owner@team.test')}/remove`)).status, 403, 'the demoted founder cannot remove an owner');
  const self = await invitedOwner.post(`/admin/v1/orgs/${orgId}/members/${id('owner@team.test')}/remove`);
  assert.equal(self.status, 409);
  assert.equal(self.json.error.code, 'last_owner');
  assert.equal((await invitedOwner.post(`/admin/v1/orgs/${orgId}/members/${id('owner@team.test')}`, { role: 'admin' })).json.error.code, 'last_owner');
  assert.equal((await invitedOwner.post(`/admin/v1/orgs/${orgId}/members/${id('founder@team.test')}/remove`)).status, 200);

  // The removed founder's session no longer reaches the org.
  assert.equal((await owner.get(`/admin/v1/orgs/${orgId}/keys`)).status, 403);
  const s = await owner.get('/account/v1/session');
  assert.equal(s.json.current_org_id, null);
});

test('an existing user accepts an invitation by logging in; revoked invitations are dead', async () => {
  const invitedOwner = members.get('owner')!;
  const other = new Browser(tg.url);
  await other.post('/account/v1/signup', { email: 'elsewhere@team.test', password: 'long enough pw', org_name: 'Elsewhere' });
  const inv = await invitedOwner.post(`/admin/v1/orgs/${orgId}/invitations`, { email: 'elsewhere@team.test', role: 'developer' });
  assert.equal(inv.status, 201);
  const { token } = await waitForMail(smtp.mails, 'elsewhere@team.test', /invited/);
  // Someone else's session cannot accept it.
  const dev = members.get('developer')!;
  assert.equal((await dev.post('/account/v1/invitations/accept', { token })).status, 403);
  const ok = await other.post('/account/v1/invitations/accept', { token });
  assert.equal(ok.status, 200, JSON.stringify(ok.json));
  assert.equal(ok.json.role, 'developer');
  const s = await other.get('/account/v1/session');
  assert.equal(s.json.current_org_id, orgId);
  assert.equal(s.json.orgs.length, 2);

  const inv2 = await invitedOwner.post(`/admin/v1/orgs/${orgId}/invitations`, { email: 'late@team.test', role: 'viewer' });
  const t2 = (await waitForMail(smtp.mails, 'late@team.test', /invited/)).token;
  const rv = await invitedOwner.post(`/admin/v1/orgs/${orgId}/invitations/${inv2.json.id}/revoke`);
  assert.equal(rv.json.status, 'revoked');
  assert.equal(
    (await new Browser(tg.url).post('/account/v1/signup', { email: 'late@team.test', password: 'long enough pw', invitation_token: t2 })).status,
    400,
  );
});
