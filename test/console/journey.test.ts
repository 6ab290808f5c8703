/**
 * The customer journey in a real browser (headless Chromium via playwright-core) on a running
 * gateway with a real SMTP server on localhost:
 *   sign up → the verification mail → follow its link → log out and log in → create an API key
 *   (refused until verified) → call the API with the official Anthropic SDK → find that request in
 *   Logs and in Usage with its exact cost → set a spend limit → invite a member, who signs up
 *   through the invitation link and sees only what the viewer role allows (no page answers 403)
 *   → the operator finds the org and grants credits.
 * Every page is saved to docs/images/console-*.png (1280 px wide, one at 375 px) for the README.
 * Runs on SQLite, and on PostgreSQL when DATABASE_URL is set.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { smtpSink, type Mail } from '../alerts/support.ts';
import { waitForMail } from '../accounts/support.ts';
import { startFakeUpstream, type FakeUpstream } from '../support/fake-upstream.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';

const ADMIN_TOKEN = 'console-journey-admin-token-0123456789';
const IMAGES = new URL('../../docs/images/', import.meta.url).pathname;
const OWNER = 'ada@example.com';
const MEMBER = 'grace@example.com';
const PASSWORD = 'correct horse battery staple';

function chromiumPath(): string {
  try {
    return execFileSync('which', ['chromium'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('Chromium is not installed: `which chromium` found nothing (apt-get install -y chromium)');
  }
}

let fake: FakeUpstream;
let smtp: { url: string; mails: Mail[]; close(): Promise<void> };
let tg: TestGateway;
let browser: Browser;
let profile: string;
const contexts: BrowserContext[] = [];
/** Per browser page: script errors, and every admin/account API response that was not 2xx. */
const problems = new Map<Page, { errors: string[]; refused: string[] }>();

async function open(width = 1280, height = 900): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width, height }, deviceScaleFactor: 1 });
  contexts.push(ctx);
  // Only the gateway: any other host is a test failure.
  await ctx.route('**/*', (route) => (new URL(route.request().url()).host === new URL(tg.url).host ? route.continue() : route.abort()));
  const page = await ctx.newPage();
  const p = { errors: [] as string[], refused: [] as string[] };
  problems.set(page, p);
  page.on('pageerror', (e) => p.errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) p.errors.push(m.text());
  });
  page.on('response', (r) => {
    const u = new URL(r.url());
    if (/^\/(admin|account)\/v1\//.test(u.pathname) && r.status() >= 400) p.refused.push(`${r.request().method()} ${u.pathname} ${r.status()}`);
  });
  return page;
}

async function shot(page: Page, name: string): Promise<void> {
  await page.waitForLoadState('networkidle');
  await page.evaluate(() => document.fonts.ready);
  await page.screenshot({ path: join(IMAGES, `console-${name}.png`), fullPage: true, animations: 'disabled' });
}

const nav = (page: Page, tab: string) => page.click(`nav.tabs a[data-tab="${tab}"]`);
const navTabs = (page: Page) => page.locator('nav.tabs a').evaluateAll((els) => els.map((e) => e.getAttribute('data-tab')));

before(async () => {
  mkdirSync(IMAGES, { recursive: true });
  fake = await startFakeUpstream();
  smtp = await smtpSink();
  tg = await startTestGateway({
    upstreamUrl: fake.url,
    env: { TOLLGATE_ADMIN_TOKEN: ADMIN_TOKEN, TOLLGATE_FREE_CREDITS_USD: '5', SMTP_URL: smtp.url, SMTP_FROM: 'Tollgate <no-reply@tollgate.test>' },
  });
  profile = mkdtempSync(join(tmpdir(), 'tollgate-journey-'));
  browser = await chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--font-render-hinting=none',
    ],
  });
});

after(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
  await tg?.close();
  await smtp?.close();
  await fake?.close();
});

test('sign up, verify, log in, make a key, call the API, find the request with its exact cost, set a limit, invite a viewer', async () => {
  const page = await open();

  // --- Sign up -------------------------------------------------------------------------------
  await page.goto(`${tg.url}/console`);
  await page.locator('[data-testid=login]').waitFor();
  await shot(page, 'login');
  await page.click('text=Create an account');
  await page.getByLabel('Email').fill(OWNER);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByLabel('Organization name').fill('Analytical Engines');
  await shot(page, 'signup');
  await page.getByLabel('Organization name').press('Enter'); // the form submits with Enter
  await page.locator('[data-testid=verify-banner]').waitFor();
  assert.match((await page.locator('.who').textContent())!, /ada@example\.com.*Owner/);

  // Not verified yet: the key is refused, with the server's reason on screen.
  await nav(page, 'keys');
  await page.getByLabel('Name').fill('too-early');
  await page.getByRole('button', { name: 'Create key' }).click();
  await page.locator('[data-testid=create-key] .notice.error', { hasText: /verif/i }).waitFor();

  // --- The verification mail, over real SMTP, and its link -------------------------------------
  const verify = await waitForMail(smtp.mails, OWNER, /Verify your email/);
  assert.ok(verify.link.startsWith(`${tg.url}/account/v1/verify?token=`), verify.link);
  await page.goto(verify.link);
  await page.locator('.notice.ok', { hasText: 'verified' }).waitFor();
  assert.equal(await page.locator('[data-testid=verify-banner]').count(), 0);
  await shot(page, 'verified');
  // A link works once.
  await page.goto(verify.link);
  await page.locator('.notice.error', { hasText: /invalid or has expired/ }).waitFor();

  // --- Log out, forgot-password screen, log in -----------------------------------------------------
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.locator('[data-testid=login]').waitFor();
  await page.click('text=Forgot your password?');
  await page.getByLabel('Email').fill(OWNER);
  await page.getByRole('button', { name: 'Send reset link' }).click();
  await page.locator('.notice.ok', { hasText: 'reset link' }).waitFor();
  await shot(page, 'reset');
  await waitForMail(smtp.mails, OWNER, /Reset your Tollgate password/);
  await page.click('text=Back to log in');
  await page.getByLabel('Email').fill(OWNER);
  await page.getByLabel('Password').fill('wrong password');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.locator('[data-testid=login-form] .notice.error').waitFor();
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByLabel('Password').press('Enter');
  await page.locator('nav.tabs a[data-tab=usage]').waitFor();
  const orgId = await page.evaluate(async () => (await (await fetch('/admin/v1/whoami', { credentials: 'same-origin' })).json()).org_id as string);
  assert.match(orgId, /^org_/);

  // --- Create a key: name, expiry, a monthly limit; the secret once, with a copy button ----------
  await nav(page, 'keys');
  await page.getByLabel('Name').fill('journey');
  await page.getByLabel('Expires').selectOption('90');
  await page.getByLabel('Monthly limit (USD)').fill('3');
  await page.getByRole('button', { name: 'Create key' }).click();
  const secret = (await page.locator('[data-testid=new-secret]').textContent())!.trim();
  assert.match(secret, /^sk-tg-[A-Za-z0-9]{48}$/);
  assert.equal(await page.getByRole('button', { name: 'Copy key' }).count(), 1);
  await page.locator('[data-testid=keys-table] tbody tr', { hasText: 'journey' }).waitFor();
  await shot(page, 'keys');

  // --- Call the API with the official SDK -------------------------------------------------------------
  // claude-haiku-4-5 lists at $1 input / $5 output per million tokens (src/pricing/catalog/anthropic.ts):
  // 1,234 × $1/M + 567 × $5/M = $0.001234 + $0.002835 = $0.004069, exactly.
  fake.script({ kind: 'usage', usage: { input_tokens: 1234, output_tokens: 567 } as any });
  const claude = new Anthropic({ baseURL: tg.url, apiKey: secret, maxRetries: 0 });
  const msg = await claude.messages.create({ model: 'claude-haiku-4-5', max_tokens: 600, messages: [{ role: 'user', content: 'Hello' }] });
  assert.equal(msg.usage.input_tokens, 1234);
  await tg.gw.refresh();
  const COST = '$0.004069';

  // --- Logs: the request, its tokens and its exact cost ---------------------------------------------
  await nav(page, 'logs');
  const row = page.locator('[data-testid=logs-table] tbody tr', { hasText: 'claude-haiku-4-5' });
  await row.waitFor();
  assert.equal(await row.count(), 1);
  assert.equal((await row.locator('td.money').textContent())?.trim(), COST);
  assert.match((await row.textContent())!, /journey.*1,234.*567/);
  await shot(page, 'logs');

  // --- Usage: the same cost, by model and by key, and filtered to the key -------------------------
  await nav(page, 'usage');
  const byModel = page.locator('[data-testid=usage-by-model] tbody tr', { hasText: 'claude-haiku-4-5' });
  await byModel.waitFor();
  assert.equal((await byModel.locator('td.money').textContent())?.trim(), COST);
  assert.equal((await page.locator('[data-testid=usage-by-key] tbody tr', { hasText: 'journey' }).locator('td.money').textContent())?.trim(), COST);
  await page.locator('[data-testid=tokens-chart] canvas').first().waitFor();
  const keyId = await page.locator('[data-testid=usage-filters] select[name=key] option', { hasText: 'journey' }).getAttribute('value');
  await page.getByLabel('API key').selectOption(keyId!);
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await page.locator('[data-testid=usage-by-key] tbody tr', { hasText: 'journey' }).waitFor();
  assert.equal(await page.locator('[data-testid=usage-by-key] tbody tr').count(), 1);
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export CSV' }).click();
  const csv = await (await download).path().then((p) => import('node:fs').then((fs) => fs.readFileSync(p!, 'utf8')));
  assert.match(csv, /^day,workspace_id,key,model,requests,/);
  assert.match(csv, /\r\ntotal,all,journey [^,]*,all,1,1234,567,0,0,0\.004069\r\n$/);
  await page.getByLabel('API key').selectOption('');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await page.locator('[data-testid=usage-by-key] tbody tr', { hasText: 'journey' }).waitFor();
  await shot(page, 'usage');

  // --- Spend limit: the org's own cap with alert thresholds ------------------------------------------
  await nav(page, 'limits');
  await page.locator('[data-testid=limits-table] button[aria-label^="Edit Organization"]').click();
  await page.fill('[data-testid=limit-editor] input[name=monthly]', '10');
  await page.fill('[data-testid=limit-editor] input[name=notify]', '50, 80');
  await page.click('[data-testid=limit-editor] button[type=submit]');
  await page.locator('[data-testid=limits-table] tbody tr').first().locator('td.money', { hasText: '$10' }).waitFor();
  const limits: any = await page.evaluate(async (o) => await (await fetch(`/admin/v1/orgs/${o}/limits`)).json(), orgId);
  assert.equal(limits.scopes.find((s: any) => s.scope === 'org').org_limit_usd, '10');
  assert.equal(limits.scopes.find((s: any) => s.scope === 'key').monthly_usd, '3', 'the key was created with its limit');
  await shot(page, 'limits');

  // --- The other pages, for the README ----------------------------------------------------------------
  for (const [tab, ready] of [
    ['rate-limits', '[data-testid=rate-limits-table]'],
    ['models', '[data-testid=models-table]'],
    ['billing', '[data-testid=ledger-table]'],
    ['workspaces', '[data-testid=workspaces-table]'],
    ['audit', '[data-testid=audit-table]'],
    ['account', '[data-testid=sessions-table]'],
  ] as const) {
    await nav(page, tab);
    await page.locator(ready).waitFor();
    // The $5 granted at verification, less the one request: exact.
    if (tab === 'billing') assert.equal(await page.locator('.stat').first().getAttribute('title'), '$4.995931');
    await shot(page, tab);
  }
  await nav(page, 'alerts');
  await page.getByLabel('Send to').fill('finance@example.com');
  await page.getByRole('button', { name: 'Add recipient' }).click();
  await page.locator('[data-testid=channels-table] tbody tr', { hasText: 'finance@example.com' }).waitFor();
  await page.locator('[data-testid=thresholds-table] tbody tr', { hasText: '50%, 80%' }).waitFor();
  await shot(page, 'alerts');

  // --- Invite a viewer ---------------------------------------------------------------------------------
  await nav(page, 'members');
  await page.getByLabel('Email').fill(MEMBER);
  await page.getByLabel('Role').selectOption('viewer');
  await page.getByRole('button', { name: 'Send invitation' }).click();
  await page.locator('[data-testid=invitations-table] tbody tr', { hasText: MEMBER }).waitFor();
  await shot(page, 'members');
  const invite = await waitForMail(smtp.mails, MEMBER, /invited to Analytical Engines/);
  assert.ok(invite.link.startsWith(`${tg.url}/console/#/invite?token=`), invite.link);

  // --- The member signs up through the invitation, in their own browser -------------------------------
  const guest = await open();
  await guest.goto(invite.link);
  await guest.locator('[data-testid=invite-summary]', { hasText: 'Analytical Engines' }).waitFor();
  assert.equal(await guest.getByLabel('Email').inputValue(), MEMBER);
  await guest.getByLabel('Password').fill('another long passphrase');
  await shot(guest, 'invite');
  await guest.getByRole('button', { name: 'Sign up and join' }).click();
  await guest.locator('nav.tabs a[data-tab=usage]').waitFor();
  await guest.locator('[data-testid=usage-by-model] tbody tr', { hasText: 'claude-haiku-4-5' }).waitFor();
  assert.match((await guest.locator('.who').textContent())!, /grace@example\.com.*Viewer/);
  // A viewer sees usage, logs, keys, models, limits — not billing, the audit log or the operator's view,
  // and no form that would change anything.
  const tabs = await navTabs(guest);
  for (const t of ['usage', 'logs', 'keys', 'models', 'limits', 'rate-limits', 'members']) assert.ok(tabs.includes(t), `viewer sees ${t}: ${tabs}`);
  for (const t of ['billing', 'audit', 'operator']) assert.ok(!tabs.includes(t), `viewer does not see ${t}: ${tabs}`);
  await nav(guest, 'keys');
  await guest.locator('[data-testid=keys-table]').waitFor();
  assert.equal(await guest.getByRole('button', { name: 'Create key' }).count(), 0);
  assert.equal(await guest.getByRole('button', { name: /^Revoke/ }).count(), 0);
  await nav(guest, 'members');
  await guest.locator('[data-testid=members-table] tbody tr', { hasText: OWNER }).waitFor();
  assert.equal(await guest.getByRole('button', { name: 'Send invitation' }).count(), 0);
  await nav(guest, 'limits');
  await guest.locator('[data-testid=limits-table]').waitFor();
  assert.equal(await guest.locator('[data-testid=limits-table] button').count(), 0);
  for (const t of tabs) {
    await nav(guest, t!);
    await guest.waitForLoadState('networkidle');
  }
  // And the server agrees: the viewer's session cannot make a key.
  const refused = await guest.evaluate(async (o) => {
    const csrf = /tg_csrf=([^;]+)/.exec(document.cookie)?.[1] ?? '';
    const r = await fetch(`/admin/v1/orgs/${o}/keys`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf-token': decodeURIComponent(csrf) },
      body: '{"name":"sneaky"}',
    });
    return r.status;
  }, orgId);
  assert.equal(refused, 403);
  const viewerRefusals = problems
    .get(guest)!
    .refused.filter((r) => !/POST \/admin\/v1\/orgs\/[^/]+\/keys 403/.test(r) && !/GET \/account\/v1\/session 401/.test(r));
  assert.deepEqual(viewerRefusals, [], 'no page the viewer is shown answers 4xx');

  // Phone width: the same console, readable at 375 px.
  const phone = await open(375, 740);
  await phone.context().addCookies(await guest.context().cookies());
  await phone.goto(`${tg.url}/console#/usage`);
  await phone.locator('[data-testid=usage-by-model] tbody tr').first().waitFor();
  const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  const wide = await phone.evaluate(() =>
    [...document.querySelectorAll('main *')]
      .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1 && !e.closest('.table-wrap'))
      .slice(0, 5)
      .map((e) => `${e.tagName.toLowerCase()}.${e.className}`)
      .join(', '),
  );
  assert.ok(overflow <= 0, `no sideways scrolling at 375 px (${overflow}px too wide: ${wide})`);
  await shot(phone, 'phone');

  // --- The operator: every org, searchable; grant credits ------------------------------------------
  const op = await open();
  await op.goto(`${tg.url}/console#/key`);
  await op.getByLabel('Admin key or admin token').fill(ADMIN_TOKEN);
  await op.getByRole('button', { name: 'Sign in' }).click();
  await nav(op, 'operator');
  await op.getByLabel('Search', { exact: true }).fill('ada@');
  await op.getByRole('button', { name: 'Search' }).click();
  const orgRow = op.locator('[data-testid=operator-orgs] tbody tr', { hasText: 'Analytical Engines' });
  await orgRow.waitFor();
  assert.equal(await op.locator('[data-testid=operator-orgs] tbody tr').count(), 1);
  await orgRow.getByRole('button', { name: 'Manage Analytical Engines' }).click();
  await op.locator('[data-testid=grant-credits]').getByLabel('Amount (USD)').fill('20');
  await op.locator('[data-testid=grant-credits]').getByLabel('Note').fill('welcome bonus');
  await op.getByRole('button', { name: 'Grant credits' }).click();
  await op.locator('.notice.ok', { hasText: 'Granted $20' }).waitFor();
  await op.locator('[data-testid=signups-table] tbody tr', { hasText: OWNER }).waitFor();
  await op.locator('[data-testid=upstreams-table] tbody tr', { hasText: 'anthropic' }).first().waitFor();
  await shot(op, 'operator');

  for (const [p, { errors }] of problems) assert.deepEqual(errors, [], `script errors on ${p.url()}`);
});
