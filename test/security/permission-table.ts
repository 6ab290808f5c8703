/** The permission table of docs/security.md, parsed (the permission walks compare the router with it). */
import { readFileSync } from 'node:fs';

const doc = readFileSync(new URL('../../docs/security.md', import.meta.url), 'utf8');
export const docTable = /<!-- permission-table:start -->\n([\s\S]*?)\n<!-- permission-table:end -->/.exec(doc)?.[1] ?? '';

/** The doc's table: endpoint → column label → cell. */
export function parseTable(md: string) {
  const lines = md.split('\n').filter((l) => l.startsWith('|'));
  const cells = (l: string) =>
    l
      .split('|')
      .slice(1, -1)
      .map((c) => c.trim());
  const head = cells(lines[0]!);
  const rows = new Map<string, Map<string, string>>();
  for (const l of lines.slice(2)) {
    const c = cells(l);
    rows.set(c[0]!.replace(/`/g, ''), new Map(head.map((h, i) => [h, c[i]!])));
  }
  return rows;
}
