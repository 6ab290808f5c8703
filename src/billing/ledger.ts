/**
 * The append-only credit ledger. Entries are only inserted (purchases, grants, refunds,
 * adjustments, expiries); usage debits are the usage events themselves (one per request,
 * idempotent by request id), summed through the daily rollups written in the same transaction.
 * A balance is therefore always a projection: Σ entries − Σ usage cost, recomputable at any time.
 */
import type { Kysely } from 'kysely';
import type { DB, RowOf } from '../store/schema.ts';
import { newId } from '../core/ids.ts';
import { recordChange } from '../store/change-log.ts';
import { invalidRequest } from '../core/errors.ts';
import { picoToUsd } from '../core/money.ts';
import { SYSTEM, type Actor } from '../audit/actor.ts';
import { creditState, type CreditState } from './lots.ts';
import { CREDIT_KINDS, type EntryKind, type LedgerEntry } from './ledger-entry.ts';
import { recordAudit } from '../audit/log.ts';
import { fitsStorage, MAX_STORED_PICO, sumExact } from '../store/wide-money.ts';
import { spendOf } from '../usage/daily.ts';
import type { Clock } from '../core/clock.ts';

export { CREDIT_KINDS, type EntryKind, type LedgerEntry } from './ledger-entry.ts';

const toEntry = (r: RowOf<DB['ledger_entries']>): LedgerEntry => ({
  id: r.id,
  orgId: r.org_id,
  kind: r.kind as EntryKind,
  amount: BigInt(r.amount),
  createdAt: Number(r.created_at),
  expiresAt: r.expires_at == null ? null : Number(r.expires_at),
  ref: r.ref,
  note: r.note,
});

/** Σ of all ledger entries (credits in, expiries out) for one org, or every org. */
export async function creditTotals(db: Kysely<DB>, orgId?: string): Promise<Map<string, bigint>> {
  let q = db
    .selectFrom('ledger_entries')
    .select(['org_id', sumExact('amount').as('total')])
    .groupBy('org_id');
  if (orgId) q = q.where('org_id', '=', orgId);
  return new Map((await q.execute()).map((r) => [r.org_id, BigInt(r.total)]));
}

/**
 * Per org, the instants (ascending) at which its expiring credit lots lapse (or lapsed) while no
 * expiry entry is written for them yet: admission stops counting them at that instant.
 */
export async function pendingLapses(db: Kysely<DB>): Promise<Map<string, number[]>> {
  const expiring = await db
    .selectFrom('ledger_entries')
    .select(['id', 'org_id', 'expires_at'])
    .where('expires_at', 'is not', null)
    .where('amount', '>', 0n)
    .execute();
  const recorded = new Set((await db.selectFrom('ledger_entries').select('ref').where('kind', '=', 'expiry').execute()).map((r) => r.ref));
  const pending = new Map<string, number[]>();
  for (const e of expiring) {
    if (recorded.has(`expiry:${e.id}`)) continue;
    const list = pending.get(e.org_id) ?? [];
    list.push(Number(e.expires_at));
    pending.set(e.org_id, list);
  }
  for (const l of pending.values()) l.sort((a, b) => a - b);
  return pending;
}

export class Ledger {
  constructor(
    private db: Kysely<DB>,
    private clock: Clock,
    private actor: Actor = SYSTEM,
  ) {}

  /** Appends an entry. With `ref`, a repeat of the same ref is a no-op (returns the first). */
  async append(
    e: { orgId: string; kind: EntryKind; amount: bigint; expiresAt?: number | null; ref?: string | null; note?: string | null },
    db: Kysely<DB> = this.db,
  ): Promise<LedgerEntry> {
    if (!CREDIT_KINDS.includes(e.kind)) throw invalidRequest(`unknown ledger entry kind ${e.kind}`);
    if ((e.kind === 'purchase' || e.kind === 'grant') && e.amount <= 0n) throw invalidRequest('credit amounts must be positive');
    if (!fitsStorage(e.amount)) throw invalidRequest(`amount too large: one ledger entry holds at most $${picoToUsd(MAX_STORED_PICO)}`);
    if (e.ref) {
      const dup = await db.selectFrom('ledger_entries').selectAll().where('ref', '=', e.ref).executeTakeFirst();
      if (dup) return toEntry(dup);
    }
    const row = {
      id: newId('ledg'),
      org_id: e.orgId,
      kind: e.kind,
      amount: e.amount,
      created_at: this.clock.now(),
      expires_at: e.expiresAt ?? null,
      ref: e.ref ?? null,
      note: e.note ?? null,
    };
    const write = async (trx: Kysely<DB>) => {
      const r = await trx
        .insertInto('ledger_entries')
        .values(row)
        .onConflict((oc) => oc.doNothing())
        .executeTakeFirst();
      if (r.numInsertedOrUpdatedRows === 0n) return; // a concurrent repeat of the same ref won
      await recordAudit(trx, this.actor, row.created_at, {
        orgId: e.orgId,
        action: `credits.${e.kind}`,
        targetType: 'ledger_entry',
        targetId: row.id,
        after: {
          kind: e.kind,
          amount_usd: picoToUsd(e.amount),
          expires_at: row.expires_at == null ? null : new Date(row.expires_at).toISOString(),
          ref: row.ref,
          note: row.note,
        },
      });
      await recordChange(trx, 'credits', this.clock.now(), e.orgId);
    };
    if (db.isTransaction) await write(db);
    else await db.transaction().execute(write);
    if (e.ref) {
      const won = await db.selectFrom('ledger_entries').selectAll().where('ref', '=', e.ref).executeTakeFirst();
      if (won) return toEntry(won);
    }
    return toEntry(row);
  }

  async entries(orgId: string): Promise<LedgerEntry[]> {
    return (await this.db.selectFrom('ledger_entries').selectAll().where('org_id', '=', orgId).orderBy('created_at').orderBy('id').execute()).map(toEntry);
  }

  /** Σ of all ledger entries (credits in, expiries out) for one org, or every org. */
  creditTotals(orgId?: string): Promise<Map<string, bigint>> {
    return creditTotals(this.db, orgId);
  }

  /** Σ usage cost for one org (all time), from the rollups. */
  async usageTotal(orgId: string): Promise<bigint> {
    return spendOf(this.db, { orgId });
  }

  /**
   * The balance now: Σ entries − Σ usage, less the remainders of lots that lapsed and whose expiry
   * entry the job has not written yet (a lot lapses at its instant, not at the next job run).
   * `credits` counts those lapsed remainders out, so balance = credits − usage.
   */
  async balance(orgId: string): Promise<{ credits: bigint; usage: bigint; balance: bigint }> {
    const credits = ((await this.creditTotals(orgId)).get(orgId) ?? 0n) - (await this.unrecordedLapsed(orgId));
    const usage = await this.usageTotal(orgId);
    return { credits, usage, balance: credits - usage };
  }

  /** Remainders of lots lapsed by now without an expiry entry (0 without a query when none lapsed). */
  async unrecordedLapsed(orgId: string): Promise<bigint> {
    const now = this.clock.now();
    const entries = await this.entries(orgId);
    const done = new Set(entries.filter((e) => e.kind === 'expiry').map((e) => e.ref));
    if (!entries.some((e) => e.expiresAt !== null && e.expiresAt <= now && e.amount > 0n && !done.has(`expiry:${e.id}`))) return 0n;
    return (await creditState(this.db, entries, orgId, now)).unrecordedLapsed;
  }

  /** Which lot paid for what (see billing/lots.ts). */
  async explain(orgId: string): Promise<CreditState> {
    return creditState(this.db, await this.entries(orgId), orgId, this.clock.now());
  }
}
