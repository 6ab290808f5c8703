/**
 * Switching an org's billing mode (prepaid ↔ card ↔ invoice) without billing any usage twice or
 * missing any:
 *
 *  - A switch takes effect at the next month boundary (00:00 UTC on the 1st): until then it is a
 *    pending change (`tollgate billing show`, `org show`, the admin API's billing view). A newer
 *    request replaces it; asking for the current mode cancels it.
 *  - With `now` (the operator's `--now`) it takes effect at once, and the month is split at that
 *    instant: usage admitted before it gets the old mode's treatment, usage after it the new one's.
 *
 * Every applied change stays in `billing_mode_changes`, so each usage event's treatment follows
 * from its admission instant (`usage_events.created_at`): invoices bill only the usage admitted
 * while the org was post-paid (`prepaidWindows` is what they leave out), and when an org leaves
 * post-paid billing the usage of its post-paid stretch — billed by invoice — is given back to its
 * credit balance by a ledger entry (`postpaid:<change id>:…`; usage of that stretch written late is
 * returned at the next month close), so prepaid credits never pay for it.
 */
import type { Kysely } from 'kysely';
import { SYSTEM, type Actor } from '../audit/actor.ts';
import { recordAudit } from '../audit/log.ts';
import { nextMonthStart, type Clock } from '../core/clock.ts';
import { fail, notFound } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import { picoToUsd } from '../core/money.ts';
import { recordChange } from '../store/change-log.ts';
import type { DB } from '../store/schema.ts';
import { sumExact } from '../store/wide-money.ts';
import { costBetween } from '../usage/events.ts';
import { Ledger } from './ledger.ts';

export const BILLING_MODES = ['prepaid', 'card', 'invoice'] as const;
export type BillingMode = (typeof BILLING_MODES)[number];
export const isPostpaid = (m: string) => m === 'card' || m === 'invoice';

export interface PendingChange {
  from: string;
  to: string;
  effective_at: string;
  requested_at: string;
}
const iso = (ms: number | bigint) => new Date(Number(ms)).toISOString();
/** Beyond any instant (epoch ms). */
const FOREVER = 8_640_000_000_000_000;

export class BillingModes {
  constructor(
    private db: Kysely<DB>,
    private clock: Clock,
    private actor: Actor = SYSTEM,
  ) {}

  /** Asks for `to`: pending until the next month boundary, or applied at once with `now`. */
  async request(
    orgId: string,
    to: string,
    opts: { now?: boolean } = {},
  ): Promise<{ billing_mode: string; pending: PendingChange | null; applied_at: string | null }> {
    if (!(BILLING_MODES as readonly string[]).includes(to))
      throw fail.invalid_billing_mode(`billing mode is prepaid, card or invoice, got ${JSON.stringify(to)}`);
    const t = this.clock.now();
    const org = await this.db.selectFrom('orgs').select(['id', 'billing_mode']).where('id', '=', orgId).executeTakeFirst();
    if (!org) throw notFound(`org ${orgId} not found`);
    await this.db.transaction().execute(async (trx) => {
      await trx.updateTable('billing_mode_changes').set({ status: 'cancelled' }).where('org_id', '=', orgId).where('status', '=', 'pending').execute();
      if (to === org.billing_mode) return;
      const row = {
        id: newId('bmc'),
        org_id: orgId,
        from_mode: org.billing_mode,
        to_mode: to,
        requested_at: t,
        effective_at: opts.now ? t : nextMonthStart(t),
        status: 'pending',
        applied_at: null,
      };
      await trx.insertInto('billing_mode_changes').values(row).execute();
      await recordAudit(trx, this.actor, t, {
        orgId,
        action: 'org.billing_mode',
        targetType: 'org',
        targetId: orgId,
        before: { billing_mode: org.billing_mode },
        after: { billing_mode: to, effective_at: iso(row.effective_at), now: !!opts.now },
      });
    });
    if (opts.now) await this.applyDue(orgId);
    const after = await this.db.selectFrom('orgs').select('billing_mode').where('id', '=', orgId).executeTakeFirstOrThrow();
    return { billing_mode: after.billing_mode, pending: await this.pending(orgId), applied_at: opts.now && to !== org.billing_mode ? iso(t) : null };
  }

  async pending(orgId: string): Promise<PendingChange | null> {
    const p = await this.db.selectFrom('billing_mode_changes').selectAll().where('org_id', '=', orgId).where('status', '=', 'pending').executeTakeFirst();
    return p ? { from: p.from_mode, to: p.to_mode, effective_at: iso(p.effective_at), requested_at: iso(p.requested_at) } : null;
  }

  /** Applies every pending change whose instant has come (billing tick, month close); each once (compare-and-set). */
  async applyDue(orgId?: string): Promise<number> {
    const t = this.clock.now();
    let q = this.db.selectFrom('billing_mode_changes').selectAll().where('status', '=', 'pending').where('effective_at', '<=', BigInt(t));
    if (orgId) q = q.where('org_id', '=', orgId);
    let n = 0;
    for (const c of await q.orderBy('effective_at').execute()) {
      await this.db.transaction().execute(async (trx) => {
        const won = await trx
          .updateTable('billing_mode_changes')
          .set({ status: 'applied', applied_at: t })
          .where('id', '=', c.id)
          .where('status', '=', 'pending')
          .executeTakeFirst();
        if (won.numUpdatedRows !== 1n) return;
        await trx.updateTable('orgs').set({ billing_mode: c.to_mode }).where('id', '=', c.org_id).execute();
        if (isPostpaid(c.from_mode) && !isPostpaid(c.to_mode)) await this.returnPostpaidUsage(trx, c.org_id, c.id, Number(c.effective_at));
        await recordChange(trx, 'orgs', t, c.org_id);
        n++;
      });
    }
    return n;
  }

  /**
   * The post-paid stretch ending at `end` was billed by invoice: its usage goes back to the credit
   * balance. Run again at every month close, it also returns usage of that stretch written late
   * (the entry's ref names the total returned so far, so each amount is returned once).
   */
  private async returnPostpaidUsage(trx: Kysely<DB>, orgId: string, changeId: string, end: number): Promise<void> {
    const into = await trx
      .selectFrom('billing_mode_changes')
      .select('effective_at')
      .where('org_id', '=', orgId)
      .where('status', '=', 'applied')
      .where('id', '!=', changeId)
      .where('effective_at', '<=', BigInt(end))
      .where('from_mode', '=', 'prepaid')
      .orderBy('effective_at', 'desc')
      .executeTakeFirst();
    const start = into ? Number(into.effective_at) : 0;
    const cost = await costBetween(trx, orgId, start, end);
    const done = await trx
      .selectFrom('ledger_entries')
      .select(sumExact('amount').as('amount'))
      .where('org_id', '=', orgId)
      .where('ref', 'like', `postpaid:${changeId}:%`)
      .executeTakeFirst();
    const delta = cost - BigInt((done as { amount?: bigint } | undefined)?.amount ?? 0n);
    if (delta === 0n) return;
    await new Ledger(trx, this.clock, this.actor).append(
      {
        orgId,
        kind: 'adjustment',
        amount: delta,
        ref: `postpaid:${changeId}:${cost}`,
        note: `usage from ${iso(start)} to ${iso(end)} billed by invoice/statement ($${picoToUsd(delta)}), not by credits`,
      },
      trx,
    );
  }

  /** Returns late-written usage of every post-paid stretch the org left (month close). */
  async reconcile(orgId: string): Promise<void> {
    const left = await this.db
      .selectFrom('billing_mode_changes')
      .select(['id', 'from_mode', 'to_mode', 'effective_at'])
      .where('org_id', '=', orgId)
      .where('status', '=', 'applied')
      .execute();
    for (const c of left)
      if (isPostpaid(c.from_mode) && !isPostpaid(c.to_mode))
        await this.db.transaction().execute((trx) => this.returnPostpaidUsage(trx, orgId, c.id, Number(c.effective_at)));
  }
}

/** Instants [from, to) when the org was prepaid, from its applied changes (none recorded: []). Invoices leave this usage out. */
export async function prepaidWindows(db: Kysely<DB>, orgId: string): Promise<Array<[number, number]>> {
  const rows = await db
    .selectFrom('billing_mode_changes')
    .select(['from_mode', 'to_mode', 'effective_at'])
    .where('org_id', '=', orgId)
    .where('status', '=', 'applied')
    .orderBy('effective_at')
    .orderBy('applied_at')
    .execute();
  if (!rows.length) return [];
  const out: Array<[number, number]> = [];
  let mode = rows[0]!.from_mode;
  let start = 0;
  for (const r of rows) {
    const at = Number(r.effective_at);
    if (mode === 'prepaid' && at > start) out.push([start, at]);
    mode = r.to_mode;
    start = at;
  }
  if (mode === 'prepaid') out.push([start, FOREVER]);
  return out;
}

/** The post-paid mode an org had last during [from, to), or null if it was prepaid throughout. */
export async function postpaidModeDuring(db: Kysely<DB>, orgId: string, from: number, to: number): Promise<string | null> {
  const org = await db.selectFrom('orgs').select('billing_mode').where('id', '=', orgId).executeTakeFirst();
  if (!org) return null;
  const rows = await db
    .selectFrom('billing_mode_changes')
    .select(['from_mode', 'to_mode', 'effective_at'])
    .where('org_id', '=', orgId)
    .where('status', '=', 'applied')
    .orderBy('effective_at', 'desc')
    .orderBy('applied_at', 'desc')
    .execute();
  // Walk back from now: the mode in force just before each change is its from_mode.
  let mode = org.billing_mode;
  let until = FOREVER;
  for (const r of rows) {
    const at = Number(r.effective_at);
    if (at < to && until > from && isPostpaid(mode)) return mode;
    mode = r.from_mode;
    until = at;
    if (until <= from) break;
  }
  return until > from && isPostpaid(mode) ? mode : null;
}
