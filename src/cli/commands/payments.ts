/**
 * Card payments from the CLI: `tollgate credits checkout|card|purchases|approve|reject` and
 * `tollgate billing show|mode|profile|contact add|contact remove`.
 */
import type { Command } from 'commander';
import { BillingModes } from '../../billing/modes.ts';
import { AccountsService } from '../../accounts/service.ts';
import { ManualProvider } from '../../billing/payments.ts';
import { cardView, PaymentStore } from '../../billing/payments/store.ts';
import { formatTaxRate, parseTaxRate } from '../../billing/invoices/rounding.ts';
import { picoToUsd, usdToPico } from '../../core/money.ts';
import { invalidRequest } from '../../core/errors.ts';
import { recordChange } from '../../store/change-log.ts';
import { recordAudit } from '../../audit/log.ts';
import { cliBilling } from '../billing-context.ts';
import { withContext } from '../context.ts';
import { iso, print, table } from '../output.ts';

// biome-ignore lint/suspicious/noExplicitAny: CLI printing of rows whose shapes differ by source; output only
const payView = (p: any) => ({
  id: p.id,
  org_id: p.org_id,
  provider: p.provider,
  purpose: p.purpose,
  amount_usd: picoToUsd(p.amount),
  status: p.status,
  created_at: iso(Number(p.created_at)),
  note: p.note,
  failure: p.failure_message,
});

export function registerPayments(program: Command): void {
  const credits = program.commands.find((c) => c.name() === 'credits')!;
  credits
    .command('checkout')
    .description('a Stripe Checkout link that buys credits (they land when Stripe confirms the payment)')
    .requiredOption('--org <org>', 'org id')
    .requiredOption('--usd <amount>', 'amount in USD (whole cents, within the top-up limits)')
    .option('--json', 'machine-readable output')
    .action((o) =>
      withContext(async (ctx) => {
        const org = await new AccountsService(ctx.store.db, ctx.clock).requireOrg(o.org);
        const b = cliBilling(ctx);
        if (!b.stripe) throw invalidRequest('card payments need STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET');
        const link = await b.stripe.topupCheckout(org, usdToPico(o.usd));
        print(o.json, { id: link.id, url: link.url, payment_id: link.payment_id }, () => `Checkout for $${o.usd}: ${link.url}`);
      }),
    );
  credits
    .command('card')
    .description('a Stripe Checkout link (setup mode) that saves a card for auto-reload and card billing')
    .requiredOption('--org <org>', 'org id')
    .option('--json', 'machine-readable output')
    .action((o) =>
      withContext(async (ctx) => {
        const org = await new AccountsService(ctx.store.db, ctx.clock).requireOrg(o.org);
        const b = cliBilling(ctx);
        if (!b.stripe) throw invalidRequest('card payments need STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET');
        const link = await b.stripe.setupCheckout(org);
        print(o.json, { id: link.id, url: link.url }, () => `Save a card: ${link.url}`);
      }),
    );
  credits
    .command('purchases')
    .description('payments: card top-ups, auto-reloads, manual purchases (awaiting approval…)')
    .option('--org <org>', 'one org')
    .option('--status <status>', 'e.g. awaiting_approval, succeeded, failed')
    .option('--json', 'machine-readable output')
    .action((o) =>
      withContext(async (ctx) => {
        const rows = (await new PaymentStore(ctx.store.db, ctx.clock).list(o.org ?? null, o.status)).map(payView);
        print(o.json, rows, () => table(rows, ['id', 'org_id', 'provider', 'purpose', 'amount_usd', 'status', 'created_at', 'note']));
      }),
    );
  credits
    .command('request')
    .description("a manual purchase (no card): recorded as awaiting the operator's approval, credits nothing until approved")
    .requiredOption('--org <org>', 'org id')
    .requiredOption('--usd <amount>', 'amount in USD')
    .option('--note <text>', 'a note')
    .option('--json', 'machine-readable output')
    .action((o) =>
      withContext(async (ctx) => {
        await new AccountsService(ctx.store.db, ctx.clock).requireOrg(o.org);
        const r = await new ManualProvider(ctx.store.db, ctx.clock).purchase({
          orgId: o.org,
          amount: usdToPico(o.usd),
          ref: `manual:${o.org}:${ctx.clock.now()}`,
          note: o.note ?? 'manual purchase',
        });
        print(o.json, { payment_id: r.paymentId, status: r.status }, () => `purchase ${r.paymentId} awaits approval: tollgate credits approve ${r.paymentId}`);
      }),
    );
  for (const [name, desc] of [
    ['approve', 'approve a manual purchase: its credits land'],
    ['reject', 'reject a manual purchase'],
  ] as const) {
    credits
      .command(name)
      .description(desc)
      .argument('<payment_id>')
      .option('--reason <text>', 'why (reject)')
      .option('--json', 'machine-readable output')
      .action((id, o) =>
        withContext(async (ctx) => {
          const m = new ManualProvider(ctx.store.db, ctx.clock);
          const p = name === 'approve' ? await m.approve(id, ctx.actor) : await m.reject(id, o.reason ?? null, ctx.actor);
          print(o.json, payView(p), () => `${p.id}: ${p.status}`);
        }),
      );
  }

  const billing = program.command('billing').description('billing mode, the card on file, invoice details and billing contacts of an org');
  billing
    .command('show')
    .requiredOption('--org <org>', 'org id')
    .option('--json', 'machine-readable output')
    .action((o) =>
      withContext(async (ctx) => {
        const org = await new AccountsService(ctx.store.db, ctx.clock).requireOrg(o.org);
        const b = cliBilling(ctx);
        const profile = await b.invoices.profiles.get(o.org);
        const contacts = await b.invoices.profiles.contacts(o.org);
        const customer = await ctx.store.db.selectFrom('payment_customers').selectAll().where('org_id', '=', o.org).executeTakeFirst();
        const hold = await ctx.store.db.selectFrom('billing_holds').selectAll().where('org_id', '=', o.org).executeTakeFirst();
        const out = {
          org_id: org.id,
          billing_mode: org.billingMode,
          billing_mode_pending: await b.modes.pending(org.id),
          card: cardView(customer),
          suspended: hold ? { reason: hold.reason, since: iso(Number(hold.since)) } : null,
          profile: {
            legal_name: profile.legalName,
            address: profile.address,
            tax_id: profile.taxId,
            tax_rate_percent: formatTaxRate(profile.taxRateE4),
            net_days: profile.netDays ?? ctx.config.billing.netDays,
            per_workspace: profile.perWorkspace,
          },
          contacts: contacts.map((c) => ({ id: c.id, email: c.email, name: c.name })),
        };
        print(o.json, out, () => JSON.stringify(out, null, 2));
      }),
    );
  billing
    .command('mode')
    .description('prepaid (credits), card (post-paid, charged monthly) or invoice (monthly invoice); takes effect at the next month boundary (docs/billing.md)')
    .requiredOption('--org <org>', 'org id')
    .argument('<mode>')
    .option('--now', 'take effect at once: the month is split at this instant')
    .option('--json', 'machine-readable output')
    .action((mode, o) =>
      withContext(async (ctx) => {
        const r = await new BillingModes(ctx.store.db, ctx.clock, ctx.actor).request(o.org, mode, { now: !!o.now });
        print(
          o.json,
          { org_id: o.org, ...r },
          () => `${o.org}: ${r.billing_mode} billing${r.pending ? `; ${r.pending.to} from ${r.pending.effective_at}` : ''}`,
        );
      }),
    );
  billing
    .command('profile')
    .description('the customer block of invoices, tax rate, payment terms')
    .requiredOption('--org <org>', 'org id')
    .option('--legal-name <name>')
    .option('--address <text>', 'lines separated by "|"')
    .option('--tax-id <id>')
    .option('--tax-rate <percent>', 'e.g. 19 or 8.875 (default 0)')
    .option('--net-days <n>', 'payment terms in days')
    .option('--per-workspace', 'invoice lines per workspace')
    .option('--no-per-workspace', 'one line per model and token kind')
    .option('--json', 'machine-readable output')
    .action((o) =>
      withContext(async (ctx) => {
        await new AccountsService(ctx.store.db, ctx.clock).requireOrg(o.org);
        let rate: bigint | undefined;
        try {
          rate = o.taxRate === undefined ? undefined : parseTaxRate(o.taxRate);
        } catch (e) {
          throw invalidRequest((e as Error).message);
        }
        const p = await cliBilling(ctx).invoices.profiles.set(
          o.org,
          {
            legalName: o.legalName,
            address: o.address,
            taxId: o.taxId,
            taxRateE4: rate,
            netDays: o.netDays === undefined ? undefined : Number(o.netDays),
            perWorkspace: o.perWorkspace,
          },
          ctx.actor,
        );
        const out = {
          org_id: o.org,
          legal_name: p.legalName,
          address: p.address,
          tax_id: p.taxId,
          tax_rate_percent: formatTaxRate(p.taxRateE4),
          net_days: p.netDays,
          per_workspace: p.perWorkspace,
        };
        print(o.json, out, () => JSON.stringify(out, null, 2));
      }),
    );
  const contact = billing.command('contact').description('who receives invoices and payment mail');
  contact
    .command('add')
    .requiredOption('--org <org>', 'org id')
    .requiredOption('--email <address>')
    .option('--name <name>')
    .option('--json', 'machine-readable output')
    .action((o) =>
      withContext(async (ctx) => {
        await new AccountsService(ctx.store.db, ctx.clock).requireOrg(o.org);
        const c = await cliBilling(ctx).invoices.profiles.addContact(o.org, o.email, o.name, ctx.actor);
        print(o.json, { id: c.id, org_id: c.orgId, email: c.email, name: c.name }, () => `billing contact ${c.id}: ${c.email}`);
      }),
    );
  contact
    .command('remove')
    .requiredOption('--org <org>', 'org id')
    .argument('<id_or_email>')
    .option('--json', 'machine-readable output')
    .action((id, o) =>
      withContext(async (ctx) => {
        const c = await cliBilling(ctx).invoices.profiles.removeContact(o.org, id, ctx.actor);
        print(o.json, { id: c.id, email: c.email, removed: true }, () => `removed ${c.email}`);
      }),
    );
  billing
    .command('unsuspend')
    .description('lift a billing suspension by hand (it returns on the next billing run if the debt is still unpaid)')
    .requiredOption('--org <org>', 'org id')
    .option('--json', 'machine-readable output')
    .action((o) =>
      withContext(async (ctx) => {
        const gone = await ctx.store.db.deleteFrom('billing_holds').where('org_id', '=', o.org).returningAll().execute();
        if (gone.length)
          await recordAudit(ctx.store.db, ctx.actor, ctx.clock.now(), {
            orgId: o.org,
            action: 'billing.unsuspend',
            targetType: 'org',
            targetId: o.org,
            before: gone.map((h) => ({ reason: h.reason, ref: h.ref })),
          });
        await recordChange(ctx.store.db, 'billing', ctx.clock.now());
        print(o.json, { org_id: o.org, suspended: false }, () => `${o.org}: not suspended`);
      }),
    );
}
