/**
 * `tollgate alerts webhook add | email add | list | disable` and `tollgate outbox` — who hears
 * about spend thresholds, limits and low credits, what was sent, and mail kept when no SMTP
 * server is configured. A webhook's signing secret is printed once, at creation.
 */
import type { Command } from 'commander';
import { AccountsService } from '../../accounts/service.ts';
import { AlertService } from '../../billing/alerts/service.ts';
import type { DeliveryView } from '../../billing/alerts/types.ts';
import { picoToUsd } from '../../core/money.ts';
import { SecretBox } from '../../core/secret-box.ts';
import { withContext, type CliContext } from '../context.ts';
import { iso, print, table } from '../output.ts';

const service = ({ store, config, clock, actor }: CliContext) =>
  new AlertService(store.db, { clock, smtp: config.smtp, actor, box: config.masterKey ? new SecretBox(config.masterKey) : undefined });

const intOpt = (name: string) => (v: string) => {
  if (!/^\d+$/.test(v) || Number(v) < 1) throw new Error(`${name}: expected a positive integer, got ${v}`);
  return Number(v);
};

/** Latest attempt per channel of one alert, with the number of attempts made. */
function summarise(ds: DeliveryView[]) {
  const byChannel = new Map<string, DeliveryView[]>();
  for (const d of ds) byChannel.set(d.channelId, [...(byChannel.get(d.channelId) ?? []), d]);
  return [...byChannel.entries()].map(([channel, list]) => {
    const last = list.reduce((a, b) => (b.attempt > a.attempt ? b : a));
    return {
      channel_id: channel,
      status: last.status,
      attempts: last.attempt,
      status_code: last.statusCode,
      error: last.error,
      next_attempt_at: iso(last.nextAttemptAt),
      delivered_at: iso(last.deliveredAt),
    };
  });
}

export function registerAlerts(program: Command): void {
  const alerts = program.command('alerts').description('spend and credit alerts: webhook and e-mail recipients, sent alerts');

  alerts
    .command('webhook')
    .description('webhook recipients')
    .command('add')
    .description('add a webhook; prints its signing secret once')
    .requiredOption('--org <org>', 'org id')
    .requiredOption('--url <url>', 'https:// endpoint that receives signed POSTs')
    .option('--json', 'machine-readable output')
    .action((o) =>
      withContext(async (ctx) => {
        await new AccountsService(ctx.store.db, ctx.clock).requireOrg(o.org);
        const c = await service(ctx).addWebhook(o.org, o.url);
        const out = { id: c.id, org_id: c.orgId, kind: c.kind, target: c.target, created_at: iso(c.createdAt), secret: c.secret };
        print(
          o.json,
          out,
          () =>
            `added webhook ${out.id} → ${out.target}\n\n  signing secret: ${out.secret}\n\nStore it now: it is shown only once. Verify each POST's tollgate-signature header with it.`,
        );
      }),
    );

  alerts
    .command('email')
    .description('e-mail recipients')
    .command('add')
    .description('add an e-mail recipient')
    .requiredOption('--org <org>', 'org id')
    .requiredOption('--to <address>', 'e-mail address')
    .option('--json', 'machine-readable output')
    .action((o) =>
      withContext(async (ctx) => {
        await new AccountsService(ctx.store.db, ctx.clock).requireOrg(o.org);
        const c = await service(ctx).addEmail(o.org, o.to);
        const out = { id: c.id, org_id: c.orgId, kind: c.kind, target: c.target, created_at: iso(c.createdAt) };
        print(o.json, out, () => `added e-mail recipient ${out.id} → ${out.target}`);
      }),
    );

  alerts
    .command('list')
    .description("an org's channels, recent alerts and their delivery status")
    .requiredOption('--org <org>', 'org id')
    .option('--limit <n>', 'recent alerts to show', intOpt('--limit'), 20)
    .option('--json', 'machine-readable output')
    .action((o) =>
      withContext(async (ctx) => {
        await new AccountsService(ctx.store.db, ctx.clock).requireOrg(o.org);
        const svc = service(ctx);
        const channels = (await svc.listChannels(o.org)).map((c) => ({
          id: c.id,
          kind: c.kind,
          target: c.target,
          status: c.disabledAt == null ? 'enabled' : 'disabled',
          created_at: iso(c.createdAt),
          disabled_at: iso(c.disabledAt),
        }));
        const deliveries = await svc.deliveries(o.org, 1000);
        const recent = (await svc.alerts(o.org, o.limit)).map((a) => ({
          id: a.id,
          kind: a.kind,
          scope: a.scope,
          scope_id: a.scopeId,
          period: a.period,
          threshold: a.kind === 'credits_low' ? picoToUsd(a.threshold) : Number(a.threshold),
          spent_usd: picoToUsd(a.amountPico),
          limit_usd: a.limitPico == null ? null : picoToUsd(a.limitPico),
          balance_usd: a.balancePico == null ? null : picoToUsd(a.balancePico),
          created_at: iso(a.createdAt),
          deliveries: summarise(deliveries.filter((d) => d.alertId === a.id)),
        }));
        const out = { org_id: o.org, channels, alerts: recent };
        print(o.json, out, () =>
          [
            'Channels',
            table(channels, ['id', 'kind', 'target', 'status', 'created_at']),
            '',
            'Recent alerts',
            table(
              recent.map((a) => ({ ...a, deliveries: a.deliveries.map((d) => `${d.channel_id}:${d.status}(${d.attempts})`).join(' ') })),
              ['id', 'kind', 'scope', 'scope_id', 'period', 'threshold', 'spent_usd', 'limit_usd', 'created_at', 'deliveries'],
            ),
          ].join('\n'),
        );
      }),
    );

  alerts
    .command('disable')
    .description('disable a channel (its pending retries are dropped)')
    .argument('<channel_id>')
    .option('--json', 'machine-readable output')
    .action((id, o) =>
      withContext(async (ctx) => {
        const c = await service(ctx).disableChannel(id);
        const out = { id: c.id, org_id: c.orgId, kind: c.kind, target: c.target, disabled_at: iso(c.disabledAt) };
        print(o.json, out, () => `disabled ${out.id} (${out.kind} ${out.target})`);
      }),
    );

  program
    .command('outbox')
    .description('alert mail kept instead of sent (no SMTP_URL configured), newest first')
    .option('--limit <n>', 'how many', intOpt('--limit'), 20)
    .option('--org <org>', "only this org's mail")
    .option('--json', 'machine-readable output')
    .action((o) =>
      withContext(async (ctx) => {
        const mails = (await service(ctx).outbox(o.limit, o.org)).map((m) => ({
          id: m.id,
          to: m.to,
          subject: m.subject,
          text: m.text,
          created_at: iso(m.createdAt),
          alert_id: m.alertId,
        }));
        print(o.json, mails, () =>
          mails.length ? mails.map((m) => `${m.created_at}  to ${m.to}\n${m.subject}\n\n${m.text}`).join('\n' + '-'.repeat(60) + '\n') : '(outbox is empty)',
        );
      }),
    );
}
