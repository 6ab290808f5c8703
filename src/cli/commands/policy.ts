/**
 * Model policy flags shared by `tollgate key create|update` and `tollgate workspace policy`:
 * --models a,b (none = every model), --max-tokens N (none = no ceiling), --max-tokens-mode
 * refuse|clamp, --timeout-ms N (none = no limit).
 */
import type { Command } from 'commander';
import { policyView } from '../../accounts/policy.ts';
import { AccountsService, type PolicyPatch } from '../../accounts/service.ts';
import { withContext } from '../context.ts';
import { print } from '../output.ts';

export function withPolicyOptions(c: Command): Command {
  return c
    .option('--models <ids>', 'comma-separated models (ids, aliases or model routes) the key may call; "none" lifts the restriction')
    .option('--max-tokens <n>', 'largest max_tokens a request may ask for; "none" lifts the ceiling')
    .option('--max-tokens-mode <mode>', 'refuse (a 400 naming the ceiling, the default) or clamp (send the ceiling instead)')
    .option('--timeout-ms <n>', 'whole-request time limit in ms, across upstream attempts; "none" lifts it');
}

const intOrNone = (v: string | undefined, flag: string): number | null | undefined => {
  if (v === undefined) return undefined;
  if (v === 'none') return null;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag}: expected a positive integer or "none", got ${v}`);
  return n;
};

/** The policy patch the flags ask for (undefined when none was given). */
export function policyFromOptions(o: { models?: string; maxTokens?: string; maxTokensMode?: string; timeoutMs?: string }): PolicyPatch | undefined {
  if (o.maxTokensMode !== undefined && o.maxTokensMode !== 'refuse' && o.maxTokensMode !== 'clamp')
    throw new Error(`--max-tokens-mode: refuse or clamp, got ${o.maxTokensMode}`);
  const p: PolicyPatch = {
    models:
      o.models === undefined
        ? undefined
        : o.models === 'none'
          ? null
          : o.models
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean),
    maxTokens: intOrNone(o.maxTokens, '--max-tokens'),
    maxTokensMode: o.maxTokensMode as 'refuse' | 'clamp' | undefined,
    timeoutMs: intOrNone(o.timeoutMs, '--timeout-ms'),
  };
  return Object.values(p).some((v) => v !== undefined) ? p : undefined;
}

/** `tollgate workspace policy` — the model policy of a workspace's keys. */
export function registerWorkspace(program: Command): void {
  const ws = program.command('workspace').description('workspaces of an org');
  withPolicyOptions(
    ws
      .command('policy')
      .description('set the model policy every key of the workspace obeys (as well as its own)')
      .requiredOption('--org <org>', 'org id')
      .requiredOption('--workspace <ws>', 'workspace id'),
  )
    .option('--json', 'machine-readable output')
    .action((o) =>
      withContext(async ({ store, clock, actor }) => {
        const w = await new AccountsService(store.db, clock, actor).setWorkspacePolicy(o.org, o.workspace, policyFromOptions(o) ?? {});
        const out = { org_id: w.orgId, workspace_id: w.id, policy: policyView(w.policy) };
        print(o.json, out, () => JSON.stringify(out, null, 2));
      }),
    );
}
