/**
 * Billing holds: an org whose card statement stayed unpaid past the grace period, or whose
 * invoice is overdue past the grace period, is suspended — its requests are refused with 402
 * `billing_error` / `org_suspended` until the debt is paid (paying lifts the hold at once).
 *
 * The gateway keeps the holds in memory (reloaded on the change log's `billing` domain), so the
 * admission check is one Map lookup, never a database round trip.
 */
import type { Kysely } from 'kysely';
import { codes, fail, type GatewayError } from '../../core/errors.ts';
import { recordChange } from '../../store/change-log.ts';
import type { DB } from '../../store/schema.ts';

export interface Hold {
  orgId: string;
  reason: string;
  ref: string | null;
  since: number;
}

const REASONS: Record<string, string> = {
  card_payment_failed: 'the card on file was declined for the monthly statement and the grace period has ended',
  invoice_overdue: 'an invoice is overdue and the grace period has ended',
};

export function suspendedError(h: Hold): GatewayError {
  if (h.reason === 'operator') {
    return fail.org_suspended('Your organization is suspended by the operator of this gateway. Contact them to restore access.', {
      details: { error_code: codes.org_suspended, reason: h.reason, since: new Date(h.since).toISOString() },
    });
  }
  return fail.org_suspended(
    `Your organization is suspended for non-payment: ${REASONS[h.reason] ?? h.reason}. Pay the outstanding amount (or update the card on file) to restore access.`,
    { details: { error_code: codes.org_suspended, reason: h.reason, since: new Date(h.since).toISOString() } },
  );
}

export async function loadHolds(db: Kysely<DB>): Promise<Hold[]> {
  return (await db.selectFrom('billing_holds').selectAll().execute()).map((r) => ({ orgId: r.org_id, reason: r.reason, ref: r.ref, since: Number(r.since) }));
}

export async function placeHold(db: Kysely<DB>, h: Hold): Promise<boolean> {
  const r = await db
    .insertInto('billing_holds')
    .values({ org_id: h.orgId, reason: h.reason, ref: h.ref, since: h.since })
    .onConflict((oc) => oc.column('org_id').doNothing())
    .executeTakeFirst();
  const placed = BigInt(r.numInsertedOrUpdatedRows ?? 0n) === 1n;
  if (placed) await recordChange(db, 'billing', h.since);
  return placed;
}

export async function liftHold(db: Kysely<DB>, orgId: string, now: number): Promise<boolean> {
  const r = await db.deleteFrom('billing_holds').where('org_id', '=', orgId).executeTakeFirst();
  if (r.numDeletedRows > 0n) await recordChange(db, 'billing', now);
  return r.numDeletedRows > 0n;
}

/** The in-memory view the admission step reads. */
export class HoldCache {
  private byOrg = new Map<string, Hold>();
  constructor(private db: Kysely<DB>) {}
  async reload(): Promise<void> {
    this.byOrg = new Map((await loadHolds(this.db)).map((h) => [h.orgId, h]));
  }
  get(orgId: string): Hold | undefined {
    return this.byOrg.get(orgId);
  }
  /** The refusal for a suspended org, or undefined (the admission hook). */
  refusal = (orgId: string): GatewayError | undefined => {
    const h = this.byOrg.get(orgId);
    return h ? suspendedError(h) : undefined;
  };
}
