/**
 * Credit expiry. Usage consumes the credit lots that were live when it happened, earliest expiry
 * first (src/billing/lots.ts). A lot lapses at its expiry instant — balances and admission stop
 * counting it then — and this job records what lapsed: one `expiry` entry per lot removing its
 * remainder at that instant, once (the entry's ref is `expiry:<lot id>`), so the balance stays
 * Σ entries − Σ usage and the ledger explains every cent.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../store/schema.ts';
import { Ledger } from './ledger.ts';
import { creditState } from './lots.ts';
import { fixedClock } from '../core/clock.ts';

/** Writes expiry entries for every lot whose expiry has passed; returns how many were written. */
export async function expireCredits(db: Kysely<DB>, now: number): Promise<number> {
  const due = await db
    .selectFrom('ledger_entries')
    .select(['org_id'])
    .distinct()
    .where('expires_at', 'is not', null)
    .where('expires_at', '<=', BigInt(now))
    .execute();
  const ledger = new Ledger(db, fixedClock(now));
  let written = 0;
  for (const { org_id } of due) {
    const entries = await ledger.entries(org_id);
    const done = new Set(entries.filter((e) => e.kind === 'expiry').map((e) => e.ref));
    if (!entries.some((e) => e.expiresAt !== null && e.expiresAt <= now && e.amount > 0n && !done.has(`expiry:${e.id}`))) continue;
    const state = await creditState(db, entries, org_id, now);
    for (const lot of state.lots) {
      if (lot.status !== 'lapsed') continue;
      await ledger.append({
        orgId: org_id,
        kind: 'expiry',
        amount: -lot.remainder,
        ref: `expiry:${lot.id}`,
        note: `unused ${lot.kind} expired at ${new Date(lot.expiresAt!).toISOString()}`,
      });
      written++;
    }
  }
  return written;
}
