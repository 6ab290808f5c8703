/**
 * Money wider than 64 bits. Amounts are pico-USD, so int64 ends at about $9.22M — one large
 * customer's lifetime. Every money column is therefore NUMERIC(38,0) on PostgreSQL and a
 * column without type affinity on SQLite (integers that fit int64 stay INTEGER; wider ones are
 * stored as their exact decimal TEXT). Both backends hand them back as bigint:
 *  - PostgreSQL: NUMERIC values with no fraction are parsed as bigint;
 *  - SQLite: the Kysely connection binds out-of-range bigints as decimal text and turns the
 *    money columns' text back into bigint; `bigsum` / `bigadd` are exact SQL functions.
 * `sumExact(col)` is the one way to sum money in SQL (SQLite's SUM overflows at int64 and
 * PostgreSQL's cast to bigint would too).
 */
import { sql, type RawBuilder } from 'kysely';
import type { Database, Statement } from 'better-sqlite3';
import type { Dialect } from './dialect.ts';
import { MAX_AMOUNT_PICO } from '../core/money.ts';

const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);

/** The largest amount one stored value may hold: $10^24 in pico-USD (NUMERIC(38,0) holds 10^38). */
export const MAX_STORED_PICO = MAX_AMOUNT_PICO;

/** Result keys whose text is a wide amount (columns and the aliases money sums are read under). */
export const MONEY_KEYS = new Set([
  'amount',
  'cost',
  'upstream_cost',
  'monthly',
  'tenant_monthly',
  'reload_below',
  'reload_amount',
  'low_balance',
  'subtotal_exact',
  'subtotal_cents',
  'tax_cents',
  'total_cents',
  'credited_cents',
  'paid_cents',
  'amount_exact',
  'amount_cents',
  'limit_amount',
  'balance',
  'total',
  'credits',
  'usage',
  'spend',
  'lot_amount',
  'estimated_cost',
  'simulated_cost',
  'anomaly_cost',
]);

/** The column type for money in migrations. */
export const moneyType = (dialect: Dialect) => (dialect === 'postgres' ? sql`numeric(38, 0)` : sql`blob`);

/** Σ col, exact on both backends (a bigint; 0 over no rows). */
export const sumExact = (col: string): RawBuilder<bigint> => sql<bigint>`bigsum(${sql.ref(col)})`;

/** Σ of an expression, exact on both backends. */
export const sumExactOf = (expr: RawBuilder<unknown>): RawBuilder<bigint> => sql<bigint>`bigsum(${expr})`;

/** Whether an amount may be stored; beyond it a write is refused before anything is stored. */
export function fitsStorage(v: bigint): boolean {
  return v <= MAX_STORED_PICO && v >= -MAX_STORED_PICO;
}

const INT_RE = /^-?\d+$/;
const toBig = (v: unknown): bigint =>
  typeof v === 'bigint' ? v : typeof v === 'number' ? BigInt(Math.trunc(v)) : typeof v === 'string' && INT_RE.test(v) ? BigInt(v) : 0n;
/** A value SQLite can bind: an int64 bigint, or the decimal text of a wider one. */
export const bindable = (v: bigint): bigint | string => (v > INT64_MAX || v < INT64_MIN ? v.toString() : v);

/** Registers `bigsum(x)` and `bigadd(a, b)` on a SQLite connection. */
export function registerSqliteMoney(db: Database): void {
  db.aggregate('bigsum', {
    start: () => 0n,
    step: (acc: bigint, v: unknown) => (v === null || v === undefined ? acc : acc + toBig(v)),
    result: (acc: bigint) => bindable(acc),
    safeIntegers: true,
    deterministic: true,
    // biome-ignore lint/suspicious/noExplicitAny: wraps better-sqlite3 statements (overloaded signatures), passing the arguments through unchanged
  } as any);
  db.function('bigadd', { safeIntegers: true, deterministic: true }, (a: unknown, b: unknown) => bindable(toBig(a) + toBig(b)));
}

/** Converts bound parameters (bigints past int64 become decimal text). */
export function bindParams(ps: readonly unknown[] | undefined): unknown[] | undefined {
  if (!ps) return ps as undefined;
  let out: unknown[] | undefined;
  for (let i = 0; i < ps.length; i++) {
    const v = ps[i];
    if (typeof v === 'bigint' && (v > INT64_MAX || v < INT64_MIN)) (out ??= [...ps])[i] = v.toString();
  }
  return out ?? (ps as unknown[]);
}

/** Turns a result row's wide money text back into bigint (in place). */
export function readRow<T>(row: T): T {
  const r = row as Record<string, unknown>;
  for (const k in r) {
    const v = r[k];
    if (typeof v === 'string' && MONEY_KEYS.has(k) && INT_RE.test(v)) r[k] = BigInt(v);
  }
  return row;
}

function wrapStatement(stmt: Statement): unknown {
  return {
    get reader() {
      return stmt.reader;
    },
    // biome-ignore lint/suspicious/noExplicitAny: wraps better-sqlite3 statements (overloaded signatures), passing the arguments through unchanged
    all: (ps: unknown[]) => (stmt.all(bindParams(ps) as any) as unknown[]).map(readRow),
    // biome-ignore lint/suspicious/noExplicitAny: wraps better-sqlite3 statements (overloaded signatures), passing the arguments through unchanged
    run: (ps: unknown[]) => stmt.run(bindParams(ps) as any),
    *iterate(ps: unknown[]) {
      // biome-ignore lint/suspicious/noExplicitAny: wraps better-sqlite3 statements (overloaded signatures), passing the arguments through unchanged
      for (const r of stmt.iterate(bindParams(ps) as any)) yield readRow(r);
    },
  };
}

/** The better-sqlite3 handle as Kysely's SQLite dialect should see it: wide money in and out. */
export function wideSqlite(db: Database): Database {
  return new Proxy(db, {
    get(target, prop) {
      if (prop === 'prepare') return (s: string) => wrapStatement(target.prepare(s));
      // biome-ignore lint/suspicious/noExplicitAny: wraps better-sqlite3 statements (overloaded signatures), passing the arguments through unchanged
      const v = (target as any)[prop];
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}

/** PostgreSQL: NUMERIC values without a fraction are bigint (money columns and exact sums). */
export function parseNumeric(v: string): bigint | string {
  return INT_RE.test(v) ? BigInt(v) : v;
}
