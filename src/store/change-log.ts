/**
 * The change log: every admin/CLI write appends a row naming the domain it touched and, where it
 * can, the row it changed (`ref`). Running servers follow it (`ChangeFeed`) and reload just those
 * rows (keys, orgs, limits) — a reload's cost does not grow with the number of keys — or the whole
 * domain when `ref` is null (prices, upstreams: small tables).
 */
import type { Kysely } from 'kysely';
import type { DB } from './schema.ts';
import type { Clock } from '../core/clock.ts';

export type ChangeDomain = 'orgs' | 'keys' | 'prices' | 'limits' | 'credits' | 'upstreams' | 'billing';

export interface Change {
  id: bigint;
  what: string;
  ref: string | null;
}

export async function recordChange(db: Kysely<DB>, what: ChangeDomain, now: number, ref: string | null = null): Promise<void> {
  await db.insertInto('change_log').values({ at: now, what, ref }).execute();
}

export async function lastChangeId(db: Kysely<DB>): Promise<bigint> {
  const r = await db
    .selectFrom('change_log')
    .select((eb) => eb.fn.max('id').as('m'))
    .executeTakeFirst();
  return r?.m == null ? 0n : BigInt(r.m);
}

const toChange = (r: { id: bigint | number; what: string; ref: string | null }): Change => ({ id: BigInt(r.id), what: r.what, ref: r.ref ?? null });

/**
 * Follows the change log without missing a row. Ids are handed out when a transaction inserts its
 * row, but transactions commit in their own order (PostgreSQL, several writers): row 105 can be
 * visible before row 104. So the feed remembers the ids it skipped over and asks for them again on
 * every poll until they show up — or, after `gapTtlMs` (a rolled-back transaction's id never does),
 * gives up on them.
 */
export class ChangeFeed {
  private last: bigint;
  private gaps = new Map<bigint, number>();

  constructor(
    private db: Kysely<DB>,
    start: bigint,
    private clock: Clock,
    private opts: { batch?: number; gapTtlMs?: number; maxGaps?: number } = {},
  ) {
    this.last = start;
  }

  /** The next changes (oldest first) and whether more are waiting. */
  async poll(): Promise<{ changes: Change[]; more: boolean }> {
    const limit = this.opts.batch ?? 5000;
    const t = this.clock.now();
    const ttl = this.opts.gapTtlMs ?? 30_000;
    for (const [id, seen] of this.gaps) if (t - seen > ttl) this.gaps.delete(id);
    const late = this.gaps.size
      ? (
          await this.db
            .selectFrom('change_log')
            .select(['id', 'what', 'ref'])
            .where('id', 'in', [...this.gaps.keys()])
            .execute()
        ).map(toChange)
      : [];
    for (const c of late) this.gaps.delete(c.id);
    const rows = (await this.db.selectFrom('change_log').select(['id', 'what', 'ref']).where('id', '>', this.last).orderBy('id').limit(limit).execute()).map(
      toChange,
    );
    let expect = this.last + 1n;
    for (const c of rows) {
      for (let id = expect; id < c.id && this.gaps.size < (this.opts.maxGaps ?? 10_000); id++) this.gaps.set(id, t);
      expect = c.id + 1n;
    }
    if (rows.length) this.last = rows[rows.length - 1]!.id;
    return { changes: [...late, ...rows], more: rows.length === limit };
  }

  /** Ids skipped over and still awaited (tests, diagnostics). */
  get awaiting(): number {
    return this.gaps.size;
  }
}
