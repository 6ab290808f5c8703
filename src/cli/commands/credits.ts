/** `tollgate credits grant|buy|balance|history` — the prepaid credit ledger. */
import type { Command } from 'commander';
import { Ledger, type EntryKind } from '../../billing/ledger.ts';
import { AccountsService } from '../../accounts/service.ts';
import { usdToPico, picoToUsd } from '../../core/money.ts';
import { usageByDay } from '../../usage/report.ts';
import { withContext } from '../context.ts';
import { BillingSettings } from '../../billing/auto-reload.ts';
import { iso, print, table } from '../output.ts';
import { explainView } from '../../billing/lots.ts';

export function registerCredits(program: Command): void {
  const credits = program.command('credits').description('prepaid credits: an append-only ledger; the balance is its projection');

  const add = (name: string, kind: EntryKind, desc: string) =>
    credits
      .command(name)
      .description(desc)
      .requiredOption('--org <org>', 'org id')
      .requiredOption('--usd <amount>', 'amount in USD')
      .option('--expires <days>', 'days until these credits expire')
      .option('--note <text>', 'a note for the ledger')
      .option('--ref <ref>', 'idempotency reference: a repeat with the same ref is a no-op')
      .option('--json', 'machine-readable output')
      .action((o) =>
        withContext(async ({ store, clock, actor }) => {
          await new AccountsService(store.db, clock, actor).requireOrg(o.org);
          const ledger = new Ledger(store.db, clock, actor);
          const amount = usdToPico(o.usd);
          const e = await ledger.append({
            orgId: o.org,
            kind,
            amount,
            expiresAt: o.expires ? clock.now() + Number(o.expires) * 86_400_000 : null,
            ref: o.ref ?? null,
            note: o.note ?? null,
          });
          const bal = await ledger.balance(o.org);
          const out = { entry_id: e.id, kind: e.kind, amount_usd: picoToUsd(e.amount), expires_at: iso(e.expiresAt), balance_usd: picoToUsd(bal.balance) };
          print(o.json, out, () => `${kind} $${out.amount_usd} → balance $${out.balance_usd}`);
        }),
      );
  add('grant', 'grant', 'grant free credits');
  add('buy', 'purchase', "record a credit purchase paid outside Tollgate (the operator's own entry)");
  add('adjust', 'adjustment', 'a signed correction (e.g. -1.50)');

  credits
    .command('balance')
    .requiredOption('--org <org>', 'org id')
    .option('--json', 'machine-readable output')
    .action((o) =>
      withContext(async ({ store, clock, actor }) => {
        await new AccountsService(store.db, clock, actor).requireOrg(o.org);
        const b = await new Ledger(store.db, clock, actor).balance(o.org);
        const out = { org_id: o.org, balance_usd: picoToUsd(b.balance), credits_usd: picoToUsd(b.credits), usage_usd: picoToUsd(b.usage) };
        print(o.json, out, () => `balance $${out.balance_usd} (credits $${out.credits_usd} − usage $${out.usage_usd})`);
      }),
    );

  credits
    .command('explain')
    .description('which credit lot paid for which usage (lots live when it happened, earliest expiry first) and what lapsed')
    .requiredOption('--org <org>', 'org id')
    .option('--json', 'machine-readable output')
    .action((o) =>
      withContext(async ({ store, clock, actor }) => {
        await new AccountsService(store.db, clock, actor).requireOrg(o.org);
        const v = explainView(await new Ledger(store.db, clock, actor).explain(o.org));
        print(
          o.json,
          v,
          () =>
            `balance $${v.balance_usd}${v.debt_usd !== '0' ? ` (uncovered usage $${v.debt_usd})` : ''}\n\nlots\n${table(v.lots)}\n\nusage paid by\n${table(v.usage.map((u) => ({ from: u.from, until: u.until, usage_usd: u.usage_usd, paid_by: u.paid_by.map((p) => `${p.lot_id} $${p.amount_usd}`).join(', '), uncovered_usd: u.uncovered_usd })))}`,
        );
      }),
    );

  credits
    .command('history')
    .description('ledger entries and daily usage debits, oldest first')
    .requiredOption('--org <org>', 'org id')
    .option('--json', 'machine-readable output')
    .action((o) =>
      withContext(async ({ store, clock, actor }) => {
        const entries = (await new Ledger(store.db, clock, actor).entries(o.org)).map((e) => ({
          at: iso(e.createdAt),
          kind: e.kind,
          amount_usd: picoToUsd(e.amount),
          expires_at: iso(e.expiresAt),
          note: e.note,
        }));
        const usage = (await usageByDay(store.db, { orgId: o.org })).map((d) => ({
          at: `${d.day}T23:59:59.999Z`,
          kind: 'usage',
          amount_usd: picoToUsd(-usdToPico(d.cost_usd)),
          expires_at: null,
          note: `${d.requests} requests`,
        }));
        const rows = [...entries, ...usage].sort((a, b) => String(a.at).localeCompare(String(b.at)));
        print(o.json, rows, () => table(rows));
      }),
    );
}

/** `tollgate credits auto-reload` — buy credits automatically when the balance dips. */
export function registerAutoReload(program: Command): void {
  const credits = program.commands.find((c) => c.name() === 'credits')!;
  credits
    .command('auto-reload')
    .description('charge the card on file for --amount of credits whenever the balance falls below --below (needs Stripe and a saved card)')
    .requiredOption('--org <org>', 'org id')
    .option('--below <usd>', 'reload when the balance falls below this')
    .option('--amount <usd>', 'how much to buy each time')
    .option('--off', 'turn auto-reload off')
    .option('--low-balance <usd>', 'alert when the balance falls below this (default $1)')
    .option('--json', 'machine-readable output')
    .action((o) =>
      withContext(async ({ store, clock, actor }) => {
        await new AccountsService(store.db, clock, actor).requireOrg(o.org);
        if (!o.off && (o.below === undefined) !== (o.amount === undefined)) throw new Error('give both --below and --amount (or --off)');
        const s = await new BillingSettings(store.db, clock, actor).set(o.org, {
          ...(o.off
            ? { reloadBelow: null, reloadAmount: null }
            : o.below !== undefined
              ? { reloadBelow: usdToPico(o.below), reloadAmount: usdToPico(o.amount) }
              : {}),
          ...(o.lowBalance !== undefined ? { lowBalance: usdToPico(o.lowBalance) } : {}),
        });
        const out = {
          org_id: o.org,
          reload_below_usd: s.reloadBelow === null ? null : picoToUsd(s.reloadBelow),
          reload_amount_usd: s.reloadAmount === null ? null : picoToUsd(s.reloadAmount),
          low_balance_usd: s.lowBalance === null ? null : picoToUsd(s.lowBalance),
        };
        print(o.json, out, () =>
          out.reload_below_usd === null
            ? 'auto-reload off'
            : `auto-reload: buy $${out.reload_amount_usd} when the balance falls below $${out.reload_below_usd}`,
        );
      }),
    );
}
