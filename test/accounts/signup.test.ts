/**
 * The customer journey's first steps against a running gateway and a real SMTP server: sign up,
 * read the verification mail, follow the link, log in, create a key, call the API with the
 * official SDK and find the request in the logs with its exact cost. And the attacks on the
 * link: replayed, expired, tampered and wrong-kind tokens are refused; free credits come with
 * verification, once per address; the sign-up modes.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import { smtpSink } from '../alerts/support.ts';
import { startFakeUpstream, type FakeUpstream } from '../support/fake-upstream.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { Browser, waitForMail } from './support.ts';

let smtp: Awaited<ReturnType<typeof smtpSink>>;
let fake: FakeUpstream;
let tg: TestGateway;
let skew = 0;
const clock = { now: () => Date.now() + skew };

before(async () => {
  smtp = await smtpSink();
  fake = await startFakeUpstream();
  tg = await startTestGateway({ upstreamUrl: fake.url, clock, env: { SMTP_URL: smtp.url, TOLLGATE_FREE_CREDITS_USD: '5', TOLLGATE_FREE_CREDITS_DAYS: '30' } });
});
after(async () => {
  await tg?.close();
  await fake?.close();
  await smtp?.close();
});

const path = (link: string) => link.replace(/^https?:\/\/[^/]+/, '');
const balance = async (orgId: string) => (await tg.ledger.balance(orgId)).balance;

test('sign up, verify by mail, log in, create a key, call the API with the SDK, find it in the logs', async () => {
  const b = new Browser(tg.url);
  const su = await b.post('/account/v1/signup', { email: 'Alice@Example.com', password: 'correct horse battery', org_name: 'Alice Labs' });
  assert.equal(su.status, 201, JSON.stringify(su.json));
  assert.equal(su.json.user.verified, false);
  assert.equal(su.json.role, 'owner');
  assert.equal(su.json.verification_sent, true);
  const orgId = su.json.current_org_id;
  assert.equal(await balance(orgId), 0n, 'no free credits before verification');

  // Unverified: no keys.
  const early = await b.post(`/admin/v1/orgs/${orgId}/keys`, { name: 'too early' });
  assert.equal(early.status, 403);
  assert.equal(early.json.error.code, 'email_not_verified');

  const { link, mail } = await waitForMail(smtp.mails, 'alice@example.com', /Verify your email/);
  assert.ok(link.startsWith(`${tg.url}/account/v1/verify?token=`), link);
  assert.ok(!mail.raw.includes('correct horse'), 'the password is never mailed');
  const v = await new Browser(tg.url).get(path(link));
  assert.equal(v.status, 303);
  assert.equal(v.headers.get('location'), '/console/#/verified');
  assert.equal(await balance(orgId), 5_000_000_000_000n, 'free credits granted on verification');

  // A fresh login (another browser).
  const b2 = new Browser(tg.url);
  const li = await b2.post('/account/v1/login', { email: 'alice@example.com', password: 'correct horse battery' });
  assert.equal(li.status, 200, JSON.stringify(li.json));
  assert.equal(li.json.user.verified, true);
  const key = await b2.post(`/admin/v1/orgs/${orgId}/keys`, { name: 'first key' });
  assert.equal(key.status, 201, JSON.stringify(key.json));

  const client = new Anthropic({ baseURL: tg.url, apiKey: key.json.key, maxRetries: 0 });
  fake.script({ kind: 'usage', usage: { input_tokens: 1000, output_tokens: 200 } as any });
  const msg = await client.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 300, messages: [{ role: 'user', content: 'Hello' }] });
  assert.equal(msg.usage.input_tokens, 1000);
  await tg.gw.rt.usage.flush();

  const logs = await b2.get(`/admin/v1/orgs/${orgId}/logs`);
  assert.equal(logs.status, 200);
  assert.equal(logs.json.data.length, 1);
  const e = logs.json.data[0];
  assert.equal(e.key_id, key.json.id);
  assert.equal(e.status, 200);
  assert.deepEqual([e.tokens.input, e.tokens.output], ['1000', '200']);
  // Sonnet 4.5 list: $3 / MTok in, $15 / MTok out → 0.003 + 0.003.
  assert.equal(e.cost_usd, '0.006');
  assert.equal(e.estimated, false);
});

test('verification links: replayed, expired, tampered and wrong-kind tokens are refused', async () => {
  const b = new Browser(tg.url);
  assert.equal((await b.post('/account/v1/signup', { email: 'bob@example.com', password: 'pw-bob-123456', org_name: 'Bob Co' })).status, 201);
  const { token } = await waitForMail(smtp.mails, 'bob@example.com', /Verify/);
  const [kind, id, exp, mac] = token.split('.');
  const tampered = [
    `${kind}.${id}.${Number(exp) + 86_400_000}.${mac}`, // a later expiry
    `${kind}.${id!.slice(0, -1)}${id!.endsWith('a') ? 'b' : 'a'}.${exp}.${mac}`, // another id
    `reset.${id}.${exp}.${mac}`, // another kind
    `${token}x`,
    'garbage',
    '',
  ];
  for (const t of tampered) {
    const r = await b.post('/account/v1/verify', { token: t });
    assert.equal(r.status, 400, `${t}: ${JSON.stringify(r.json)}`);
    assert.ok(['invalid_token', 'invalid_request'].includes(r.json.error.code));
  }
  // Expired: 24 h later the real token no longer works…
  skew = 24 * 3600_000 + 1000;
  try {
    const r = await b.post('/account/v1/verify', { token });
    assert.equal(r.status, 400);
    assert.equal(r.json.error.code, 'invalid_token');
  } finally {
    skew = 0;
  }
  // …but within its day it works exactly once.
  const ok = await b.post('/account/v1/verify', { token });
  assert.equal(ok.status, 200, JSON.stringify(ok.json));
  assert.equal(ok.json.credits_granted_usd, '5');
  const again = await b.post('/account/v1/verify', { token });
  assert.equal(again.status, 400);
  assert.equal(again.json.error.code, 'invalid_token');
  const viaLink = await b.get(`/account/v1/verify?token=${encodeURIComponent(token)}`);
  assert.equal(viaLink.headers.get('location'), '/console/#/verify-failed');
});

test('one account and one free grant per address: case, +tags and Gmail dots normalise', async () => {
  const b = new Browser(tg.url);
  assert.equal((await b.post('/account/v1/signup', { email: 'carol.smith@gmail.com', password: 'pw-carol-123', org_name: 'Carol' })).status, 201);
  for (const variant of ['CarolSmith@gmail.com', 'carol.smith+promo@googlemail.com', 'c.a.r.o.l.smith@GMAIL.com']) {
    const r = await new Browser(tg.url).post('/account/v1/signup', { email: variant, password: 'pw-carol-456', org_name: 'Carol again' });
    assert.equal(r.status, 409, variant);
    assert.equal(r.json.error.code, 'email_taken');
  }
  // A second verification mail for the same address grants nothing more.
  const first = await waitForMail(smtp.mails, 'carol.smith@gmail.com', /Verify/);
  const resend = await b.post('/account/v1/verify/resend');
  assert.equal(resend.status, 429, 'at most one verification mail a minute');
  assert.equal(resend.headers.get('retry-after'), '60');
  skew = 61_000;
  try {
    assert.equal((await b.post('/account/v1/verify/resend')).status, 202);
  } finally {
    skew = 0;
  }
  await new Promise((r) => setTimeout(r, 200));
  const links = smtp.mails.filter((m) => m.to.includes('carol.smith@gmail.com'));
  assert.equal(links.length, 2);
  assert.equal((await b.post('/account/v1/verify', { token: first.token })).json.credits_granted_usd, '5');
  const second = await waitForMail(smtp.mails, 'carol.smith@gmail.com', /Verify/);
  assert.notEqual(second.token, first.token);
  assert.equal((await b.post('/account/v1/verify', { token: second.token })).json.credits_granted_usd, '0');
  const orgId = b.cookies.size && (await b.get('/account/v1/session')).json.current_org_id;
  assert.equal(await balance(orgId), 5_000_000_000_000n);
  assert.equal((await b.post('/account/v1/verify/resend')).status, 200, 'already verified: nothing sent');
});

test('bad sign-up input is a clear 400 naming the field; a foreign Origin is refused', async () => {
  const b = new Browser(tg.url);
  const cases: Array<[unknown, RegExp]> = [
    [{ email: 'not-an-email', password: 'long enough pw', org_name: 'X' }, /email/],
    [{ email: 'd@example.com', password: 'short', org_name: 'X' }, /password/],
    [{ email: 'd@example.com', password: 'long enough pw' }, /org_name/],
    [{ email: 'd@example.com', password: 'long enough pw', org_name: 'X', admin: true }, /admin/],
    [{ email: 'd@example.com', password: 'x'.repeat(201), org_name: 'X' }, /password/],
  ];
  for (const [body, field] of cases) {
    const r = await b.post('/account/v1/signup', body);
    assert.equal(r.status, 400, JSON.stringify(body));
    assert.match(r.json.error.message, field);
  }
  const evil = await b.post(
    '/account/v1/signup',
    { email: 'e@example.com', password: 'long enough pw', org_name: 'X' },
    { headers: { origin: 'https://evil.example' } },
  );
  assert.equal(evil.status, 403);
  assert.equal(evil.json.error.code, 'csrf_failed');
});

test('sign-up modes: invite-only needs an invitation, closed refuses everyone', async () => {
  for (const [mode, code] of [
    ['invite', 'invitation_required'],
    ['closed', 'signup_closed'],
  ] as const) {
    const g = await startTestGateway({ upstreamUrl: fake.url, env: { SMTP_URL: smtp.url, TOLLGATE_SIGNUP: mode } });
    try {
      const r = await new Browser(g.url).post('/account/v1/signup', { email: `m-${mode}@example.com`, password: 'long enough pw', org_name: 'X' });
      assert.equal(r.status, 403, mode);
      assert.equal(r.json.error.code, code);
    } finally {
      await g.close();
    }
  }
});
