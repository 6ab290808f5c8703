/** `tollgate org create|list|show` — organisations. */
import type { Command } from 'commander';
import { BillingModes } from '../../billing/modes.ts';
import { AccountsService } from '../../accounts/service.ts';
import { Ledger } from '../../billing/ledger.ts';
import { usdToPico, picoToUsd } from '../../core/money.ts';
import { withContext } from '../context.ts';
import { iso, print, table } from '../output.ts';
import { orgStatus } from '../../reports/org-status.ts';

export function registerOrg(program: Command): void {
  const org = program.command('org').description('organisations (billing entities)');

  org
    .command('create')
    .description('create an org (with its Default workspace and the free credits for new orgs)')
    .requiredOption('--name <name>', 'display name')
    .option('--credits <usd>', 'prepaid credits to add now (a purchase), e.g. 25 or 0.50')
    .option('--no-free-credits', 'do not grant the free credits for new orgs')
    .option('--invoice', 'monthly invoice billing instead of prepaid credits')
    .option('--json', 'machine-readable output')
    .action((o) =>
      withContext(async ({ config, store, clock, actor }) => {
        const accounts = new AccountsService(store.db, clock, actor);
        const ledger = new Ledger(store.db, clock, actor);
        const { org: created, defaultWorkspaceId } = await accounts.createOrg({ name: o.name, billingMode: o.invoice ? 'invoice' : 'prepaid' });
        const free = usdToPico(config.freeCreditsUsd);
        if (o.freeCredits && free > 0n) {
          await ledger.append({
            orgId: created.id,
            kind: 'grant',
            amount: free,
            expiresAt: clock.now() + config.freeCreditsDays * 86_400_000,
            ref: `free:${created.id}`,
            note: 'free credits for new organisations',
          });
        }
        if (o.credits !== undefined) await ledger.append({ orgId: created.id, kind: 'purchase', amount: usdToPico(o.credits), note: 'initial credits (CLI)' });
        const bal = await ledger.balance(created.id);
        const out = {
          id: created.id,
          name: created.name,
          billing_mode: created.billingMode,
          default_workspace_id: defaultWorkspaceId,
          balance_usd: picoToUsd(bal.balance),
        };
        print(o.json, out, () => `created org ${out.id} (${out.name}); default workspace ${out.default_workspace_id}; balance $${out.balance_usd}`);
      }),
    );

  org
    .command('list')
    .description('list orgs')
    .option('--json', 'machine-readable output')
    .action((o) =>
      withContext(async ({ store, clock, actor }) => {
        const rows = (await new AccountsService(store.db, clock, actor).listOrgs()).map((r) => ({
          id: r.id,
          name: r.name,
          billing_mode: r.billingMode,
          created_at: iso(r.createdAt),
        }));
        print(o.json, rows, () => table(rows));
      }),
    );
}

/** `tollgate org update|show` — usage tier and custom rate limits. */
export function registerOrgTier(program: Command): void {
  const org = program.commands.find((c) => c.name() === 'org')!;
  org
    .command('update')
    .description('pin a usage tier or set custom rate limits (per model class, or for all)')
    .argument('<org>')
    .option('--tier <n>', 'pin this tier ("auto" to follow spend again)')
    .option('--rpm <n>', 'requests per minute')
    .option('--input-tpm <n>', 'input tokens per minute')
    .option('--output-tpm <n>', 'output tokens per minute')
    .option('--class <rateClass>', 'apply the limits to one model class (default: all classes)')
    .option('--clear-limits', 'remove custom rate limits')
    .option('--invoice', 'switch to monthly invoicing (at the next month boundary)')
    .option('--prepaid', 'switch to prepaid credits (at the next month boundary)')
    .option('--now', 'with --invoice/--prepaid: switch at once, splitting the month at this instant')
    .option('--price-group <group>', 'reseller customer group ("none" for list price)')
    .option('--json', 'machine-readable output')
    .action((id, o) =>
      withContext(async ({ store, clock, actor }) => {
        const accounts = new AccountsService(store.db, clock, actor);
        const cur = await accounts.requireOrg(id);
        const patch: Parameters<AccountsService['updateOrg']>[1] = {};
        if (o.tier !== undefined) patch.tierPinned = o.tier === 'auto' ? null : positive(o.tier, '--tier');
        const lim: Record<string, number> = {};
        if (o.rpm !== undefined) lim.rpm = positive(o.rpm, '--rpm');
        if (o.inputTpm !== undefined) lim.itpm = positive(o.inputTpm, '--input-tpm');
        if (o.outputTpm !== undefined) lim.otpm = positive(o.outputTpm, '--output-tpm');
        if (o.clearLimits) patch.rateLimits = null;
        else if (Object.keys(lim).length) {
          const prev = cur.rateLimits ? JSON.parse(cur.rateLimits) : {};
          const flat = 'rpm' in prev || 'itpm' in prev || 'otpm' in prev;
          // biome-ignore lint/suspicious/noExplicitAny: CLI printing of rows whose shapes differ by source; output only
          const base: Record<string, any> = flat ? { default: prev } : prev;
          const cls = o.class ?? 'default';
          base[cls] = { ...(base[cls] ?? {}), ...lim };
          patch.rateLimits = JSON.stringify(base);
        }
        if (o.priceGroup !== undefined) patch.priceGroup = o.priceGroup === 'none' ? null : o.priceGroup;
        // A billing-mode switch follows the month-boundary rule (billing/modes.ts).
        const modes = new BillingModes(store.db, clock, actor);
        if (o.invoice || o.prepaid) await modes.request(id, o.invoice ? 'invoice' : 'prepaid', { now: !!o.now });
        const u = await accounts.updateOrg(id, patch);
        const out = {
          id: u.id,
          name: u.name,
          tier_pinned: u.tierPinned,
          rate_limits: u.rateLimits ? JSON.parse(u.rateLimits) : null,
          billing_mode: u.billingMode,
          billing_mode_pending: await modes.pending(id),
          price_group: u.priceGroup,
        };
        print(o.json, out, () => JSON.stringify(out, null, 2));
      }),
    );

  org
    .command('show')
    .description('tier, limits and current usage against them')
    .argument('<org>')
    .option('--json', 'machine-readable output')
    .action((id, o) =>
      withContext(async ({ config, store, clock }) => {
        const out = { ...(await orgStatus(config, store, id, clock.now())), billing_mode_pending: await new BillingModes(store.db, clock).pending(id) };
        print(o.json, out, () => JSON.stringify(out, null, 2));
      }),
    );
}

function positive(v: string, flag: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag}: expected a positive integer, got ${v}`);
  return n;
}
