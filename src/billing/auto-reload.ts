/**
 * Auto-reload: when an org's balance falls below its threshold, buy the configured amount through
 * the payment provider. Never twice for the same dip: the purchase's ref is
 * `autoreload:<org>:<credit total at the time>` — every instance that sees the same dip computes the
 * same ref, and a reload changes the credit total, so only a new dip can trigger a new purchase.
 * Without a card provider (Stripe) auto-reload does nothing: the manual provider collects no money.
 */
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { DB } from '../store/schema.ts';
import { recordChange } from '../store/change-log.ts';
import { SYSTEM, type Actor } from '../audit/actor.ts';
import { recordAudit } from '../audit/log.ts';
import { picoToUsd } from '../core/money.ts';
import type { PaymentProvider } from './payments.ts';
import type { Clock } from '../core/clock.ts';

export interface ReloadSettings {
  reloadBelow: bigint | null;
  reloadAmount: bigint | null;
  lowBalance: bigint | null;
}

export class BillingSettings {
  private byOrg = new Map<string, ReloadSettings>();
  constructor(
    private db: Kysely<DB>,
    private clock: Clock,
    private actor: Actor = SYSTEM,
  ) {}

  async reload(): Promise<void> {
    const rows = await this.db.selectFrom('billing_settings').selectAll().execute();
    this.byOrg = new Map(rows.map((r) => [r.org_id, { reloadBelow: r.reload_below, reloadAmount: r.reload_amount, lowBalance: r.low_balance }]));
  }

  get(orgId: string): ReloadSettings | undefined {
    return this.byOrg.get(orgId);
  }

  async set(orgId: string, s: Partial<ReloadSettings>): Promise<ReloadSettings> {
    const cur = await this.db.selectFrom('billing_settings').selectAll().where('org_id', '=', orgId).executeTakeFirst();
    const next = {
      org_id: orgId,
      reload_below: s.reloadBelow !== undefined ? s.reloadBelow : (cur?.reload_below ?? null),
      reload_amount: s.reloadAmount !== undefined ? s.reloadAmount : (cur?.reload_amount ?? null),
      low_balance: s.lowBalance !== undefined ? s.lowBalance : (cur?.low_balance ?? null),
      updated_at: this.clock.now(),
    };
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('billing_settings')
        .values(next)
        .onConflict((oc) => oc.column('org_id').doUpdateSet(next))
        .execute();
      const usd = (p: bigint | null) => (p === null ? null : picoToUsd(p));
      const view = (r: { reload_below: bigint | null; reload_amount: bigint | null; low_balance: bigint | null } | undefined) =>
        r && { reload_below_usd: usd(r.reload_below), reload_amount_usd: usd(r.reload_amount), low_balance_usd: usd(r.low_balance) };
      await recordAudit(trx, this.actor, next.updated_at, {
        orgId,
        action: 'credits.settings',
        targetType: 'billing_settings',
        targetId: orgId,
        before: view(cur),
        after: view(next),
      });
      await recordChange(trx, 'credits', this.clock.now(), orgId);
    });
    return { reloadBelow: next.reload_below, reloadAmount: next.reload_amount, lowBalance: next.low_balance };
  }
}

export class AutoReloader {
  private inFlight = new Set<string>();
  constructor(
    private settings: BillingSettings,
    private provider: PaymentProvider | null,
    private log: Logger,
  ) {}

  /** Called after spend lands; buys credits if the balance dipped below the org's threshold. */
  maybeReload(orgId: string, balance: bigint, creditTotal: bigint): void {
    const s = this.settings.get(orgId);
    if (!s?.reloadBelow || !s.reloadAmount || balance >= s.reloadBelow) return;
    const provider = this.provider;
    if (!provider) return;
    const ref = `autoreload:${orgId}:${creditTotal}`;
    if (this.inFlight.has(ref)) return;
    this.inFlight.add(ref);
    // A purchase that went through changes the credit total (a new ref); one that failed may be
    // retried soon (a new card was saved) — the provider itself refuses while auto-reload is paused.
    let holdMs = 60_000;
    provider
      .purchase({ orgId, amount: s.reloadAmount, ref, note: 'auto-reload' })
      .then((r) => {
        if (r.status === 'failed') holdMs = 2_000;
        this.log.info({ orgId, status: r.status, provider: provider.name, error: r.error }, 'auto-reload purchase');
      })
      .catch((e) => this.log.error({ err: e, orgId }, 'auto-reload failed'))
      .finally(() => setTimeout(() => this.inFlight.delete(ref), holdMs).unref());
  }
}
