/**
 * Usage tab: spend per day of the chosen month (SVG bars), the 12-month trend, summary figures
 * (month total, daily average, projection or busiest day, change against last month) and the
 * month's usage by model and by key with exact costs.
 */
import { api, orgPath } from '../api.js';
import { barChart, stepDecimals } from '../chart.js';
import { h, replace } from '../dom.js';
import { addMonths, compact, int, monthName, monthRange, usd, usdAxis, usdShort } from '../format.js';
import { guarded, loading, section, stat, table } from '../ui.js';

let selected; // the month on screen; survives tab switches

const axis = (v, step) => usdAxis(v, stepDecimals(step));

const tokenColumns = [
  { label: 'Requests', num: true, value: (r) => int(r.requests) },
  { label: 'Input tokens', num: true, value: (r) => int(r.input_tokens) },
  { label: 'Output tokens', num: true, value: (r) => int(r.output_tokens) },
  { label: 'Cache writes 5m', num: true, value: (r) => int(r.cache_write_5m_input_tokens ?? 0) },
  { label: 'Cache writes 1h', num: true, value: (r) => int(r.cache_write_1h_input_tokens ?? 0) },
  { label: 'Cache reads', num: true, value: (r) => int(r.cache_read_input_tokens) },
  { label: 'Web search', num: true, value: (r) => int(r.web_search_requests ?? 0) },
  { label: 'Estimated', num: true, value: (r) => (r.estimated_requests ? `${int(r.estimated_requests)} · ${usd(r.estimated_cost_usd)}` : '0') },
  { label: 'Simulated', num: true, value: (r) => int(r.simulated_requests ?? 0) },
  { label: 'Cost', num: true, class: 'money', value: (r) => usd(r.cost_usd) },
];
const operatorColumns = [
  { label: 'Upstream', num: true, class: 'money muted', value: (r) => usd(r.upstream_cost_usd) },
  { label: 'Margin', num: true, class: 'money muted', value: (r) => usd(r.margin_usd) },
];

export function renderUsage(root, ctx) {
  if (!selected || selected > ctx.month) selected = ctx.month;
  const body = h('div', { class: 'stack' }, loading());
  const picker = h('input', { type: 'month', value: selected, max: ctx.month, 'aria-label': 'Month', on: { change: () => { if (picker.value) go(picker.value); } } });
  const prev = h('button', { type: 'button', class: 'ghost icon', 'aria-label': 'Previous month', on: { click: () => go(addMonths(selected, -1)) } }, '‹');
  const next = h('button', { type: 'button', class: 'ghost icon', 'aria-label': 'Next month', on: { click: () => go(addMonths(selected, 1)) } }, '›');
  root.append(h('div', { class: 'toolbar' }, h('h1', {}, 'Usage'), h('div', { class: 'month-nav' }, prev, picker, next)), body);
  load();

  function go(month) {
    selected = month > ctx.month ? ctx.month : month;
    picker.value = selected;
    load();
  }

  async function load() {
    next.disabled = selected >= ctx.month;
    replace(body, loading());
    await guarded(body, async () => {
      const r = monthRange(selected);
      const [month, trend] = await Promise.all([
        api(orgPath(ctx.orgId, `/usage?since=${r.since}&until=${r.until}&group=model,key,day`)),
        api(orgPath(ctx.orgId, `/usage?since=${addMonths(selected, -11)}-01&until=${r.until}&group=month`)),
      ]);
      replace(body, summary(month, trend, r, ctx), dailyChart(month, r, ctx), monthlyChart(trend), tables(month, ctx));
    });
  }
}

function summary(month, trend, range, ctx) {
  const cost = Number(month.cost_usd);
  const isCurrent = selected === ctx.month;
  const elapsed = isCurrent ? Number(ctx.now.slice(8, 10)) : range.days;
  const active = month.by_day.filter((d) => Number(d.cost_usd) > 0).length;
  const prevMonth = addMonths(selected, -1);
  const prev = trend.by_month.find((m) => m.month === prevMonth);
  const prevCost = prev ? Number(prev.cost_usd) : 0;
  const change = prevCost > 0 ? ((cost - prevCost) / prevCost) * 100 : null;
  const busiest = month.by_day.reduce((a, d) => (!a || Number(d.cost_usd) > Number(a.cost_usd) ? d : a), null);
  return h('div', { class: 'stats' },
    stat(`Spend · ${monthName(selected)}`, usdShort(month.cost_usd), `${int(month.requests)} requests`, usd(month.cost_usd)),
    stat('Daily average', usdShort(cost / Math.max(elapsed, 1)), `${active} of ${elapsed} days with spend`),
    isCurrent
      ? stat('Projected this month', usdShort((cost / Math.max(elapsed, 1)) * range.days), `at the pace of the last ${elapsed} days`)
      : stat('Busiest day', busiest ? usdShort(busiest.cost_usd) : '—', busiest ? busiest.day : 'no spend', busiest ? usd(busiest.cost_usd) : undefined),
    stat(`vs ${monthName(prevMonth, 'short')}${isCurrent ? ' (so far)' : ''}`, change === null ? '—' : `${change >= 0 ? '+' : '−'}${Math.abs(change).toFixed(0)}%`,
      prevCost > 0 ? `${usdShort(prevCost)} in ${monthName(prevMonth, 'short')}` : `no spend in ${monthName(prevMonth, 'short')}`),
    stat('Tokens in / out', `${compact(month.input_tokens)} / ${compact(month.output_tokens)}`,
      `cache: ${compact(month.cache_creation_input_tokens)} written · ${compact(month.cache_read_input_tokens)} read`));
}

function dailyChart(month, range, ctx) {
  const bars = month.by_day.map((d) => ({
    slot: Number(d.day.slice(8, 10)) - 1, value: Number(d.cost_usd), data: { day: d.day },
    title: `${d.day}: ${usd(d.cost_usd)} · ${int(d.requests)} requests`,
  }));
  const ticks = [1, 5, 10, 15, 20, 25, range.days].filter((d, i, a) => a.indexOf(d) === i && !(d !== range.days && range.days - d < 3));
  const chart = barChart({
    slots: range.days, bars, label: `Spend per day, ${monthName(selected)}`, className: 'daily', yFormat: axis,
    xTicks: ticks.map((d) => ({ slot: d - 1, text: String(d) })), emptyText: 'No spend this month',
    highlightSlot: selected === ctx.month ? Number(ctx.now.slice(8, 10)) - 1 : undefined,
  });
  return section('Spend per day', h('div', { class: 'chart-box', 'data-testid': 'daily-chart' }, chart));
}

function monthlyChart(trend) {
  const months = Array.from({ length: 12 }, (_, i) => addMonths(selected, i - 11));
  const byMonth = new Map(trend.by_month.map((m) => [m.month, m]));
  const bars = months.map((m, i) => {
    const row = byMonth.get(m);
    return { slot: i, value: row ? Number(row.cost_usd) : 0, data: { month: m }, title: `${monthName(m)}: ${usd(row?.cost_usd ?? '0')} · ${int(row?.requests ?? 0)} requests` };
  });
  const chart = barChart({
    slots: 12, bars, label: 'Spend per month, last 12 months', className: 'monthly', yFormat: axis, height: 200,
    xTicks: months.map((m, i) => ({ slot: i, text: monthName(m, 'short').split(' ')[0] })), highlightSlot: 11, emptyText: 'No spend in the last 12 months',
  });
  return section('Monthly trend', h('div', { class: 'chart-box', 'data-testid': 'monthly-chart' }, chart));
}

function tables(month, ctx) {
  const extra = ctx.operator ? operatorColumns : [];
  const total = { ...month, model: 'Total', name: 'Total' };
  return h('div', { class: 'stack' },
    section('By model', table({
      testid: 'usage-by-model', empty: 'No usage in this month.', rows: month.by_model, footer: total,
      columns: [{ label: 'Model', value: (r) => (r === total ? 'Total' : h('code', {}, r.model)) }, ...tokenColumns, ...extra],
    })),
    section('By API key', table({
      testid: 'usage-by-key', empty: 'No usage in this month.', rows: month.by_key, footer: total,
      columns: [{ label: 'Key', value: (r) => (r === total ? 'Total' : h('span', {}, r.name ?? r.key_id, ' ', h('span', { class: 'hint' }, r.hint ?? ''), r.revoked ? h('span', { class: 'badge muted' }, 'revoked') : null)) }, ...tokenColumns, ...extra],
    })));
}
