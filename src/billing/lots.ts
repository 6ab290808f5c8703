/**
 * Credit lots by time. Every positive ledger entry (purchase, grant, refund, positive
 * adjustment) is a lot, live from its `created_at` until its `expires_at` (exclusive; no expiry =
 * live forever). Usage debits consume the lots that were live *when the usage happened* (the
 * event's `created_at`), earliest expiry first, non-expiring last; negative adjustments debit at
 * their own instant. Usage no live lot could cover is a debt, paid by the next lot to arrive.
 * A lot lapses at its expiry instant: its remainder then is what expires (the expiry job records
 * it as an `expiry` entry; until then balance and admission subtract it themselves).
 *
 * The timeline only changes at lot and adjustment instants, so usage is summed per segment
 * between them (one indexed range sum each) — the allocation never reads events one by one.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../store/schema.ts';
import { costBetween } from '../usage/events.ts';
import { picoToUsd } from '../core/money.ts';
import type { LedgerEntry } from './ledger-entry.ts';

export interface LotView {
  id: string;
  kind: string;
  amount: bigint;
  createdAt: number;
  expiresAt: number | null;
  /** Consumed by usage and negative adjustments. */
  consumed: bigint;
  /** Unused: still spendable while live; what lapsed once expired. */
  remainder: bigint;
  status: 'live' | 'lapsed' | 'expired';
  /** For expired lots: the amount the recorded expiry entry removed. */
  expiredRecorded: bigint | null;
}
export interface SegmentView {
  from: number | null;
  to: number;
  usage: bigint;
  consumed: Array<{ lotId: string; amount: bigint }>;
  debt: bigint;
}
export interface CreditState {
  lots: LotView[];
  segments: SegmentView[];
  /** Usage no live lot covered (a negative balance), after every lot so far. */
  debt: bigint;
  /** Remainders of lots lapsed at `now` whose expiry entry is not written yet. */
  unrecordedLapsed: bigint;
  /** Σ live remainders − debt: what admission may spend now. */
  balance: bigint;
}

const isLot = (e: LedgerEntry) => e.kind === 'purchase' || e.kind === 'grant' || e.kind === 'refund' || (e.kind === 'adjustment' && e.amount > 0n);
const byExpiry = (a: LotView, b: LotView) => (a.expiresAt ?? Infinity) - (b.expiresAt ?? Infinity) || a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1);

/** Allocates usage to lots. `usageIn(from, to)` is Σ usage cost with from ≤ created_at < to (from null = since ever). */
export async function allocate(entries: LedgerEntry[], now: number, usageIn: (from: number | null, to: number) => Promise<bigint>): Promise<CreditState> {
  const recorded = new Map<string, bigint>();
  for (const e of entries) if (e.kind === 'expiry' && e.ref?.startsWith('expiry:')) recorded.set(e.ref.slice(7), -e.amount);
  const lots: LotView[] = entries.filter(isLot).map((e) => ({
    id: e.id,
    kind: e.kind,
    amount: e.amount,
    createdAt: e.createdAt,
    expiresAt: e.expiresAt,
    consumed: 0n,
    remainder: e.amount,
    status: 'live',
    expiredRecorded: recorded.get(e.id) ?? null,
  }));
  const debits = entries.filter((e) => e.kind === 'adjustment' && e.amount < 0n);
  const end = now + 1; // usage at `now` itself has happened
  const points = new Set<number>([end]);
  for (const l of lots) {
    if (l.createdAt <= now) points.add(l.createdAt);
    if (l.expiresAt !== null && l.expiresAt < now) points.add(l.expiresAt);
  }
  for (const d of debits) if (d.createdAt <= now) points.add(d.createdAt);
  const times = [...points].sort((a, b) => a - b);

  const segments: SegmentView[] = [];
  let debt = 0n;
  let live: LotView[] = [];
  const consume = (amount: bigint, into?: SegmentView['consumed']) => {
    let left = amount;
    for (const l of live) {
      if (left === 0n) break;
      const take = l.remainder < left ? l.remainder : left;
      if (take === 0n) continue;
      l.remainder -= take;
      l.consumed += take;
      left -= take;
      into?.push({ lotId: l.id, amount: take });
    }
    return left;
  };
  let from: number | null = null;
  for (const t of times) {
    const usage = await usageIn(from, t);
    const seg: SegmentView = { from, to: t, usage, consumed: [], debt: 0n };
    if (usage !== 0n) {
      seg.debt = consume(usage, seg.consumed);
      debt += seg.debt;
      segments.push(seg);
    }
    // At instant t: lots expiring now lapse; lots created now go live and pay any debt; adjustments debit.
    live = live.filter((l) => l.expiresAt === null || l.expiresAt > t);
    const born = lots.filter((l) => l.createdAt === t && (l.expiresAt === null || l.expiresAt > t));
    if (born.length) {
      live = [...live, ...born].sort(byExpiry);
      if (debt > 0n) debt = consume(debt);
    }
    for (const d of debits) if (d.createdAt === t) debt += consume(-d.amount);
    if (t === end) break;
    from = t;
  }
  for (const l of lots) if (l.expiresAt !== null && l.expiresAt <= now) l.status = l.expiredRecorded === null ? 'lapsed' : 'expired';
  const unrecordedLapsed = lots.filter((l) => l.status === 'lapsed').reduce((s, l) => s + l.remainder, 0n);
  const balance = lots.filter((l) => l.status === 'live' && l.createdAt <= now).reduce((s, l) => s + l.remainder, 0n) - debt;
  return { lots, segments, debt, unrecordedLapsed, balance };
}

/** Loads an org's ledger and usage and allocates it (see `allocate`). */
export async function creditState(db: Kysely<DB>, entries: LedgerEntry[], orgId: string, now: number): Promise<CreditState> {
  return allocate(entries, now, (from, to) => costBetween(db, orgId, from, to));
}

const isoOf = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** The allocation as reports show it (CLI `credits explain`, admin API): exact decimal strings. */
export function explainView(s: CreditState) {
  return {
    balance_usd: picoToUsd(s.balance),
    debt_usd: picoToUsd(s.debt),
    lapsed_unrecorded_usd: picoToUsd(s.unrecordedLapsed),
    lots: s.lots.map((l) => ({
      id: l.id,
      kind: l.kind,
      amount_usd: picoToUsd(l.amount),
      created_at: isoOf(l.createdAt),
      expires_at: isoOf(l.expiresAt),
      status: l.status,
      consumed_usd: picoToUsd(l.consumed),
      remainder_usd: picoToUsd(l.remainder),
      expired_usd: l.status === 'live' ? null : picoToUsd(l.expiredRecorded ?? l.remainder),
    })),
    usage: s.segments.map((g) => ({
      from: isoOf(g.from),
      until: isoOf(g.to),
      usage_usd: picoToUsd(g.usage),
      paid_by: g.consumed.map((c) => ({ lot_id: c.lotId, amount_usd: picoToUsd(c.amount) })),
      uncovered_usd: picoToUsd(g.debt),
    })),
  };
}
