/**
 * What a month's invoice says: lines per model and token kind (and workspace, on request), priced
 * exactly, from the usage events themselves — so the lines sum to the month's events to the
 * pico-dollar. Plus adjustment lines for usage that landed in earlier, already closed months
 * after they were closed: for each such month, what its events add up to now minus what
 * finalised invoices already billed for it, line key by line key.
 *
 * Each event records the price row it used; the unit prices per token kind are that row's,
 * or the row adjusted by the org's customer-group discount, whichever reproduces the events'
 * recorded cost exactly. A group of events no single price vector reproduces (a price change
 * inside one group) is billed as one line at its recorded cost, marked `mixed`.
 */
import type { Kysely } from 'kysely';
import { WEB_SEARCH_PICO } from '../../pricing/cost.ts';
import { adjust } from '../../pricing/price-book.ts';
import { TOKEN_KINDS, type PriceVector, type TokenKind } from '../../pricing/types.ts';
import type { DB } from '../../store/schema.ts';
import { monthUsageGroups } from '../../usage/events.ts';

export type LineKind = 'usage' | 'adjustment' | 'credit';
export type BilledKind = TokenKind | 'web_search' | 'mixed';

export interface DraftLine {
  kind: LineKind;
  usageMonth: string | null;
  model: string | null;
  tokenKind: BilledKind | null;
  workspaceId: string | null;
  description: string;
  quantity: bigint;
  /** µUSD per million units (tokens or web-search requests). */
  unitPrice: bigint;
  amount: bigint;
}

const LABEL: Record<BilledKind, string> = {
  input: 'input tokens',
  output: 'output tokens',
  cache_write_5m: 'cache writes (5 min)',
  cache_write_1h: 'cache writes (1 h)',
  cache_read: 'cache reads',
  web_search: 'web search requests',
  mixed: 'usage at several prices',
};
const KIND_ORDER: BilledKind[] = ['input', 'output', 'cache_write_5m', 'cache_write_1h', 'cache_read', 'web_search', 'mixed'];

interface Group {
  month: string;
  model: string;
  workspace: string;
  priceId: bigint | null;
  t: Record<TokenKind, bigint>;
  web: bigint;
  cost: bigint;
}

/** Per (month, model, workspace, price row) sums of the org's usage events in `months`. */
async function groups(db: Kysely<DB>, orgId: string, months: string[], exclude: Array<[number, number]>): Promise<Group[]> {
  // Usage admitted while the org was prepaid was paid by credits: never invoiced.
  return (await monthUsageGroups(db, orgId, months, exclude)).map((r) => ({
    month: r.month,
    model: r.model,
    workspace: r.workspaceId,
    priceId: r.priceId,
    t: { input: r.input, output: r.output, cache_write_5m: r.cacheWrite5m, cache_write_1h: r.cacheWrite1h, cache_read: r.cacheRead },
    web: r.webSearch,
    cost: r.cost,
  }));
}

async function priceVectors(db: Kysely<DB>, ids: bigint[]): Promise<Map<bigint, PriceVector>> {
  if (!ids.length) return new Map();
  const rows = await db
    .selectFrom('prices')
    .select(['id', 'input', 'output', 'cache_write_5m', 'cache_write_1h', 'cache_read'])
    .where('id', 'in', ids)
    .execute();
  return new Map(
    rows.map((r) => [
      BigInt(r.id),
      { input: r.input, output: r.output, cache_write_5m: r.cache_write_5m, cache_write_1h: r.cache_write_1h, cache_read: r.cache_read },
    ]),
  );
}

const costWith = (g: Group, p: PriceVector) => TOKEN_KINDS.reduce((s, k) => s + g.t[k] * p[k], 0n) + g.web * WEB_SEARCH_PICO;

export interface LineKey {
  month: string;
  model: string;
  tokenKind: BilledKind;
  unitPrice: bigint;
  workspace: string | null;
}
export interface Amounts {
  quantity: bigint;
  amount: bigint;
}

const keyOf = (k: LineKey) => `${k.month}\0${k.model}\0${k.tokenKind}\0${k.unitPrice}\0${k.workspace ?? ''}`;

/** Current usage of `months`, as line keys with quantities and exact amounts. */
export async function usageByLineKey(
  db: Kysely<DB>,
  orgId: string,
  months: string[],
  perWorkspace: boolean,
  exclude: Array<[number, number]> = [],
): Promise<Map<string, LineKey & Amounts>> {
  const gs = await groups(db, orgId, months, exclude);
  const prices = await priceVectors(db, [...new Set(gs.map((g) => g.priceId).filter((x): x is bigint => x !== null))]);
  const bps = (await db.selectFrom('price_groups').select('bps').distinct().execute()).map((r) => Number(r.bps));
  const out = new Map<string, LineKey & Amounts>();
  const add = (k: LineKey, quantity: bigint, amount: bigint) => {
    if (!quantity && !amount) return;
    const id = keyOf(k);
    const cur = out.get(id);
    if (cur) {
      cur.quantity += quantity;
      cur.amount += amount;
    } else out.set(id, { ...k, quantity, amount });
  };
  for (const g of gs) {
    const ws = perWorkspace ? g.workspace : null;
    const base = g.priceId !== null ? prices.get(g.priceId) : undefined;
    const candidates = base ? [base, ...bps.map((b) => adjust(base, b))] : [];
    const p = candidates.find((c) => costWith(g, c) === g.cost);
    if (!p) {
      const qty = TOKEN_KINDS.reduce((s, k) => s + g.t[k], 0n);
      add({ month: g.month, model: g.model, tokenKind: 'mixed', unitPrice: 0n, workspace: ws }, qty, g.cost);
      continue;
    }
    for (const k of TOKEN_KINDS) if (g.t[k]) add({ month: g.month, model: g.model, tokenKind: k, unitPrice: p[k], workspace: ws }, g.t[k], g.t[k] * p[k]);
    if (g.web) add({ month: g.month, model: g.model, tokenKind: 'web_search', unitPrice: WEB_SEARCH_PICO, workspace: ws }, g.web, g.web * WEB_SEARCH_PICO);
  }
  return out;
}

/** What finalised invoices of the org already billed for `months`, by the same line keys. */
async function billedByLineKey(db: Kysely<DB>, orgId: string, months: string[], perWorkspace: boolean): Promise<Map<string, LineKey & Amounts>> {
  const out = new Map<string, LineKey & Amounts>();
  if (!months.length) return out;
  const rows = await db
    .selectFrom('invoice_lines as l')
    .innerJoin('invoices as i', 'i.id', 'l.invoice_id')
    .select(['l.usage_month', 'l.model', 'l.token_kind', 'l.unit_price', 'l.workspace_id', 'l.quantity', 'l.amount_exact'])
    .where('i.org_id', '=', orgId)
    .where('i.kind', '=', 'invoice')
    .where('l.kind', 'in', ['usage', 'adjustment'])
    .where('l.usage_month', 'in', months)
    .execute();
  for (const r of rows) {
    const k: LineKey = {
      month: r.usage_month!,
      model: r.model!,
      tokenKind: r.token_kind as BilledKind,
      unitPrice: r.unit_price,
      workspace: perWorkspace ? r.workspace_id : null,
    };
    const id = keyOf(k);
    const cur = out.get(id);
    if (cur) {
      cur.quantity += r.quantity;
      cur.amount += r.amount_exact;
    } else out.set(id, { ...k, quantity: r.quantity, amount: r.amount_exact });
  }
  return out;
}

export interface ComputeInput {
  orgId: string;
  month: string;
  perWorkspace: boolean;
  workspaceNames: Map<string, string> /** Instants when the org was prepaid (billing/modes.ts). */;
  exclude?: Array<[number, number]>;
}

/**
 * The lines of `month`'s invoice: its usage, then adjustments for earlier closed months whose
 * usage grew after they were closed (at most the last 12).
 */
export async function computeLines(db: Kysely<DB>, q: ComputeInput): Promise<DraftLine[]> {
  const closed = (
    await db
      .selectFrom('billing_periods')
      .select('period')
      .where('org_id', '=', q.orgId)
      .where('period', '<', q.month)
      .orderBy('period', 'desc')
      .limit(12)
      .execute()
  ).map((r) => r.period);
  const months = [...closed, q.month];
  const [now, billed] = await Promise.all([
    usageByLineKey(db, q.orgId, months, q.perWorkspace, q.exclude ?? []),
    billedByLineKey(db, q.orgId, months, q.perWorkspace),
  ]);
  const diffs = new Map<string, LineKey & Amounts>();
  for (const [id, v] of now) diffs.set(id, { ...v });
  for (const [id, b] of billed) {
    const cur = diffs.get(id);
    if (cur) {
      cur.quantity -= b.quantity;
      cur.amount -= b.amount;
    } else diffs.set(id, { ...b, quantity: -b.quantity, amount: -b.amount });
  }
  const lines: DraftLine[] = [];
  for (const d of diffs.values()) {
    if (d.amount === 0n && d.quantity === 0n) continue;
    const late = d.month !== q.month;
    const ws = d.workspace ? ` · workspace ${q.workspaceNames.get(d.workspace) ?? d.workspace}` : '';
    lines.push({
      kind: late ? 'adjustment' : 'usage',
      usageMonth: d.month,
      model: d.model,
      tokenKind: d.tokenKind,
      workspaceId: d.workspace,
      description: `${d.model} — ${LABEL[d.tokenKind]}${ws}${late ? ` (usage of ${d.month} recorded after it was closed)` : ''}`,
      quantity: d.quantity,
      unitPrice: d.unitPrice,
      amount: d.amount,
    });
  }
  lines.sort(
    (a, b) =>
      (a.kind === b.kind ? 0 : a.kind === 'usage' ? -1 : 1) ||
      (a.usageMonth ?? '').localeCompare(b.usageMonth ?? '') ||
      (a.workspaceId ?? '').localeCompare(b.workspaceId ?? '') ||
      (a.model ?? '').localeCompare(b.model ?? '') ||
      KIND_ORDER.indexOf(a.tokenKind as BilledKind) - KIND_ORDER.indexOf(b.tokenKind as BilledKind) ||
      (a.unitPrice < b.unitPrice ? -1 : a.unitPrice > b.unitPrice ? 1 : 0),
  );
  return lines;
}
