/**
 * The web console in a real browser: headless Chromium (the Debian `chromium` package, found with
 * `which chromium`; the test FAILS when it is missing) driven by playwright-core against a running
 * gateway. After real, metered traffic on three days of one month, an org key signs in and sees
 * one SVG bar per day with spend, the per-model table with the CLI's exact cost strings, creates
 * a key in the Keys tab, and sets a limit in the Limits tab. A screenshot goes to /tmp/console.png.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { ManualClock } from '../../src/core/clock.ts';
import { startFakeUpstream, type FakeUpstream } from '../support/fake-upstream.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';

const ADMIN_TOKEN = 'console-browser-admin-token-0123456789';
const DAY = 86_400_000;

function chromiumPath(): string {
  try {
    return execFileSync('which', ['chromium'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('Chromium is not installed: `which chromium` found nothing (apt-get install -y chromium)');
  }
}

const clock = new ManualClock(Date.UTC(2026, 2, 3, 9, 0, 0));
let fake: FakeUpstream;
let tg: TestGateway;
let ctx: BrowserContext;
let page: Page;
let profile: string;
let customer: Awaited<ReturnType<TestGateway['customer']>>;
const pageErrors: string[] = [];

before(async () => {
  const executablePath = chromiumPath();
  fake = await startFakeUpstream();
  tg = await startTestGateway({ upstreamUrl: fake.url, clock, env: { TOLLGATE_ADMIN_TOKEN: ADMIN_TOKEN } });
  customer = await tg.customer({ name: 'Acme <img src=x onerror=alert(1)>', credits: '50' });
  const claude = new Anthropic({ baseURL: tg.url, apiKey: customer.key, maxRetries: 0 });
  const call = async (model: string, input: number, output: number) => {
    fake.script({ kind: 'usage', usage: { input_tokens: input, output_tokens: output } as any });
    await claude.messages.create({ model, max_tokens: 400, messages: [{ role: 'user', content: 'Hello' }] });
  };
  // Three days with spend in March 2026: the 3rd, the 7th and the 12th.
  await call('claude-sonnet-4-5', 1000, 200);
  await call('claude-haiku-4-5', 5000, 300);
  clock.advance(4 * DAY);
  await call('claude-sonnet-4-5', 2500, 120);
  clock.advance(5 * DAY);
  await call('claude-haiku-4-5', 800, 90);
  // Billing detail: an upstream reporting impossible output (billed at max_tokens, an anomaly), and
  // cache writes split by TTL plus a web search.
  await call('claude-haiku-4-5', 10, 1e15);
  fake.script({
    kind: 'usage',
    usage: {
      input_tokens: 100,
      output_tokens: 50,
      cache_creation: { ephemeral_5m_input_tokens: 200, ephemeral_1h_input_tokens: 300 },
      server_tool_use: { web_search_requests: 1 },
    } as any,
  });
  await claude.messages.create({ model: 'claude-haiku-4-5', max_tokens: 400, messages: [{ role: 'user', content: 'Tell me about toll roads. '.repeat(100) }] });
  await tg.gw.refresh();

  profile = mkdtempSync(join(tmpdir(), 'tollgate-chromium-'));
  ctx = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  page = ctx.pages()[0] ?? (await ctx.newPage());
  // Only the gateway: any other host is a test failure.
  await ctx.route('**/*', (route) => (new URL(route.request().url()).host === new URL(tg.url).host ? route.continue() : route.abort()));
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') pageErrors.push(m.text());
  });
});

after(async () => {
  await ctx?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
  await tg?.close();
  await fake?.close();
});

test('sign in with an org key: usage chart, exact per-model costs, a new key, a limit', async () => {
  await page.goto(`${tg.url}/console#/key`);
  await page.fill('#credential', customer.adminKey);
  await page.click('#sign-in-form button[type=submit]');

  // Usage: one bar per day with spend, the CLI's exact cost per model.
  const bars = page.locator('[data-testid=daily-chart] svg rect.bar');
  await bars.first().waitFor();
  const api: any = await (
    await fetch(`${tg.url}/admin/v1/orgs/${customer.orgId}/usage?since=2026-03-01&until=2026-04-01&group=day`, { headers: { 'x-api-key': customer.adminKey } })
  ).json();
  const daysWithSpend = api.by_day.filter((d: any) => Number(d.cost_usd) > 0).length;
  assert.equal(daysWithSpend, 3);
  assert.equal(await bars.count(), daysWithSpend);
  assert.deepEqual(await bars.evaluateAll((els) => els.map((e) => e.getAttribute('data-day'))), ['2026-03-03', '2026-03-07', '2026-03-12']);

  const cli = await tg.cli('usage', '--org', customer.orgId);
  assert.equal(cli.by_model.length, 2);
  for (const m of cli.by_model) {
    const row = page.locator('[data-testid=usage-by-model] tbody tr', { hasText: m.model });
    assert.equal(await row.count(), 1, `one row for ${m.model}`);
    assert.equal((await row.locator('td.money').textContent())?.trim(), `$${m.cost_usd}`);
  }
  assert.equal((await page.locator('[data-testid=usage-by-model] tfoot td.money').textContent())?.trim(), `$${cli.cost_usd}`);
  // Billing detail: the 5m/1h split, server tools and anomalies, as the CLI reports them.
  const haiku = cli.by_model.find((m: any) => m.model.startsWith('claude-haiku'));
  assert.equal(haiku.anomaly_requests, 1);
  assert.equal(cli.anomaly_requests, 1);
  const detail = page.locator('[data-testid=usage-billing-detail]');
  const cells = await detail.locator('tbody tr', { hasText: haiku.model }).locator('td').allTextContents();
  assert.deepEqual(
    cells.map((t) => t.trim()),
    [haiku.model, '200', '300', '1', '0', '0', '—', `1 · $${haiku.anomaly_cost_usd}`, '—'],
  );
  assert.equal((await detail.locator('tfoot td').nth(7).textContent())?.trim(), `1 · $${cli.anomaly_cost_usd}`);
  const panel = page.locator('section.panel', { has: detail });
  await panel.scrollIntoViewIfNeeded();
  await panel.screenshot({ path: 'docs/images/console-usage-detail.png' });

  // The org name is shown as text, never parsed as markup.
  assert.equal((await page.locator('.who .org-name').textContent())?.trim(), 'Acme <img src=x onerror=alert(1)>');
  assert.equal(await page.locator('.who img').count(), 0);
  // The credential lives in sessionStorage only.
  assert.equal(await page.evaluate('sessionStorage.getItem("tollgate.credential")'), customer.adminKey);
  assert.equal(await page.evaluate('localStorage.length'), 0);

  await page.screenshot({ path: '/tmp/console.png', fullPage: true });

  // Keys: create one; the secret is shown once and works; the list shows it.
  await page.click('nav.tabs a[data-tab=keys]');
  await page.fill('[data-testid=create-key] input[name=name]', 'ci-bot');
  await page.click('[data-testid=create-key] button[type=submit]');
  const secret = (await page.locator('[data-testid=new-secret]').textContent())!.trim();
  assert.match(secret, /^sk-tg-[A-Za-z0-9]{48}$/);
  await page.locator('[data-testid=keys-table] tbody tr', { hasText: 'ci-bot' }).waitFor();
  const claude = new Anthropic({ baseURL: tg.url, apiKey: secret, maxRetries: 0 });
  fake.script({ kind: 'usage', usage: { input_tokens: 5, output_tokens: 5 } as any });
  await claude.messages.create({ model: 'claude-haiku-4-5', max_tokens: 10, messages: [{ role: 'user', content: 'Hi' }] });
  const keys = await tg.cli('key', 'list', '--org', customer.orgId);
  assert.ok(keys.some((k: any) => k.name === 'ci-bot' && k.status === 'active'));

  // Limits: cap the org at $25 with alerts at 50 and 80 %.
  await page.click('nav.tabs a[data-tab=limits]');
  await page.locator('[data-testid=limits-table] button[aria-label^="Edit Organization"]').click();
  await page.fill('[data-testid=limit-editor] input[name=monthly]', '25');
  await page.fill('[data-testid=limit-editor] input[name=notify]', '50, 80');
  await page.click('[data-testid=limit-editor] button[type=submit]');
  const orgRow = page.locator('[data-testid=limits-table] tbody tr').first();
  await orgRow.locator('td.money', { hasText: '$25' }).waitFor();
  assert.equal(await orgRow.locator('[role=progressbar]').count(), 1);
  const shown = await tg.cli('limits', 'show', '--org', customer.orgId);
  const org = shown.limits.find((l: any) => l.scope === 'org');
  assert.equal(org.monthly_usd, '25');
  assert.equal(org.org_limit_usd, '25', "an admin key sets the organization's own limit");
  assert.deepEqual(org.notify, [50, 80]);

  // Billing: the balance the CLI computes, and the ledger's usage debits.
  await page.click('nav.tabs a[data-tab=billing]');
  await page.locator('[data-testid=ledger-table]').waitFor();
  const bal = await tg.cli('credits', 'balance', '--org', customer.orgId);
  assert.equal(await page.locator('.stat').first().getAttribute('title'), `$${bal.balance_usd}`);
  assert.equal(await page.locator('[data-testid=ledger-table] tbody tr', { hasText: 'usage' }).count(), 3);

  // Audit log: the key and the limit just made, by this admin key, with what changed.
  await page.click('nav.tabs a[data-tab=audit]');
  const created = page.locator('[data-testid=audit-table] tbody tr[data-action="key.create"]', { hasText: 'ci-bot' });
  await created.waitFor();
  assert.match((await created.textContent())!, new RegExp(`admin key\\s*${customer.adminKeyId}`));
  const limit = page.locator('[data-testid=audit-table] tbody tr[data-action="limit.set"]').first();
  assert.match((await limit.textContent())!, /org_limit_usd\s*25/);
  await page.screenshot({ path: '/tmp/console-audit.png', fullPage: true });
});

test('a wrong credential is refused at sign-in; the admin token gets the org picker', async () => {
  await page.evaluate('sessionStorage.clear()');
  await page.goto('about:blank');
  await page.goto(`${tg.url}/console#/key`);
  await page.fill('#credential', 'sk-tg-not-a-real-key');
  await page.click('#sign-in-form button[type=submit]');
  await page.locator('#sign-in-error', { hasText: 'not accepted' }).waitFor();
  assert.equal(await page.evaluate('sessionStorage.getItem("tollgate.credential")'), null);

  await page.fill('#credential', ADMIN_TOKEN);
  await page.click('#sign-in-form button[type=submit]');
  await page.locator('#org-picker').waitFor();
  const options = await page.locator('#org-picker option').allTextContents();
  assert.ok(options.some((o) => o.includes(customer.orgId)));
  await page.locator('[data-testid=daily-chart] svg rect.bar').first().waitFor();
  assert.equal(await page.locator('[data-testid=daily-chart] svg rect.bar').count(), 3);
});

test('no script errors in the page', () => {
  // The refused sign-in logs its 401 as a failed resource load; anything else is a bug.
  assert.deepEqual(
    pageErrors.filter((m) => !/status of 401/.test(m)),
    [],
  );
});
