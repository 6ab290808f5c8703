/**
 * `tollgate invoices preview|close|list|show|pay|credit-note` — monthly invoices and card
 * statements. With --json, money is decimal strings (`total_usd`, per line `amount_usd`).
 */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { AccountsService } from '../../accounts/service.ts';
import { centsToUsd } from '../../billing/invoices/rounding.ts';
import { amountDue, checkMonth, type InvoiceRow } from '../../billing/invoices/service.ts';
import { issueCreditNote, type Settle } from '../../billing/credit-notes.ts';
import { invoiceCsv, viewOfDoc, viewOfDraft, type InvoiceView } from '../../billing/invoices/view.ts';
import { monthKey } from '../../core/clock.ts';
import { usdToPico } from '../../core/money.ts';
import { cliBilling } from '../billing-context.ts';
import { withContext } from '../context.ts';
import { iso, print, table } from '../output.ts';

function human(v: InvoiceView): string {
  const rows = v.lines.map((l) => ({
    '#': l.line_no,
    description: l.description,
    quantity: l.quantity,
    'unit $/M': l.unit_price_usd_per_million,
    amount: l.amount_usd,
  }));
  return [
    `${v.kind === 'credit_note' ? 'Credit note' : 'Invoice'} ${v.number ?? '(draft)'} · ${v.customer.name} (${v.org_id}) · ${v.period} · ${v.status}`,
    `issued ${v.issued_at?.slice(0, 10)} · ${v.collection === 'charge_card' ? 'charged' : 'due'} ${v.due_at?.slice(0, 10)}`,
    '',
    table(rows),
    '',
    `subtotal $${v.subtotal_usd} (exact $${v.subtotal_exact_usd})   tax ${v.tax_rate_percent} % $${v.tax_usd}   total $${v.total_usd}   due $${v.amount_due_usd}`,
  ].join('\n');
}

async function writeFiles(v: InvoiceView, o: { pdf?: string; csv?: string }) {
  if (o.pdf) writeFileSync(o.pdf, await (await import('../../billing/invoices/pdf.ts')).renderInvoicePdf(v)); // pdfkit only when asked for
  if (o.csv) writeFileSync(o.csv, invoiceCsv(v));
}

const listRow = (i: InvoiceRow) => ({
  number: i.number,
  kind: i.kind,
  org_id: i.org_id,
  period: i.period,
  status: i.status,
  collection: i.collection,
  issued_at: iso(Number(i.issued_at)),
  due_at: iso(Number(i.due_at)),
  total_usd: centsToUsd(i.total_cents),
  amount_due_usd: centsToUsd(i.kind === 'invoice' ? amountDue(i) : 0n),
});

export function registerInvoices(program: Command): void {
  const inv = program.command('invoices').description('monthly invoices (invoice billing) and statements (card billing)');

  inv
    .command('preview')
    .description('the draft of a month (default: this month so far), laid out and totalled like the final invoice')
    .requiredOption('--org <org>', 'org id')
    .option('--month <YYYY-MM>', 'month (UTC)')
    .option('--pdf <file>', 'write the PDF')
    .option('--csv <file>', 'write the CSV')
    .option('--json', 'machine-readable output')
    .action((o) =>
      withContext(async (ctx) => {
        await new AccountsService(ctx.store.db, ctx.clock).requireOrg(o.org);
        const month = checkMonth(o.month ?? monthKey(ctx.clock.now()));
        const b = cliBilling(ctx);
        const closed = await ctx.store.db
          .selectFrom('billing_periods')
          .select('invoice_id')
          .where('org_id', '=', o.org)
          .where('period', '=', month)
          .executeTakeFirst();
        if (closed)
          throw new Error(
            `${month} is closed for ${o.org}${closed.invoice_id ? ` (invoice ${(await b.invoices.row(closed.invoice_id))?.number}): use invoices show` : ' (nothing was invoiced)'}`,
          );
        const v = viewOfDraft(await b.invoices.draft(o.org, month));
        await writeFiles(v, o);
        print(o.json, v, () => human(v));
      }),
    );

  inv
    .command('close')
    .description('finalise a month that has ended (idempotent): one invoice or statement per card/invoice org')
    .requiredOption('--month <YYYY-MM>', 'month (UTC)')
    .option('--org <org>', 'only this org')
    .option('--json', 'machine-readable output')
    .action((o) =>
      withContext(async (ctx) => {
        const b = cliBilling(ctx);
        try {
          const results = await b.closeMonth(checkMonth(o.month), o.org);
          const rows = results.map((r) => ({
            org_id: r.org_id,
            period: r.period,
            status: r.status,
            number: r.invoice?.number ?? null,
            total_usd: r.invoice ? centsToUsd(r.invoice.total_cents) : null,
          }));
          print(o.json, rows, () => table(rows));
        } finally {
          b.close();
        }
      }),
    );

  inv
    .command('list')
    .description("an org's invoices and credit notes, newest first")
    .option('--org <org>', 'org id (operator: all orgs without it)')
    .option('--json', 'machine-readable output')
    .action((o) =>
      withContext(async (ctx) => {
        const rows = (await cliBilling(ctx).invoices.list(o.org)).map(listRow);
        print(o.json, rows, () => table(rows));
      }),
    );

  inv
    .command('show')
    .description('one invoice or credit note')
    .argument('<number>')
    .option('--pdf <file>', 'write the PDF')
    .option('--csv <file>', 'write the CSV')
    .option('--json', 'machine-readable output')
    .action((number, o) =>
      withContext(async (ctx) => {
        const b = cliBilling(ctx);
        const doc = await b.invoices.get(number);
        const corrects = doc.invoice.corrects_id ? ((await b.invoices.row(doc.invoice.corrects_id))?.number ?? null) : null;
        const v = viewOfDoc(doc, corrects);
        await writeFiles(v, o);
        print(o.json, v, () => human(v));
      }),
    );

  inv
    .command('pay')
    .description('mark an invoice paid (received outside Tollgate); idempotent')
    .argument('<number>')
    .option('--ref <text>', 'payment reference')
    .option('--json', 'machine-readable output')
    .action((number, o) =>
      withContext(async (ctx) => {
        const i = await cliBilling(ctx).invoices.pay(number, o.ref ?? null, ctx.actor);
        print(o.json, listRow(i), () => `${i.number}: ${i.status}`);
      }),
    );

  inv
    .command('credit-note')
    .description('correct a finalised invoice: a credit note (own number series) for --usd before tax')
    .argument('<number>')
    .requiredOption('--usd <amount>', 'amount before tax')
    .requiredOption('--reason <text>', 'why')
    .option(
      '--settle <how>',
      'on a paid invoice: refund (Stripe refund of the card payment; default when paid by card) or credit (account credit; default otherwise)',
    )
    .option('--json', 'machine-readable output')
    .action((number, o) =>
      withContext(async (ctx) => {
        const doc = await issueCreditNote(cliBilling(ctx), number, usdToPico(o.usd), o.reason, ctx.actor, o.settle as Settle | undefined);
        const v = viewOfDoc(doc, number);
        print(o.json, v, () => human(v));
      }),
    );
}
