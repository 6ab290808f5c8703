/**
 * Display formatting. Money arrives from the admin API as exact decimal USD strings; tables
 * show them exactly (the same string the CLI prints), summary cards round to cents. Dates
 * and months are UTC, like the gateway's billing periods.
 */

/** The exact amount: "$0.007575", "−$1.5". */
export function usd(s: string | number | null | undefined): string {
  const str = String(s ?? '0');
  return str.startsWith('-') ? `−$${str.slice(1)}` : `$${str}`;
}

/** A signed exact amount for ledgers: "+$100", "−$0.0042". */
export function signedUsd(s: string | null | undefined): string {
  const str = String(s ?? '0');
  return str.startsWith('-') ? `−$${str.slice(1)}` : `+$${str}`;
}

const cents = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** Rounded for cards and axes: "$1,234.57"; amounts under a cent keep their digits ("$0.0076"). */
export function usdShort(s: string | number): string {
  const v = Number(s);
  if (!Number.isFinite(v)) return usd(s);
  if (v !== 0 && Math.abs(v) < 0.01) return `${v < 0 ? '−' : ''}$${Math.abs(v).toPrecision(2).replace(/0+$/, '')}`;
  return cents.format(v).replace('-', '−');
}

/** An axis label: every gridline with the decimals its step needs ("$0.005", "$0.010", "$1,000"). */
export function usdAxis(v: number, decimals: number): string {
  return new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: decimals, maximumFractionDigits: decimals }).format(v);
}

const ints = new Intl.NumberFormat('en-US');
export const int = (n: number | string | null | undefined): string => ints.format(Number(n ?? 0));

/** Compact token counts for dense places: 1.2M, 35k. */
export function compact(n: number | string | null | undefined): string {
  return new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 }).format(Number(n ?? 0));
}

/** "2026-11-26 04:50 UTC" (or an em dash for null). */
export function dateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

export const date = (iso: string | null | undefined): string => (iso ? iso.slice(0, 10) : '—');

/** "2026-11" ± k months. */
export function addMonths(month: string, k: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const d = new Date(Date.UTC(y, m - 1 + k, 1));
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** {since, until, days} of a month: until is the next month's first day (exclusive). */
export function monthRange(month: string): { since: string; until: string; days: number } {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return { since: `${month}-01`, until: `${addMonths(month, 1)}-01`, days };
}

export function monthName(month: string, style: 'long' | 'short' = 'long'): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m - 1, 1)).toLocaleString('en-US', { month: style, year: 'numeric', timeZone: 'UTC' });
}

export function percent(part: string | number, whole: string | number): number {
  const p = Number(whole) > 0 ? (Number(part) / Number(whole)) * 100 : 0;
  return Number.isFinite(p) ? p : 0;
}
