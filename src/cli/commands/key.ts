/** `tollgate key create|list|revoke` — API keys (the secret is shown once, at creation). */
import type { Command } from 'commander';
import { AccountsService, type KeyRecord } from '../../accounts/service.ts';
import { withContext } from '../context.ts';
import { iso, print, table } from '../output.ts';
import { policyView } from '../../accounts/policy.ts';
import { policyFromOptions, withPolicyOptions } from './policy.ts';

const view = (k: KeyRecord, now: number) => ({
  id: k.id,
  name: k.name,
  kind: k.kind,
  admin_scope: k.adminScope,
  org_id: k.orgId,
  workspace_id: k.workspaceId,
  hint: k.hint,
  status: k.revokedAt != null ? 'revoked' : k.expiresAt != null && k.expiresAt <= now ? 'expired' : 'active',
  created_at: iso(k.createdAt),
  expires_at: iso(k.expiresAt),
  last_used_at: iso(k.lastUsedAt),
  policy: policyView(k.policy),
});

function parseExpiry(s: string | undefined, now: number): number | null {
  if (!s) return null;
  const m = /^(\d+)([hdm])$/.exec(s);
  if (m) return now + Number(m[1]) * { h: 3_600_000, d: 86_400_000, m: 60_000 }[m[2] as 'h' | 'd' | 'm'];
  const t = Date.parse(s);
  if (Number.isNaN(t)) throw new Error(`--expires: expected a duration like 30d / 3h or an ISO date, got ${s}`);
  return t;
}

export function registerKey(program: Command): void {
  const key = program.command('key').description('API keys');

  withPolicyOptions(key.command('create').description('create a key (an inference key by default; --admin for an admin key); prints the secret once'))
    .requiredOption('--org <org>', 'org id')
    .option('--workspace <ws>', "workspace id (default: the org's Default workspace); with --admin, confines the admin key to it")
    .option('--admin', 'an admin key (sk-tg-admin-…): manages the org through the admin API and console, never calls the model APIs')
    .option('--name <name>', 'key name', 'default')
    .option('--expires <when>', 'expiry: 3h, 7d, 30d or an ISO date')
    .option('--json', 'machine-readable output')
    .action((o) =>
      withContext(async ({ store, clock, actor }) => {
        const k = await new AccountsService(store.db, clock, actor).createKey({
          orgId: o.org,
          workspaceId: o.workspace,
          name: o.name,
          expiresAt: parseExpiry(o.expires, clock.now()),
          kind: o.admin ? 'admin' : 'inference',
          adminScope: o.admin ? (o.workspace ? 'workspace' : 'org') : undefined,
          policy: policyFromOptions(o),
        });
        const out = { ...view(k, clock.now()), key: k.key };
        const what =
          k.kind === 'admin'
            ? `admin key ${out.id} for ${k.adminScope === 'workspace' ? `workspace ${out.workspace_id}` : `org ${out.org_id}`}`
            : `key ${out.id} in ${out.workspace_id}`;
        print(o.json, out, () => `created ${what}\n\n  ${out.key}\n\nStore it now: it is shown only once.`);
      }),
    );

  key
    .command('list')
    .description("list an org's keys (never their secrets)")
    .requiredOption('--org <org>', 'org id')
    .option('--json', 'machine-readable output')
    .action((o) =>
      withContext(async ({ store, clock, actor }) => {
        const rows = (await new AccountsService(store.db, clock, actor).listKeys(o.org)).map((k) => view(k, clock.now()));
        print(o.json, rows, () => table(rows, ['id', 'name', 'kind', 'workspace_id', 'hint', 'status', 'created_at', 'expires_at', 'last_used_at']));
      }),
    );

  withPolicyOptions(
    key.command('update').description("change a key's name or model policy (takes effect in the running gateway within a second)").argument('<key_id>'),
  )
    .option('--name <name>', 'key name')
    .option('--json', 'machine-readable output')
    .action((id, o) =>
      withContext(async ({ store, clock, actor }) => {
        const k = await new AccountsService(store.db, clock, actor).updateKey(id, { name: o.name, policy: policyFromOptions(o) });
        print(o.json, view(k, clock.now()), () => `updated ${k.id}: ${JSON.stringify(policyView(k.policy))}`);
      }),
    );

  key
    .command('revoke')
    .description('revoke a key (takes effect in the running gateway within a second)')
    .argument('<key_id>')
    .option('--json', 'machine-readable output')
    .action((id, o) =>
      withContext(async ({ store, clock, actor }) => {
        const k = await new AccountsService(store.db, clock, actor).revokeKey(id);
        print(
          o.json,
          { ...view(k, clock.now()), revoked_with_it: k.cascaded },
          () => `revoked ${k.id}${k.cascaded.length ? ` and the ${k.cascaded.length} key(s) it created` : ''}`,
        );
      }),
    );
}
