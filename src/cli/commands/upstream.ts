/** `tollgate upstream add|list|remove` — provider credentials (sealed with the master key). */
import type { Command } from 'commander';
import { SecretBox } from '../../core/secret-box.ts';
import { UpstreamService, UPSTREAM_KINDS } from '../../providers/service.ts';
import { withContext, type CliContext } from '../context.ts';
import { print, table } from '../output.ts';

export function registerUpstream(program: Command): void {
  const up = program.command('upstream').description('model providers the gateway forwards to');
  const svc = (ctx: CliContext) =>
    new UpstreamService(ctx.store.db, ctx.config.masterKey ? new SecretBox(ctx.config.masterKey) : undefined, ctx.now, ctx.actor);

  up.command('add').description('add (or replace) an upstream').requiredOption('--name <name>', 'a short name')
    .requiredOption('--kind <kind>', `adapter: ${UPSTREAM_KINDS.join(', ')}`).requiredOption('--base-url <url>', 'e.g. https://api.deepseek.com/v1')
    .option('--api-key <key>', 'the provider key (or set UPSTREAM_API_KEY to keep it out of shell history); without it, an existing upstream keeps its key')
    .option('--keep-key', 'keep the stored key although --base-url or --kind changes (it will be sent to the new address)')
    .option('--models <ids>', 'comma-separated model ids it serves, or * for its provider family', '*')
    .option('--map <pairs>', 'customer=upstream model id pairs, comma-separated')
    .option('--json', 'machine-readable output')
    .action((o) => withContext(async (ctx) => {
      const modelMap = o.map ? Object.fromEntries(String(o.map).split(',').map((p: string) => p.split('=').map((s) => s.trim()))) : undefined;
      const v = await svc(ctx).add({ name: o.name, kind: o.kind, baseUrl: o.baseUrl, apiKey: o.apiKey ?? process.env.UPSTREAM_API_KEY, keepKey: Boolean(o.keepKey), models: o.models === '*' ? '*' : String(o.models).split(',').map((s: string) => s.trim()), modelMap });
      print(o.json, v, () => `upstream ${v.name} (${v.kind}) → ${v.base_url}${v.has_key ? ', key sealed' : ''}`);
    }));

  up.command('list').option('--json', 'machine-readable output').action((o) => withContext(async (ctx) => {
    const rows = await svc(ctx).list();
    print(o.json, rows, () => table(rows.map((r) => ({ ...r, models: r.models === '*' ? '*' : r.models.join(',') }))));
  }));

  up.command('remove').argument('<name>').option('--json', 'machine-readable output').action((name, o) => withContext(async (ctx) => {
    await svc(ctx).remove(name);
    print(o.json, { removed: name }, () => `removed ${name}`);
  }));
}
