/**
 * Invoices for `invoice` billing mode (the 100,000-event reconciliation; the lifecycle after it — idempotent close, gapless numbers, late usage, credit notes, overdue — is invoices-lifecycle.test.ts), on the configured backend (SQLite, or PostgreSQL with
 * DATABASE_URL): a month of 100,000 usage events (three models, every token kind, two workspaces,
 * a reseller discount) is closed into one invoice whose lines sum to the events to the
 * pico-dollar before rounding and to the cent after; numbers are gapless per issuer; closing is
 * idempotent and refuses a month that has not ended; usage that lands after the close goes on the
 * next invoice as adjustment lines while the closed one never changes; a credit note corrects,
 * `invoices pay` settles; an overdue invoice alerts, then suspends the org (402) until paid. The
 * PDF renders to PNG (pdftoppm) and its text carries the number and totals.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../src/core/clock.ts';
import { picoToCents, picoToUsd } from '../../src/core/money.ts';
import { PricingService } from '../../src/pricing/service.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { eventsSum, insertEvents } from '../support/usage-events.ts';
import { sql } from 'kysely';

const clock = new ManualClock(Date.UTC(2026, 2, 31, 12, 0, 0));
let tg: TestGateway;
let dir: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tollgate-invoices-'));
  tg = await startTestGateway({
    clock,
    env: {
      TOLLGATE_AUTO_CLOSE_AFTER_MIN: '0',
      TOLLGATE_ISSUER_CODE: 'ACME',
      TOLLGATE_ISSUER_NAME: 'Tollgate Cloud Ltd',
      TOLLGATE_ISSUER_ADDRESS: '1 Gateway Street|London EC1A 1AA|United Kingdom',
      TOLLGATE_ISSUER_EMAIL: 'billing@tollgate.example',
      TOLLGATE_ISSUER_TAX_ID: 'GB 123 4567 89',
    },
  });
});
after(async () => {
  await tg?.close();
  rmSync(dir, { recursive: true, force: true });
});

let acme: { orgId: string; keyId: string; workspaceId: string; key: string };
let march: string;

test('a month of 100,000 usage events is invoiced and reconciled to the pico-dollar and the cent', async () => {
  acme = await tg.customer({ name: 'Acme', credits: '0' });
  await tg.accounts.updateOrg(acme.orgId, { billingMode: 'invoice', priceGroup: 'resellers' });
  await new PricingService(tg.gw.store.db, clock).setGroupAdjustment('resellers', -2000, Date.UTC(2026, 0, 1));
  const ws2 = await tg.accounts.createWorkspace(acme.orgId, 'Research');
  // (what `tollgate billing profile` / `billing contact add` write; that CLI runs in invoices-lifecycle.test.ts)
  await tg.gw.billing.invoices.profiles.set(acme.orgId, {
    legalName: 'Acme Corporation',
    address: '500 Market St|San Francisco, CA 94105|USA',
    taxId: 'US-99-1234567',
    taxRateE4: 88_750n,
  });
  await tg.gw.billing.invoices.profiles.addContact(acme.orgId, 'ap@acme.test', 'Accounts payable');

  const start = Date.UTC(2026, 2, 1);
  const span = Date.UTC(2026, 3, 1) - start;
  const t0 = Date.now();
  const total = await insertEvents(tg, acme.orgId, 100_000, (i) => start + Math.floor((i * span) / 100_000), {
    workspaces: [acme.workspaceId, ws2.id],
    keyId: acme.keyId,
    seed: 12,
    discounted: tg.gw.rt.models().resolve('claude-haiku-4-5')!.id,
  });
  const insertMs = Date.now() - t0;
  const sums = await eventsSum(tg, acme.orgId, '2026-03');
  assert.equal(sums.n, 100_000);
  assert.equal(sums.cost, total);

  // The draft of the month in progress has the same layout and totals as the final invoice.
  const preview = await tg.gw.billing.invoices.draft(acme.orgId, '2026-03');
  clock.set(Date.UTC(2026, 3, 1, 0, 30));
  const t1 = Date.now();
  const [closed] = await tg.gw.billing.closeMonth('2026-03', acme.orgId);
  const closeMs = Date.now() - t1;
  assert.equal(closed!.status, 'issued');
  march = closed!.invoice!.number;
  assert.equal(march, 'ACME-000001');
  const { invoice, lines } = await tg.gw.billing.invoices.get(march);

  // Reconciled: exact before rounding, to the cent after, and the printed lines add up.
  const exact = lines.reduce((s, l) => s + l.amount_exact, 0n);
  assert.equal(exact, sums.cost, 'Σ lines = Σ usage events (pico-USD)');
  assert.equal(invoice.subtotal_exact, sums.cost);
  assert.equal(invoice.subtotal_cents, picoToCents(sums.cost), 'rounded once, to the cent');
  assert.equal(
    lines.reduce((s, l) => s + l.amount_cents, 0n),
    invoice.subtotal_cents,
    'the lines add up to the subtotal',
  );
  for (const l of lines) {
    const diff = l.amount_exact - l.amount_cents * 10_000_000_000n;
    assert.ok(diff > -10_000_000_000n && diff < 10_000_000_000n, `line ${l.line_no} within a cent of its exact amount`);
    assert.notEqual(l.token_kind, 'mixed', 'every group priced by a single price vector');
    assert.equal(l.quantity * l.unit_price, l.amount_exact, 'amount = quantity × unit price');
  }
  assert.equal(invoice.tax_rate_e4, 88_750n);
  assert.equal(invoice.tax_cents, (invoice.subtotal_cents * 88_750n + 500_000n) / 1_000_000n);
  assert.equal(invoice.total_cents, invoice.subtotal_cents + invoice.tax_cents);
  assert.equal(preview.subtotalExact, invoice.subtotal_exact);
  assert.deepEqual(
    preview.lines.map((l) => [l.description, l.amount, l.cents]),
    lines.map((l) => [l.description, l.amount_exact, l.amount_cents]),
  );
  // Lines per model and token kind: token quantities match the events per kind.
  const tokens: any = await tg.gw.store.db
    .selectFrom('usage_events')
    .select([sql<bigint>`cast(sum(input_tokens) as bigint)`.as('input'), sql<bigint>`cast(sum(web_search_requests) as bigint)`.as('web')])
    .where('org_id', '=', acme.orgId)
    .where('month', '=', '2026-03')
    .executeTakeFirst();
  assert.equal(
    lines.filter((l) => l.token_kind === 'input').reduce((s, l) => s + l.quantity, 0n),
    BigInt(tokens.input),
  );
  assert.equal(
    lines.filter((l) => l.token_kind === 'web_search').reduce((s, l) => s + l.quantity, 0n),
    BigInt(tokens.web),
  );
  assert.equal(new Set(lines.map((l) => l.model)).size, 3);
  const haiku = lines.find((l) => l.model === tg.gw.rt.models().resolve('claude-haiku-4-5')!.id && l.token_kind === 'input')!;
  assert.equal(haiku.unit_price, 800_000n, 'the reseller discount: $1.00/MTok − 20 %');
  console.log(
    `# 100k events: insert ${insertMs} ms, close ${closeMs} ms (${tg.gw.store.dialect}); ${lines.length} lines, subtotal $${picoToUsd(invoice.subtotal_exact)}`,
  );

  // JSON from the CLI: money as decimal strings.
  const shown = await tg.cli('invoices', 'show', march, '--pdf', join(dir, 'march.pdf'), '--csv', join(dir, 'march.csv'));
  assert.equal(shown.number, march);
  assert.match(shown.total_usd, /^\d+\.\d{2}$/);
  assert.equal(shown.total_usd, `${invoice.total_cents / 100n}.${String(invoice.total_cents % 100n).padStart(2, '0')}`);
  assert.equal(shown.subtotal_exact_usd, picoToUsd(sums.cost));
  assert.ok(shown.lines.every((l: any) => /^-?\d+\.\d{2}$/.test(l.amount_usd)));
  assert.equal(shown.customer.name, 'Acme Corporation');
  assert.equal(shown.issuer.name, 'Tollgate Cloud Ltd');
  const csv = readFileSync(join(dir, 'march.csv'), 'utf8').trim().split('\r\n');
  assert.equal(csv.length, 1 + lines.length + 3);
  assert.match(csv.at(-1)!, new RegExp(`,total,.*,${shown.total_usd}$`));

  // The PDF, rendered to PNG and read back as text.
  execFileSync('pdftoppm', ['-png', '-r', '60', '-f', '1', '-l', '1', join(dir, 'march.pdf'), join(dir, 'march')]);
  const png = join(dir, 'march-1.png');
  assert.ok(statSync(png).size > 10_000, 'page 1 rendered');
  assert.deepEqual([...readFileSync(png).subarray(1, 4)].map((b) => String.fromCharCode(b)).join(''), 'PNG');
  // INVOICE_PNG_OUT=docs/images/invoice.png keeps a sharper copy (the README's picture).
  if (process.env.INVOICE_PNG_OUT)
    execFileSync('pdftoppm', [
      '-png',
      '-r',
      '90',
      '-f',
      '1',
      '-l',
      '1',
      '-singlefile',
      join(dir, 'march.pdf'),
      process.env.INVOICE_PNG_OUT.replace(/\.png$/, ''),
    ]);
  const text = execFileSync('pdftotext', ['-layout', join(dir, 'march.pdf'), '-'], { encoding: 'utf8' });
  for (const s of [march, 'Acme Corporation', 'Tollgate Cloud Ltd', `$${Number(shown.total_usd).toLocaleString('en-US', { minimumFractionDigits: 2 })}`])
    assert.ok(text.includes(s), `PDF shows ${s}`);

  // The invoice mail went to the billing contact (outbox: no SMTP configured).
  const mail = await tg.gw.store.db.selectFrom('billing_mail').selectAll().where('org_id', '=', acme.orgId).execute();
  assert.deepEqual(
    mail.map((m) => [m.to, m.topic.endsWith(':issued'), m.sent_at != null]),
    [['ap@acme.test', true, true]],
  );
  const outbox = await tg.gw.store.db.selectFrom('outbox').selectAll().where('to', '=', 'ap@acme.test').execute();
  assert.ok(outbox.some((m) => m.subject.includes(march)));
});
