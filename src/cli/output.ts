/** CLI output: JSON for scripts (`--json`), aligned text for people. */
export function print(json: boolean, value: unknown, human?: () => string): void {
  if (json || !human) process.stdout.write(JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v), 2) + '\n');
  else process.stdout.write(human() + '\n');
}

export function table(rows: Array<Record<string, unknown>>, cols?: string[]): string {
  if (!rows.length) return '(none)';
  const c = cols ?? Object.keys(rows[0]!);
  const cell = (v: unknown) => (v == null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));
  const w = c.map((k) => Math.max(k.length, ...rows.map((r) => cell(r[k]).length)));
  const line = (vals: string[]) =>
    vals
      .map((v, i) => v.padEnd(w[i]!))
      .join('  ')
      .trimEnd();
  return [line(c), line(w.map((n) => '-'.repeat(n))), ...rows.map((r) => line(c.map((k) => cell(r[k]))))].join('\n');
}

export function iso(ms: number | null | undefined): string | null {
  return ms == null ? null : new Date(ms).toISOString();
}
