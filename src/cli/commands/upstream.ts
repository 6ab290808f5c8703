/** `tollgate upstream add|list|remove` — provider credentials (sealed with the master key), pools and health. */
import type { Command } from 'commander';
import { SecretBox } from '../../core/secret-box.ts';
import { UpstreamService, UPSTREAM_KINDS } from '../../providers/service.ts';
import type { UpstreamTimeouts } from '../../providers/types.ts';
import type { Config } from '../../config/config.ts';
import { withContext, type CliContext } from '../context.ts';
import { print, table } from '../output.ts';

const int = (v: string | undefined, flag: string, min: number): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new Error(`${flag}: expected a whole number ≥ ${min}, got ${v}`);
  return n;
};

/**
 * Live health from the running gateway's admin API (`GET /admin/v1/upstreams`, operator token):
 * breaker state, recent failures and latency are in the gateway's memory, not in the database.
 */
async function liveHealth(config: Config): Promise<{ byName: Map<string, Record<string, unknown>>; note?: string }> {
  const base = config.gatewayUrl ?? `http://127.0.0.1:${config.port}`;
  if (!config.adminToken) return { byName: new Map(), note: 'set TOLLGATE_ADMIN_TOKEN to read health from the running gateway' };
  try {
    const r = await fetch(`${base.replace(/\/+$/, '')}/admin/v1/upstreams`, {
      headers: { authorization: `Bearer ${config.adminToken}` },
      signal: AbortSignal.timeout(3000),
    });
    if (!r.ok) return { byName: new Map(), note: `the gateway at ${base} answered HTTP ${r.status}` };
    const j = (await r.json()) as { upstreams: Array<Record<string, unknown>> };
    return { byName: new Map(j.upstreams.map((u) => [String(u.name), u])) };
  } catch (e) {
    return { byName: new Map(), note: `no gateway reachable at ${base} (${(e as Error).message}); set TOLLGATE_URL` };
  }
}

export function registerUpstream(program: Command): void {
  const up = program.command('upstream').description('model providers the gateway forwards to');
  const svc = (ctx: CliContext) =>
    new UpstreamService(ctx.store.db, ctx.config.masterKey ? new SecretBox(ctx.config.masterKey) : undefined, ctx.clock, ctx.actor);

  up.command('add')
    .description('add (or replace) an upstream')
    .requiredOption('--name <name>', 'a short name')
    .requiredOption('--kind <kind>', `adapter: ${UPSTREAM_KINDS.join(', ')}`)
    .requiredOption('--base-url <url>', 'e.g. https://api.deepseek.com/v1')
    .option('--api-key <key>', 'the provider key (or set UPSTREAM_API_KEY to keep it out of shell history); without it, an existing upstream keeps its key')
    .option('--keep-key', 'keep the stored key although --base-url or --kind changes (it will be sent to the new address)')
    .option('--models <ids>', 'comma-separated model ids or aliases it serves, or * for its provider family', '*')
    .option('--map <pairs>', 'customer=upstream model id pairs, comma-separated')
    .option('--priority <n>', 'pool order: lower is tried first (default: after the existing upstreams)')
    .option('--weight <w>', 'share of the load among upstreams of equal priority (default 1)')
    .option('--headers-timeout-ms <n>', 'fall back when no response headers arrive within this')
    .option('--idle-timeout-ms <n>', 'cut a stream when no chunk arrives for this long')
    .option('--total-timeout-ms <n>', 'limit one attempt, headers to last byte')
    .option('--json', 'machine-readable output')
    .action((o) =>
      withContext(async (ctx) => {
        const modelMap = o.map
          ? Object.fromEntries(
              String(o.map)
                .split(',')
                .map((p: string) => p.split('=').map((s) => s.trim())),
            )
          : undefined;
        const timeouts: UpstreamTimeouts = {};
        const h = int(o.headersTimeoutMs, '--headers-timeout-ms', 1),
          i = int(o.idleTimeoutMs, '--idle-timeout-ms', 1),
          t = int(o.totalTimeoutMs, '--total-timeout-ms', 1);
        if (h !== undefined) timeouts.headersMs = h;
        if (i !== undefined) timeouts.betweenEventsMs = i;
        if (t !== undefined) timeouts.totalMs = t;
        const v = await svc(ctx).add({
          name: o.name,
          kind: o.kind,
          baseUrl: o.baseUrl,
          apiKey: o.apiKey ?? process.env.UPSTREAM_API_KEY,
          keepKey: Boolean(o.keepKey),
          models:
            o.models === '*'
              ? '*'
              : String(o.models)
                  .split(',')
                  .map((s: string) => s.trim()),
          modelMap,
          priority: int(o.priority, '--priority', 0),
          weight: int(o.weight, '--weight', 1),
          timeouts,
        });
        print(o.json, v, () => `upstream ${v.name} (${v.kind}) → ${v.base_url}, priority ${v.priority}, weight ${v.weight}${v.has_key ? ', key sealed' : ''}`);
      }),
    );

  up.command('list')
    .description('upstreams with their pool settings and, from the running gateway, breaker state, recent failures and latency')
    .option('--json', 'machine-readable output')
    .action((o) =>
      withContext(async (ctx) => {
        const rows = await svc(ctx).list();
        const live = await liveHealth(ctx.config);
        const seen = new Set(rows.map((r) => r.name));
        // Upstreams from the config file and the environment are in the gateway's list only.
        const out = [
          ...rows.map((r) => ({ ...r, source: 'database', ...(live.byName.get(r.name) ?? { state: null }) })),
          ...[...live.byName.values()].filter((u) => !seen.has(String(u.name))).map((u) => ({ ...u, source: 'config' })),
        ];
        if (o.json) return print(true, live.note ? out.map((r) => ({ ...r, health_note: live.note })) : out, () => '');
        print(
          false,
          out,
          () =>
            `${table(
              // biome-ignore lint/suspicious/noExplicitAny: CLI printing of rows whose shapes differ by source; output only
              out.map((r: any) => ({
                name: r.name,
                kind: r.kind,
                priority: r.priority,
                weight: r.weight,
                state: r.state ?? '?',
                failures: r.recent_failures?.length ?? '?',
                latency_p50_ms: r.latency_ms?.p50 ?? '-',
                cooling_until: r.cooling_until ?? '-',
                models: r.models === undefined ? '' : r.models === '*' ? '*' : r.models.join(','),
              })),
            )}${live.note ? `\n(${live.note})` : ''}`,
        );
      }),
    );

  up.command('remove')
    .argument('<name>')
    .option('--json', 'machine-readable output')
    .action((name, o) =>
      withContext(async (ctx) => {
        await svc(ctx).remove(name);
        print(o.json, { removed: name }, () => `removed ${name}`);
      }),
    );
}
