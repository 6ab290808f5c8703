/** Pure helpers of the Usage page: the days of a range, and the CSV export (safe against formula injection). */
import type { UsageResponse } from '../../../src/admin/api-types.ts';

/** Every UTC day from `since` (inclusive) to `until` (exclusive), at most 400. */
export function daysBetween(since: string, until: string): string[] {
  const out: string[] = [];
  for (let t = Date.parse(`${since}T00:00:00Z`), end = Date.parse(`${until}T00:00:00Z`); t < end && out.length < 400; t += 86_400_000) {
    out.push(new Date(t).toISOString().slice(0, 10));
  }
  return out;
}

/**
 * One CSV cell: quoted when it holds a comma, quote or line break; a leading = + - @ (or tab/CR)
 * is prefixed with ' so a spreadsheet shows text instead of running a formula
 * (https://owasp.org/www-community/attacks/CSV_Injection). Plain numbers (amounts, counts) pass.
 */
export function csvCell(v: unknown): string {
  let s = v === null || v === undefined ? '' : String(v);
  if (/^[=+\-@\t\r]/.test(s) && !/^-?\d+(\.\d+)?$/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export const csv = (rows: unknown[][]): string => rows.map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';

/** The rows of the export: one per day with usage, with the filters in force, then the range total. */
export function usageCsvRows(r: UsageResponse, f: { workspace: string; key: string; model: string }, keyNames: Map<string, string>): unknown[][] {
  const head = [
    'day',
    'workspace_id',
    'key',
    'model',
    'requests',
    'input_tokens',
    'output_tokens',
    'cache_creation_input_tokens',
    'cache_read_input_tokens',
    'cost_usd',
  ];
  const scope = [f.workspace || 'all', f.key ? (keyNames.get(f.key) ?? f.key) : 'all', f.model || 'all'];
  const rows = (r.by_day ?? []).map((d) => [
    d.day,
    ...scope,
    d.requests,
    d.input_tokens,
    d.output_tokens,
    d.cache_creation_input_tokens,
    d.cache_read_input_tokens,
    d.cost_usd,
  ]);
  return [
    head,
    ...rows,
    ['total', ...scope, r.requests, r.input_tokens, r.output_tokens, r.cache_creation_input_tokens, r.cache_read_input_tokens, r.cost_usd],
  ];
}
