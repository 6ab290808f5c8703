/**
 * Sessions as an attacker would probe them: cookie flags, CSRF on every state-changing request
 * (token and Origin), login throttling per account and per address, a new session id at every
 * login, logout, "log out everywhere", password reset by mail revoking every session, the
 * operator's console sign-in, and tenant isolation between two users' orgs.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { smtpSink } from '../alerts/support.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { Browser, waitForMail } from './support.ts';
import { accountsOf } from '../../src/accounts/context.ts';

const ADMIN = 'sessions-admin-token-0123456789';
let smtp: Awaited<ReturnType<typeof smtpSink>>;
let tg: TestGateway;

before(async () => {
  smtp = await smtpSink();
  tg = await startTestGateway({ env: { SMTP_URL: smtp.url, TOLLGATE_ADMIN_TOKEN: ADMIN } });
});
after(async () => {
  await tg?.close();
  await smtp?.close();
});

async function signUp(email: string, org = 'Org', password = 'long enough pw') {
  const b = new Browser(tg.url);
  const r = await b.post('/account/v1/signup', { email, password, org_name: org });
  assert.equal(r.status, 201, JSON.stringify(r.json));
  const { token } = await waitForMail(smtp.mails, email, /Verify/);
  assert.equal((await b.post('/account/v1/verify', { token })).status, 200);
  return { b, orgId: r.json.current_org_id as string };
}

test('cookies: HttpOnly, SameSite=Lax, Path=/; the session is stored only as a hash', async () => {
  const b = new Browser(tg.url);
  const r = await fetch(`${tg.url}/account/v1/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'flags@example.com', password: 'long enough pw', org_name: 'F' }),
  });
  const cookies = r.headers.getSetCookie();
  const session = cookies.find((c) => c.startsWith('tg_session='))!;
  assert.match(session, /; HttpOnly/);
  assert.match(session, /; SameSite=Lax/);
  assert.match(session, /; Path=\//);
  assert.doesNotMatch(session, /Secure/, 'plain http, no https public URL');
  const value = /^tg_session=([^;]+)/.exec(session)![1]!;
  const rows = await tg.gw.store.db.selectFrom('sessions').select('id').execute();
  assert.ok(
    rows.every((x) => x.id !== value),
    'the cookie value is not stored',
  );
  void b;
  // With an https public URL, cookies are Secure.
  const g = await startTestGateway({ env: { TOLLGATE_PUBLIC_URL: 'https://console.example.com' } });
  try {
    const r2 = await fetch(`${g.url}/account/v1/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 's@example.com', password: 'long enough pw', org_name: 'S' }),
    });
    assert.ok(r2.headers.getSetCookie().every((c) => /; Secure/.test(c)));
  } finally {
    await g.close();
  }
});

test('CSRF: a state-changing request with the cookie needs x-csrf-token and our Origin', async () => {
  const { b, orgId } = await signUp('csrf@example.com');
  const attempts: Array<[string, { csrf?: boolean; headers?: Record<string, string> }]> = [
    ['no token', { csrf: false }],
    ['wrong token', { csrf: false, headers: { 'x-csrf-token': 'A'.repeat(43) } }],
    ['foreign origin', { headers: { origin: 'https://evil.example' } }],
    ['null origin', { headers: { origin: 'null' } }],
  ];
  for (const [what, o] of attempts) {
    for (const p of [`/admin/v1/orgs/${orgId}/keys`, `/admin/v1/orgs/${orgId}/workspaces`, '/account/v1/logout-all', '/account/v1/orgs']) {
      const r = await b.post(p, { name: 'x' }, o);
      assert.equal(r.status, 403, `${what} ${p}: ${JSON.stringify(r.json)}`);
      assert.equal(r.json.error.code, 'csrf_failed');
    }
  }
  // Another session's token does not fit this session.
  const other = await signUp('csrf2@example.com');
  const r = await b.post(`/admin/v1/orgs/${orgId}/keys`, { name: 'x' }, { csrf: false, headers: { 'x-csrf-token': other.b.csrf! } });
  assert.equal(r.status, 403);
  assert.equal((await tg.gw.store.db.selectFrom('api_keys').select('id').where('org_id', '=', orgId).execute()).length, 0, 'nothing was created');
  // Reads need no token; with it, writes pass.
  assert.equal((await b.get(`/admin/v1/orgs/${orgId}/keys`)).status, 200);
  assert.equal((await b.post(`/admin/v1/orgs/${orgId}/keys`, { name: 'ok' })).status, 201);
});

test('login is throttled per account and per address, with retry-after', async () => {
  // Its own gateway: the address bucket it empties is shared by every test on 127.0.0.1.
  const g = await startTestGateway();
  try {
    const b = new Browser(g.url);
    assert.equal((await b.post('/account/v1/signup', { email: 'throttle@example.com', password: 'the right password', org_name: 'T' })).status, 201);
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await b.post('/account/v1/login', { email: 'throttle@example.com', password: `wrong ${i}` })).status);
    assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429]);
    const r = await b.post('/account/v1/login', { email: 'throttle@example.com', password: 'the right password' });
    assert.equal(r.status, 429, 'even the right password waits: the account is locked for now');
    assert.equal(r.json.error.code, 'rate_limited');
    assert.ok(Number(r.headers.get('retry-after')) >= 1);
    // Unknown addresses are throttled too, and answer like wrong passwords.
    const u = await b.post('/account/v1/login', { email: 'nobody@example.com', password: 'whatever' });
    assert.equal(u.status, 401);
    assert.equal(u.json.error.code, 'invalid_credentials');
    // Per address: many accounts from one address.
    let last = 0;
    for (let i = 0; i < 25 && last !== 429; i++) last = (await b.post('/account/v1/login', { email: `spray${i}@example.com`, password: 'guess' })).status;
    assert.equal(last, 429, 'the address runs out of attempts');
  } finally {
    await g.close();
  }
});

test('a new session id at every login; logout revokes; logout everywhere revokes all', async () => {
  const { b } = await signUp('rotate@example.com', 'R', 'rotate password');
  const before = b.cookies.get('tg_session');
  const li = await b.post('/account/v1/login', { email: 'rotate@example.com', password: 'rotate password' });
  assert.equal(li.status, 200);
  const afterLogin = b.cookies.get('tg_session');
  assert.ok(afterLogin && afterLogin !== before, 'rotated at login');
  // A fixed (attacker-chosen) cookie is never adopted: login always issues a new one.
  const fixed = new Browser(tg.url);
  fixed.cookies.set('tg_session', 'attacker-chosen-value');
  await fixed.post('/account/v1/login', { email: 'rotate@example.com', password: 'rotate password' });
  assert.notEqual(fixed.cookies.get('tg_session'), 'attacker-chosen-value');

  const other = new Browser(tg.url);
  assert.equal((await other.post('/account/v1/login', { email: 'rotate@example.com', password: 'rotate password' })).status, 200);
  const list = await b.get('/account/v1/sessions');
  assert.ok(list.json.sessions.length >= 3);
  assert.equal(list.json.sessions.filter((s: any) => s.current).length, 1);

  // Logout: this browser's session is gone server-side (a stolen copy of the cookie is dead too).
  const stolen = b.cookies.get('tg_session')!;
  assert.equal((await b.post('/account/v1/logout')).status, 204);
  const thief = new Browser(tg.url);
  thief.cookies.set('tg_session', stolen);
  assert.equal((await thief.get('/account/v1/session')).status, 401);
  assert.equal((await thief.get('/admin/v1/whoami')).status, 401);
  assert.equal((await other.get('/account/v1/session')).status, 200, 'other sessions live on');

  // Log out everywhere.
  const r = await other.post('/account/v1/logout-all');
  assert.equal(r.status, 200);
  assert.ok(r.json.revoked >= 2);
  assert.equal((await other.get('/account/v1/session')).status, 401);
  assert.equal((await fixed.get('/account/v1/session')).status, 401);
});

test('password reset by mail: single use, short-lived, revokes every session; no account enumeration', async () => {
  const { b } = await signUp('reset@example.com', 'Reset', 'old password!');
  const anon = new Browser(tg.url);
  const unknown = await anon.post('/account/v1/password/forgot', { email: 'ghost@example.com' });
  const known = await anon.post('/account/v1/password/forgot', { email: 'reset@example.com' });
  assert.deepEqual([unknown.status, known.status], [202, 202]);
  assert.deepEqual(unknown.json, known.json);
  const { link, token } = await waitForMail(smtp.mails, 'reset@example.com', /Reset your/);
  assert.ok(link.startsWith(`${tg.url}/console/#/reset?token=`));
  assert.equal((await anon.post('/account/v1/password/reset', { token, password: 'short' })).status, 400);
  assert.equal((await anon.post('/account/v1/password/reset', { token, password: 'brand new password' })).status, 200);
  assert.equal((await anon.post('/account/v1/password/reset', { token, password: 'another password' })).status, 400, 'single use');
  assert.equal((await b.get('/account/v1/session')).status, 401, 'sessions revoked');
  assert.equal((await anon.post('/account/v1/login', { email: 'reset@example.com', password: 'old password!' })).status, 401);
  assert.equal((await anon.post('/account/v1/login', { email: 'reset@example.com', password: 'brand new password' })).status, 200);
  // A verification token is not a reset token.
  await anon.post('/account/v1/password/forgot', { email: 'reset@example.com' });
  const v = await waitForMail(smtp.mails, 'reset@example.com', /Reset your/);
  assert.equal((await anon.post('/account/v1/verify', { token: v.token })).status, 400);
});

test('the operator signs in with the admin token, or as a user marked operator', async () => {
  const op = new Browser(tg.url);
  assert.equal((await op.post('/account/v1/login', { admin_token: 'wrong-token-0123456789' })).status, 401);
  const r = await op.post('/account/v1/login', { admin_token: ADMIN });
  assert.equal(r.status, 200);
  assert.equal(r.json.operator, true);
  assert.equal(r.json.role, 'operator');
  assert.equal((await op.get('/admin/v1/orgs')).status, 200);
  assert.equal((await op.get('/admin/v1/operator/signups')).status, 200);

  const { b } = await signUp('staff@example.com', 'Staff');
  assert.equal((await b.get('/admin/v1/orgs')).status, 403, 'a plain user is not the operator');
  const a = accountsOf(tg.gw.rt);
  const u = (await a.users.byEmail('staff@example.com'))!;
  await a.users.setOperator(u.id, true, { kind: 'system', id: 'test' });
  assert.equal((await b.get('/admin/v1/orgs')).status, 200);
  const who = await b.get('/admin/v1/whoami');
  assert.equal(who.json.kind, 'operator');
});

test('tenant isolation: a user of org A cannot see or touch org B', async () => {
  const A = await signUp('tenant-a@example.com', 'Org A');
  const B = await signUp('tenant-b@example.com', 'Org B');
  for (const p of ['', '/keys', '/usage', '/logs', '/members', '/invitations', '/workspaces', '/limits', '/credits', '/audit', '/rate-limits', '/models']) {
    const r = await A.b.get(`/admin/v1/orgs/${B.orgId}${p}`);
    assert.equal(r.status, 403, `GET orgs/B${p}`);
    assert.ok(!JSON.stringify(r.json).includes('Org B'));
  }
  assert.equal((await A.b.post(`/admin/v1/orgs/${B.orgId}/keys`, { name: 'x' })).status, 403);
  assert.equal((await A.b.post(`/admin/v1/orgs/${B.orgId}/invitations`, { email: 'spy@example.com', role: 'owner' })).status, 403);
  assert.equal((await A.b.post('/account/v1/switch-org', { org_id: B.orgId })).status, 403);
  // B's key cannot be revoked by A.
  const k = await B.b.post(`/admin/v1/orgs/${B.orgId}/keys`, { name: 'b key' });
  assert.equal((await A.b.post(`/admin/v1/keys/${k.json.id}/revoke`)).status, 403);
  // A second org of A's own: A switches to it, and B's stays out of reach.
  const second = await A.b.post('/account/v1/orgs', { name: 'Org A2' });
  assert.equal(second.status, 201);
  const sw = await A.b.post('/account/v1/switch-org', { org_id: second.json.org_id });
  assert.equal(sw.status, 200);
  assert.equal(sw.json.current_org_id, second.json.org_id);
  assert.equal(sw.json.orgs.length, 2);
  assert.equal((await A.b.get(`/admin/v1/orgs/${A.orgId}`)).status, 403, 'the session works in its current org only');
  assert.equal((await A.b.get(`/admin/v1/orgs/${second.json.org_id}`)).status, 200);
});
