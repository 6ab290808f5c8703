/**
 * Credit expiry. Usage consumes credit lots in order of expiry (earliest first, non-expiring
 * last), so expiring credits are used before they lapse. When a lot's expiry passes, an `expiry`
 * entry removes its unused remainder — once (the entry's ref is `expiry:<lot id>`), so the
 * balance projection stays Σ entries − Σ usage.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../store/schema.ts';
import { Ledger, type LedgerEntry } from './ledger.ts';

interface Lot { entry: LedgerEntry; capacity: bigint }

/** Unused remainder of each credit lot after `usage`, consumed in expiry order. */
export function lotRemainders(entries: LedgerEntry[], usage: bigint): Map<string, bigint> {
  const expired = new Map<string, bigint>();
  for (const e of entries) if (e.kind === 'expiry' && e.ref?.startsWith('expiry:')) expired.set(e.ref.slice(7), -e.amount);
  const lots: Lot[] = entries
    .filter((e) => (e.kind === 'purchase' || e.kind === 'grant' || e.kind === 'refund' || (e.kind === 'adjustment' && e.amount > 0n)))
    .map((e) => ({ entry: e, capacity: e.amount - (expired.get(e.id) ?? 0n) }))
    .sort((a, b) => (a.entry.expiresAt ?? Infinity) - (b.entry.expiresAt ?? Infinity) || a.entry.createdAt - b.entry.createdAt);
  // Negative adjustments consume like usage.
  let left = usage + entries.filter((e) => e.kind === 'adjustment' && e.amount < 0n).reduce((s, e) => s - e.amount, 0n);
  const out = new Map<string, bigint>();
  for (const l of lots) {
    const used = left < l.capacity ? (left > 0n ? left : 0n) : l.capacity;
    left -= used;
    out.set(l.entry.id, l.capacity - used);
  }
  return out;
}

/** Writes expiry entries for every lot whose expiry has passed; returns how many were written. */
export async function expireCredits(db: Kysely<DB>, now: number): Promise<number> {
  const due = await db.selectFrom('ledger_entries').select(['org_id']).distinct()
    .where('expires_at', 'is not', null).where('expires_at', '<=', BigInt(now)).execute();
  const ledger = new Ledger(db, () => now);
  let written = 0;
  for (const { org_id } of due) {
    const entries = await ledger.entries(org_id);
    const done = new Set(entries.filter((e) => e.kind === 'expiry').map((e) => e.ref));
    const lapsed = entries.filter((e) => e.expiresAt !== null && e.expiresAt <= now && e.amount > 0n && !done.has(`expiry:${e.id}`));
    if (!lapsed.length) continue;
    const remainders = lotRemainders(entries, await ledger.usageTotal(org_id));
    for (const lot of lapsed) {
      const rest = remainders.get(lot.id) ?? 0n;
      await ledger.append({ orgId: org_id, kind: 'expiry', amount: -rest, ref: `expiry:${lot.id}`, note: `unused ${lot.kind} expired` });
      written++;
    }
  }
  return written;
}
