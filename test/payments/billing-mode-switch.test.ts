/**
 * Switching billing mode (prepaid ↔ card ↔ invoice) with an injected clock: a switch asked for in
 * the middle of a month waits for the month boundary as a pending change (shown by `billing
 * show`, `org show` and the admin API), usage on either side of the boundary gets its own mode's
 * treatment; with `--now` the month is split at that instant. Across the boundaries, every usage
 * event is paid exactly once — by credits or on an invoice, never both, never neither.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/core/clock.ts';
import { picoToUsd } from '../../src/core/money.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { insertEvents } from '../support/usage-events.ts';

const ADMIN = 'mode-admin-token-0123456789abcdef';
const clock = new ManualClock(Date.UTC(2026, 4, 15, 12));
let tg: TestGateway;
before(async () => {
  tg = await startTestGateway({ clock, env: { TOLLGATE_ADMIN_TOKEN: ADMIN, TOLLGATE_AUTO_CLOSE_AFTER_MIN: '10' } });
});
after(async () => {
  await tg?.close();
});

let seed = 100;
/** `n` usage events at `at` (each), returns their total cost (pico-USD). */
const usageAt = (c: { orgId: string; workspaceId: string; keyId: string }, at: number, n = 20) =>
  insertEvents(tg, c.orgId, n, () => at, { workspaces: [c.workspaceId], keyId: c.keyId, seed: seed++, discounted: '' });
const invoiceOf = async (orgId: string, period: string) => (await tg.gw.billing.invoices.list(orgId)).find((i) => i.period === period && i.kind === 'invoice');

test('a switch asked for mid-month waits for the month boundary; it is visible as pending; usage either side of midnight gets its own treatment', async () => {
  const c = await tg.customer({ name: 'Later Co', credits: '100' });
  const r = await tg.gw.billing.modes.request(c.orgId, 'card');
  assert.equal(r.billing_mode, 'prepaid', 'still prepaid until the boundary');
  assert.deepEqual(r.pending && { from: r.pending.from, to: r.pending.to, at: r.pending.effective_at }, {
    from: 'prepaid',
    to: 'card',
    at: '2026-06-01T00:00:00.000Z',
  });

  const show = await tg.cli('billing', 'show', '--org', c.orgId);
  assert.equal(show.billing_mode, 'prepaid');
  assert.equal(show.billing_mode_pending.to, 'card');
  assert.equal((await tg.cli('org', 'show', c.orgId)).billing_mode_pending.effective_at, '2026-06-01T00:00:00.000Z');
  const api = (await (await fetch(`${tg.url}/admin/v1/orgs/${c.orgId}/billing`, { headers: { authorization: `Bearer ${ADMIN}` } })).json()) as any;
  assert.equal(api.billing_mode_pending.to, 'card');

  const may = (await usageAt(c, Date.UTC(2026, 4, 20))) + (await usageAt(c, Date.UTC(2026, 5, 1) - 1, 3));
  const june = (await usageAt(c, Date.UTC(2026, 5, 1), 3)) + (await usageAt(c, Date.UTC(2026, 5, 12)));

  clock.set(Date.UTC(2026, 5, 1, 0, 0, 30));
  await tg.gw.billing.tick();
  assert.equal((await tg.accounts.requireOrg(c.orgId)).billingMode, 'card');
  assert.equal((await tg.cli('billing', 'show', '--org', c.orgId)).billing_mode_pending, null);

  clock.set(Date.UTC(2026, 6, 1, 0, 11));
  await tg.gw.billing.tick();
  assert.equal(await invoiceOf(c.orgId, '2026-05'), undefined, 'May was prepaid: no statement');
  const juneInv = (await invoiceOf(c.orgId, '2026-06'))!;
  assert.equal(juneInv.subtotal_exact, june, 'June statement = exactly the usage from 00:00 on the 1st');
  assert.equal(juneInv.collection, 'charge_card');
  assert.equal(picoToUsd(100_000_000_000_000n - may), picoToUsd((await tg.ledger.balance(c.orgId)).balance + june), 'credits paid for May only');
});

test('--now splits the month at that instant, both ways; every event is paid once: by credits or on an invoice', async () => {
  clock.set(Date.UTC(2026, 7, 1));
  const c = await tg.customer({ name: 'Now Co', credits: '100' });
  const prepaid1 = (await usageAt(c, Date.UTC(2026, 7, 3))) + (await usageAt(c, Date.UTC(2026, 7, 10, 12) - 1, 3));
  clock.set(Date.UTC(2026, 7, 10, 12));
  const r = await tg.gw.billing.modes.request(c.orgId, 'invoice', { now: true });
  assert.equal(r.billing_mode, 'invoice');
  assert.equal(r.pending, null);
  const postpaidAug = (await usageAt(c, Date.UTC(2026, 7, 10, 12), 3)) + (await usageAt(c, Date.UTC(2026, 7, 20)));
  clock.set(Date.UTC(2026, 8, 1, 0, 11));
  await tg.gw.billing.tick(); // August closes
  const postpaidSep = await usageAt(c, Date.UTC(2026, 8, 2));

  clock.set(Date.UTC(2026, 8, 5, 12));
  await tg.gw.billing.modes.request(c.orgId, 'prepaid', { now: true });
  const prepaid2 = (await usageAt(c, Date.UTC(2026, 8, 5, 12), 3)) + (await usageAt(c, Date.UTC(2026, 8, 20)));
  // Usage admitted on the 4th (post-paid) but written after the switch back: invoiced, never paid by credits.
  const postpaidSepLate = await usageAt(c, Date.UTC(2026, 8, 4), 2);

  clock.set(Date.UTC(2026, 9, 1, 0, 11));
  await tg.gw.billing.tick();
  const aug = (await invoiceOf(c.orgId, '2026-08'))!;
  const sep = (await invoiceOf(c.orgId, '2026-09'))!;
  assert.equal(aug.subtotal_exact, postpaidAug, 'August invoice: usage from the switch instant on, to the pico-dollar');
  assert.equal(
    sep.subtotal_exact,
    postpaidSep + postpaidSepLate,
    'September invoice: usage until the switch back (the org is prepaid now, the month is still closed)',
  );
  assert.equal(aug.collection, 'send_invoice');
  // Credits paid for the prepaid usage only: the post-paid stretch went back to the balance.
  const bal = await tg.ledger.balance(c.orgId);
  assert.equal(bal.balance, 100_000_000_000_000n - prepaid1 - prepaid2);
  assert.equal(aug.subtotal_exact + sep.subtotal_exact + (100_000_000_000_000n - bal.balance), bal.usage, 'invoiced + paid by credits = all usage');
  // Closing again changes nothing (idempotent), and the switches are audited.
  assert.deepEqual(
    (await tg.gw.billing.closeMonth('2026-08', c.orgId)).map((x) => x.status),
    ['already_closed'],
  );
});
