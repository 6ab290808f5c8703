/** `tollgate usage dead-letters [--replay]` — usage events the database refused: list them, or write them again. */
import type { Command } from 'commander';
import { recordAudit } from '../../audit/log.ts';
import { listDeadLetters, replayDeadLetters } from '../../usage/dead-letters.ts';
import { withContext } from '../context.ts';
import { print, table } from '../output.ts';

export function registerDeadLetters(usage: Command): void {
  // `usage` itself requires --org; its subcommand does not. Commander checks a parent's mandatory
  // options for subcommands too, so the check moves to a hook that runs for `usage` alone.
  const org = usage.options.find((opt) => opt.long === '--org');
  if (org?.mandatory) {
    org.mandatory = false;
    usage.hook('preAction', (_cmd, action) => {
      if (action === usage && usage.opts().org === undefined) usage.error("error: required option '--org <org>' not specified");
    });
  }
  usage
    .command('dead-letters')
    .description('usage events the database refused (kept whole; nothing is lost); --replay writes them again')
    .option('--replay', 'write every open dead letter again (idempotent by request id)')
    .option('--all', 'include dead letters already replayed')
    .option('--json', 'machine-readable output')
    .action((o) =>
      withContext(async ({ store, clock, actor }) => {
        o.json ||= usage.opts().json; // `usage` has its own --json, which commander fills first
        if (o.replay) {
          const r = await replayDeadLetters(store, clock);
          for (const id of r.replayed) {
            const row = await store.db.selectFrom('usage_dead_letters').select('org_id').where('id', '=', id).executeTakeFirst();
            await recordAudit(store.db, actor, clock.now(), {
              orgId: row?.org_id || null,
              action: 'usage.dead_letter.replay',
              targetType: 'usage_event',
              targetId: id,
            });
          }
          print(o.json, r, () => `replayed ${r.replayed.length}, still refused ${r.failed.length}${r.failed.length ? `\n\n${table(r.failed)}` : ''}`);
          if (r.failed.length) process.exitCode = 1;
          return;
        }
        const rows = await listDeadLetters(store, { all: o.all });
        print(o.json, rows, () => table(rows.map((r) => ({ id: r.id, org: r.org_id, at: r.created_at, replayed: r.replayed_at, error: r.error }))));
      }),
    );
}
