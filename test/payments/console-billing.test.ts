/**
 * The console's Billing page in headless Chromium (playwright-core, Debian's chromium): an org
 * key sees its card on file and a pending billing-mode switch, buys credits (the page hands over to the Checkout URL the Stripe
 * fake returned), and downloads an invoice PDF; a screenshot goes to /tmp/console-billing.png.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { ManualClock } from '../../src/core/clock.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { deliver, startFakeStripe, stripeEnv, type FakeStripe } from '../support/fake-stripe.ts';
import { insertEvents } from '../support/usage-events.ts';

const clock = new ManualClock(Date.UTC(2026, 1, 20, 12));
let fake: FakeStripe;
let tg: TestGateway;
let ctx: BrowserContext;
let page: Page;
let profile: string;

before(async () => {
  const executablePath = execFileSync('which', ['chromium'], { encoding: 'utf8' }).trim();
  fake = await startFakeStripe();
  tg = await startTestGateway({ clock, env: { ...stripeEnv(fake), TOLLGATE_AUTO_CLOSE_AFTER_MIN: '0' } });
  profile = mkdtempSync(join(tmpdir(), 'tollgate-chromium-'));
  ctx = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    viewport: { width: 1280, height: 1000 },
    acceptDownloads: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = ctx.pages()[0] ?? (await ctx.newPage());
  const allowed = new Set([new URL(tg.url).host, new URL(fake.url).host]);
  await ctx.route('**/*', (route) => (allowed.has(new URL(route.request().url()).host) ? route.continue() : route.abort()));
});
after(async () => {
  await ctx?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
  await tg?.close();
  await fake?.close();
});

test('Billing: card on file, Buy credits → Checkout, invoices to download', async () => {
  const c = await tg.customer({ name: 'Console Co', credits: '0' });
  const s = await tg.gw.billing.stripe!.setupCheckout({ id: c.orgId, name: 'Console Co' });
  for (const ev of fake.completeCheckout(s.id)) await deliver(tg.url, ev, { timestamp: Math.floor(clock.now() / 1000) });
  // A card-billing month with usage, closed into a statement.
  await tg.accounts.updateOrg(c.orgId, { billingMode: 'card' });
  await insertEvents(tg, c.orgId, 200, (i) => Date.UTC(2026, 1, 1) + i * 3_600_000, { workspaces: [c.workspaceId], keyId: c.keyId, seed: 5, discounted: '' });
  clock.set(Date.UTC(2026, 2, 1, 2));
  const [closed] = await tg.gw.billing.closeMonth('2026-02', c.orgId);
  const number = closed!.invoice!.number;
  await tg.accounts.updateOrg(c.orgId, { billingMode: 'prepaid' }); // back to credits: Buy credits shows
  await tg.gw.billing.modes.request(c.orgId, 'invoice'); // pending until 1 April
  await tg.gw.refresh();

  await page.goto(`${tg.url}/console#/key`);
  await page.fill('#credential', c.adminKey);
  await page.click('#sign-in-form button[type=submit]');
  await page.locator('nav a', { hasText: 'Billing' }).click();
  await page.locator('[data-testid=invoices-table]').waitFor();
  assert.match((await page.locator('[data-testid=card-on-file]').textContent())!, /visa •••• 4242 \(expires 12\/2030\)/);
  const row = page.locator('[data-testid=invoices-table] tbody tr', { hasText: number });
  assert.equal(await row.count(), 1);
  assert.match((await row.textContent())!, /paid/);
  assert.equal(await page.getByText(/Billing switches from prepaid to invoice on .*2026/).count(), 1, 'the pending switch is shown');
  await page.screenshot({ path: '/tmp/console-billing.png', fullPage: true });

  const [download] = await Promise.all([page.waitForEvent('download'), row.locator('button', { hasText: 'PDF' }).click()]);
  assert.equal(download.suggestedFilename(), `${number}.pdf`);
  assert.equal(
    readFileSync((await download.path())!)
      .subarray(0, 5)
      .toString(),
    '%PDF-',
  );

  await page.fill('[data-testid=buy-credits] input[name=amount]', '25');
  await page.click('[data-testid=buy-credits] button[type=submit]');
  await page.waitForURL(/\/c\/pay\/cs_test_/);
  const sessionId = new URL(page.url()).pathname.split('/').at(-1)!;
  const session = fake.sessions.get(sessionId)!;
  assert.equal(session.amount_total, 2500);
  assert.equal(session.metadata.tollgate_org_id, c.orgId);
});
