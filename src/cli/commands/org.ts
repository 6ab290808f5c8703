/** `tollgate org create|list|show` — organisations. */
import type { Command } from 'commander';
import { AccountsService } from '../../accounts/service.ts';
import { Ledger } from '../../billing/ledger.ts';
import { usdToPico, picoToUsd } from '../../core/money.ts';
import { withContext } from '../context.ts';
import { iso, print, table } from '../output.ts';

export function registerOrg(program: Command): void {
  const org = program.command('org').description('organisations (billing entities)');

  org.command('create').description('create an org (with its Default workspace and the free credits for new orgs)')
    .requiredOption('--name <name>', 'display name')
    .option('--credits <usd>', 'prepaid credits to add now (a purchase), e.g. 25 or 0.50')
    .option('--no-free-credits', 'do not grant the free credits for new orgs')
    .option('--invoice', 'monthly invoice billing instead of prepaid credits')
    .option('--json', 'machine-readable output')
    .action((o) => withContext(async ({ config, store, now }) => {
      const accounts = new AccountsService(store.db, now);
      const ledger = new Ledger(store.db, now);
      const { org: created, defaultWorkspaceId } = await accounts.createOrg({ name: o.name, billingMode: o.invoice ? 'invoice' : 'prepaid' });
      const free = usdToPico(config.freeCreditsUsd);
      if (o.freeCredits && free > 0n) {
        await ledger.append({ orgId: created.id, kind: 'grant', amount: free, expiresAt: now() + config.freeCreditsDays * 86_400_000, ref: `free:${created.id}`, note: 'free credits for new organisations' });
      }
      if (o.credits !== undefined) await ledger.append({ orgId: created.id, kind: 'purchase', amount: usdToPico(o.credits), note: 'initial credits (CLI)' });
      const bal = await ledger.balance(created.id);
      const out = { id: created.id, name: created.name, billing_mode: created.billingMode, default_workspace_id: defaultWorkspaceId, balance_usd: picoToUsd(bal.balance) };
      print(o.json, out, () => `created org ${out.id} (${out.name}); default workspace ${out.default_workspace_id}; balance $${out.balance_usd}`);
    }));

  org.command('list').description('list orgs').option('--json', 'machine-readable output')
    .action((o) => withContext(async ({ store, now }) => {
      const rows = (await new AccountsService(store.db, now).listOrgs()).map((r) => ({ id: r.id, name: r.name, billing_mode: r.billingMode, created_at: iso(r.createdAt) }));
      print(o.json, rows, () => table(rows));
    }));
}
