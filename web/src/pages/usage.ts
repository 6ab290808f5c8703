/**
 * Usage: spend and tokens for a date range (a calendar month by default; ‹ › step by month),
 * filtered by workspace, API key and model. Summary figures, spend per day (SVG bars), tokens and
 * cumulative spend per day (uPlot lines), the 12-month trend, usage by model and by key with exact
 * costs, and a CSV export of the rows on screen.
 */
import type { KeyList, UsageByKeyRow, UsageResponse, UsageRow } from '../../../src/admin/api-types.ts';
import type { WorkspaceList } from '../../../src/accounts/api-types.ts';
import { api, orgPath } from '../api.ts';
import { barChart, stepDecimals } from '../chart.ts';
import type { Ctx } from '../ctx.ts';
import { h, replace } from '../dom.ts';
import { addMonths, compact, int, monthName, monthRange, usd, usdAxis, usdShort } from '../format.ts';
import { lineChart } from '../lines.ts';
import { download, field, guarded, input, loading, section, select, stat, table, type Column } from '../ui.ts';
import { csv, daysBetween, usageCsvRows } from './usage-data.ts';
import { billingDetail } from './usage-detail.ts';

interface Filters {
  since: string;
  until: string;
  workspace: string;
  key: string;
  model: string;
}
let state: Filters | undefined; // survives page switches

type Row = UsageRow & { model?: string; name?: string | null };

const tokenColumns: Array<Column<Row>> = [
  { label: 'Requests', num: true, value: (r) => int(r.requests) },
  { label: 'Input tokens', num: true, value: (r) => int(r.input_tokens) },
  { label: 'Output tokens', num: true, value: (r) => int(r.output_tokens) },
  { label: 'Cache writes', num: true, value: (r) => int(r.cache_creation_input_tokens) },
  { label: 'Cache reads', num: true, value: (r) => int(r.cache_read_input_tokens) },
  { label: 'Cost', num: true, class: 'money', value: (r) => usd(r.cost_usd) },
];
const operatorColumns: Array<Column<Row>> = [
  { label: 'Upstream', num: true, class: 'money muted', value: (r) => usd(r.upstream_cost_usd ?? '0') },
  { label: 'Margin', num: true, class: 'money muted', value: (r) => usd(r.margin_usd ?? '0') },
];

const isMonth = (f: Filters) => /-01$/.test(f.since) && f.until === `${addMonths(f.since.slice(0, 7), 1)}-01`;

export function renderUsage(root: HTMLElement, ctx: Ctx): void {
  const orgId = ctx.orgId!;
  if (!state || state.since > ctx.now.slice(0, 10)) state = { ...monthRange(ctx.month), workspace: '', key: '', model: '' };
  const f = state;
  const body = h('div', { class: 'stack' }, loading());
  const from = input('since', { type: 'date', value: f.since, required: true });
  const to = input('until', { type: 'date', value: dayBefore(f.until), required: true });
  const ws = select('workspace', [['', 'All workspaces']], f.workspace);
  const key = select('key', [['', 'All keys']], f.key);
  const model = select('model', [['', 'All models']], f.model);
  const apply = h('button', { type: 'submit', class: 'primary' }, 'Apply filters');
  const exportCsv = h('button', { type: 'button', on: { click: () => void onExport() } }, 'Export CSV');
  const filters = h(
    'form',
    {
      class: 'inline-form filters',
      'data-testid': 'usage-filters',
      on: {
        submit: (e) => {
          e.preventDefault();
          readFilters();
          void load();
        },
      },
    },
    field('From', from),
    field('To', to),
    ctx.workspaceId ? null : field('Workspace', ws),
    field('API key', key),
    field('Model', model),
    apply,
    exportCsv,
  );
  const prev = h('button', { type: 'button', class: 'ghost icon', 'aria-label': 'Previous month', on: { click: () => shift(-1) } }, '‹');
  const next = h('button', { type: 'button', class: 'ghost icon', 'aria-label': 'Next month', on: { click: () => shift(1) } }, '›');
  root.append(
    h(
      'div',
      { class: 'toolbar' },
      h('h1', {}, 'Usage'),
      h('div', { class: 'month-nav' }, prev, h('span', { class: 'range-label', 'aria-live': 'polite' }), next),
    ),
    section(null, filters),
    body,
  );
  let last: UsageResponse | undefined;
  void options();
  void load();

  function readFilters() {
    if (from.value) f.since = from.value;
    if (to.value) f.until = dayAfter(to.value);
    if (f.until <= f.since) f.until = dayAfter(f.since);
    f.workspace = ws.value;
    f.key = key.value;
    f.model = model.value;
  }

  function shift(k: number) {
    const m = addMonths(f.since.slice(0, 7), k);
    if (m > ctx.month) return;
    Object.assign(f, monthRange(m));
    from.value = f.since;
    to.value = dayBefore(f.until);
    void load();
  }

  async function options() {
    const [wsl, keys, used] = await Promise.all([
      ctx.can('org:read') && !ctx.workspaceId ? api<WorkspaceList>(orgPath(orgId, '/workspaces')).catch(() => null) : null,
      ctx.can('keys:read') ? api<KeyList>(orgPath(orgId, '/keys')).catch(() => null) : null,
      api<UsageResponse>(orgPath(orgId, '/usage')).catch(() => null), // every model with usage, under the id it is recorded with
    ]);
    if (wsl) ws.append(...wsl.workspaces.map((w) => h('option', { value: w.id }, w.status === 'archived' ? `${w.name} (archived)` : w.name)));
    if (keys) key.append(...keys.keys.filter((k) => k.kind === 'inference').map((k) => h('option', { value: k.id }, `${k.name} (${k.hint})`)));
    if (used) model.append(...used.by_model.map((m) => h('option', { value: m.model }, m.model)));
    ws.value = f.workspace;
    key.value = f.key;
    model.value = f.model;
  }

  function query(group: string, since = f.since, until = f.until) {
    const q = new URLSearchParams({ since, until, group });
    if (f.workspace) q.set('workspace_id', f.workspace);
    if (f.key) q.set('key_id', f.key);
    if (f.model) q.set('model', f.model);
    return orgPath(orgId, `/usage?${q}`);
  }

  async function load() {
    next.disabled = f.since.slice(0, 7) >= ctx.month;
    root.querySelector('.range-label')!.textContent = isMonth(f) ? monthName(f.since.slice(0, 7)) : `${f.since} – ${dayBefore(f.until)}`;
    replace(body, loading());
    await guarded(body, async () => {
      const endMonth = dayBefore(f.until).slice(0, 7);
      const [range, trend] = await Promise.all([
        api<UsageResponse>(query('model,key,day')),
        api<UsageResponse>(query('month', `${addMonths(endMonth, -11)}-01`, `${addMonths(endMonth, 1)}-01`)),
      ]);
      last = range;
      const days = daysBetween(f.since, f.until);
      replace(
        body,
        summary(range, trend, days, ctx, f),
        dailyChart(range, days, ctx),
        tokenCharts(range, days, ctx.now.slice(0, 10)),
        monthlyChart(trend, endMonth),
        tables(range, ctx),
      );
    });
  }

  function onExport() {
    if (!last) return;
    const names = new Map([...key.options].map((o) => [o.value, o.text]));
    download(`usage-${orgId}-${f.since}-to-${dayBefore(f.until)}.csv`, csv(usageCsvRows(last, f, names)));
  }
}

const dayAfter = (d: string) => new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
const dayBefore = (d: string) => new Date(Date.parse(`${d}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);

function summary(r: UsageResponse, trend: UsageResponse, days: string[], ctx: Ctx, f: Filters) {
  const cost = Number(r.cost_usd);
  const today = ctx.now.slice(0, 10);
  const elapsed = Math.max(days.filter((d) => d <= today).length, 1);
  const active = (r.by_day ?? []).filter((d) => Number(d.cost_usd) > 0).length;
  const month = f.since.slice(0, 7);
  const current = isMonth(f) && month === ctx.month;
  const busiest = (r.by_day ?? []).reduce<{ day: string; cost_usd: string } | null>((a, d) => (!a || Number(d.cost_usd) > Number(a.cost_usd) ? d : a), null);
  const prevMonth = addMonths(month, -1);
  const prev = (trend.by_month ?? []).find((m) => m.month === prevMonth);
  const prevCost = prev ? Number(prev.cost_usd) : 0;
  const change = prevCost > 0 ? ((cost - prevCost) / prevCost) * 100 : null;
  return h(
    'div',
    { class: 'stats' },
    stat(
      isMonth(f) ? `Spend · ${monthName(month)}` : 'Spend in range',
      usdShort(r.cost_usd),
      `${int(r.requests)} request${r.requests === 1 ? '' : 's'}`,
      usd(r.cost_usd),
    ),
    stat('Daily average', usdShort(cost / elapsed), `${active} of ${elapsed} days with spend`),
    current
      ? stat('Projected this month', usdShort((cost / elapsed) * days.length), `at the pace of the last ${elapsed} days`)
      : stat('Busiest day', busiest ? usdShort(busiest.cost_usd) : '—', busiest ? busiest.day : 'no spend', busiest ? usd(busiest.cost_usd) : undefined),
    isMonth(f)
      ? stat(
          `vs ${monthName(prevMonth, 'short')}${current ? ' (so far)' : ''}`,
          change === null ? '—' : `${change >= 0 ? '+' : '−'}${Math.abs(change).toFixed(0)}%`,
          prevCost > 0 ? `${usdShort(prevCost)} in ${monthName(prevMonth, 'short')}` : `no spend in ${monthName(prevMonth, 'short')}`,
        )
      : null,
    stat(
      'Tokens in / out',
      `${compact(r.input_tokens)} / ${compact(r.output_tokens)}`,
      `cache: ${compact(r.cache_creation_input_tokens)} written · ${compact(r.cache_read_input_tokens)} read`,
    ),
  );
}

function dailyChart(r: UsageResponse, days: string[], ctx: Ctx) {
  const slot = new Map(days.map((d, i) => [d, i]));
  const bars = (r.by_day ?? [])
    .filter((d) => slot.has(d.day))
    .map((d) => ({
      slot: slot.get(d.day)!,
      value: Number(d.cost_usd),
      data: { day: d.day },
      title: `${d.day}: ${usd(d.cost_usd)} · ${int(d.requests)} requests`,
    }));
  const every = Math.max(1, Math.ceil(days.length / 8));
  const ticks = days
    .map((d, i) => ({ slot: i, text: days.length <= 31 ? String(Number(d.slice(8))) : d.slice(5) }))
    .filter((t) => (days.length <= 31 ? [0, 4, 9, 14, 19, 24].includes(t.slot) || t.slot === days.length - 1 : t.slot % every === 0));
  const chart = barChart({
    slots: days.length,
    bars,
    label: 'Spend per day',
    className: 'daily',
    yFormat: (v, step) => usdAxis(v, stepDecimals(step)),
    xTicks: ticks,
    emptyText: 'No spend in this range',
    highlightSlot: slot.get(ctx.now.slice(0, 10)),
  });
  return section('Spend per day', h('div', { class: 'chart-box', 'data-testid': 'daily-chart' }, chart));
}

function tokenCharts(r: UsageResponse, range: string[], today: string) {
  const byDay = new Map((r.by_day ?? []).map((d) => [d.day, d]));
  // Days still to come are gaps, not zeros; the axis is cut at today unless that leaves one day.
  const past = range.filter((d) => d <= today);
  const days = past.length >= 2 ? past : range;
  const pick = (k: 'input_tokens' | 'output_tokens' | 'cache_read_input_tokens') => days.map((d) => (d > today ? null : (byDay.get(d)?.[k] ?? 0)));
  let running = 0;
  const cumulative = days.map((d) => (d > today ? null : (running += Number(byDay.get(d)?.cost_usd ?? 0))));
  if (!r.requests || !days.length) return null;
  return h(
    'div',
    { class: 'chart-grid' },
    section(
      'Tokens per day',
      lineChart({
        label: 'Tokens per day by kind',
        days,
        testid: 'tokens-chart',
        yFormat: compact,
        series: [
          { label: 'Input', values: pick('input_tokens'), color: '#4f46e5', format: (v) => int(v) },
          { label: 'Output', values: pick('output_tokens'), color: '#0e9384', format: (v) => int(v) },
          { label: 'Cache reads', values: pick('cache_read_input_tokens'), color: '#f79009', format: (v) => int(v) },
        ],
      }),
    ),
    section(
      'Cumulative spend',
      lineChart({
        label: 'Cumulative spend over the range',
        days,
        testid: 'cumulative-chart',
        yFormat: (v) => usdShort(v),
        series: [{ label: 'Spend', values: cumulative, color: '#4f46e5' }],
      }),
    ),
  );
}

function monthlyChart(trend: UsageResponse, endMonth: string) {
  const months = Array.from({ length: 12 }, (_, i) => addMonths(endMonth, i - 11));
  const byMonth = new Map((trend.by_month ?? []).map((m) => [m.month, m]));
  const bars = months.map((m, i) => {
    const row = byMonth.get(m);
    return {
      slot: i,
      value: row ? Number(row.cost_usd) : 0,
      data: { month: m },
      title: `${monthName(m)}: ${usd(row?.cost_usd ?? '0')} · ${int(row?.requests ?? 0)} requests`,
    };
  });
  const chart = barChart({
    slots: 12,
    bars,
    label: 'Spend per month, last 12 months',
    className: 'monthly',
    yFormat: (v, step) => usdAxis(v, stepDecimals(step)),
    height: 200,
    xTicks: months.map((m, i) => ({ slot: i, text: monthName(m, 'short').split(' ')[0]! })),
    highlightSlot: 11,
    emptyText: 'No spend in the last 12 months',
  });
  return section('Monthly trend', h('div', { class: 'chart-box', 'data-testid': 'monthly-chart' }, chart));
}

function tables(r: UsageResponse, ctx: Ctx) {
  const extra = ctx.operator ? operatorColumns : [];
  const total: Row = { ...r, model: 'Total', name: 'Total' };
  const empty = 'No usage in this range. Create an API key under API keys and send a request; it shows up here within seconds.';
  return h(
    'div',
    { class: 'stack' },
    section(
      'By model',
      table<Row>({
        testid: 'usage-by-model',
        empty,
        rows: r.by_model,
        footer: total,
        columns: [{ label: 'Model', value: (x) => (x === total ? 'Total' : h('code', {}, x.model ?? '')) }, ...tokenColumns, ...extra],
      }),
    ),
    section(
      'By API key',
      table<Row>({
        testid: 'usage-by-key',
        empty,
        rows: r.by_key ?? [],
        footer: total,
        columns: [
          {
            label: 'Key',
            value: (x) => {
              if (x === total) return 'Total';
              const k = x as UsageByKeyRow;
              return h(
                'span',
                {},
                k.name ?? k.key_id,
                ' ',
                h('span', { class: 'hint' }, k.hint ?? ''),
                k.revoked ? h('span', { class: 'badge muted' }, 'revoked') : null,
              );
            },
          },
          ...tokenColumns,
          ...extra,
        ],
      }),
    ),
    billingDetail(r),
  );
}
