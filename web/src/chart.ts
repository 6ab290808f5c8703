/**
 * Inline SVG bar charts, drawn by hand: one bar per slot with a value (days with spend, months
 * with spend), a "nice" y axis with gridlines, x tick labels, and a native tooltip (<title>) on
 * every bar. Empty slots get no bar, so the number of `rect.bar` equals the slots with spend.
 */
import { svg } from './dom.ts';

/** A round step (1, 2, 2.5 or 5 × 10^k) giving about `count` gridlines up to `max`. */
export function niceStep(max: number, count = 4): number {
  if (!(max > 0)) return 1;
  const raw = max / count;
  const p = 10 ** Math.floor(Math.log10(raw));
  const f = raw / p;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10) * p;
}

/** Decimal places that show every multiple of `step` exactly (0 for whole steps, else at least 2). */
export function stepDecimals(step: number): number {
  if (step >= 1 && Number.isInteger(step)) return 0;
  for (let d = 2; d < 10; d++) if (Math.abs(Math.round(step * 10 ** d) - step * 10 ** d) < 1e-6) return d;
  return 10;
}

/**
 * barChart({slots, bars: [{slot, value, title, data}], xTicks: [{slot, text}], label, yFormat(v, step),
 *           className, highlightSlot, emptyText})
 */
export interface Bar {
  slot: number;
  value: number;
  title: string;
  data?: Record<string, string>;
}
export interface BarChartOptions {
  slots: number;
  bars: Bar[];
  xTicks?: Array<{ slot: number; text: string }>;
  label: string;
  yFormat?: (v: number, step: number) => string;
  className?: string;
  highlightSlot?: number | undefined;
  emptyText?: string;
  width?: number;
  height?: number;
}

export function barChart({
  slots,
  bars,
  xTicks = [],
  label,
  yFormat = String,
  className = '',
  highlightSlot,
  emptyText = 'No data',
  width = 1000,
  height = 260,
}: BarChartOptions): SVGElement {
  const m = { top: 14, right: 10, bottom: 28, left: 64 };
  const plotW = width - m.left - m.right;
  const plotH = height - m.top - m.bottom;
  const max = Math.max(0, ...bars.map((b) => b.value));
  const step = niceStep(max);
  const top = max > 0 ? Math.ceil(max / step - 1e-9) * step : step * 4;
  const y = (v: number) => m.top + plotH - (v / top) * plotH;
  const slotW = plotW / Math.max(slots, 1);
  const barW = Math.min(slotW * 0.72, 44);

  const root = svg('svg', {
    viewBox: `0 0 ${width} ${height}`,
    class: `chart ${className}`.trim(),
    role: 'img',
    'aria-label': label,
    preserveAspectRatio: 'xMidYMid meet',
  });
  root.append(svg('title', {}, label));

  const grid = svg('g', { class: 'grid' });
  for (let i = 0; i * step <= top + step / 1e6; i++) {
    const v = i * step;
    const yy = y(v);
    grid.append(svg('line', { x1: m.left, x2: width - m.right, y1: yy, y2: yy, class: i === 0 ? 'axis' : '' }));
    grid.append(svg('text', { x: m.left - 8, y: yy + 4, 'text-anchor': 'end', class: 'tick' }, yFormat(v, step)));
  }
  root.append(grid);

  if (highlightSlot !== undefined && highlightSlot >= 0 && highlightSlot < slots) {
    root.append(svg('rect', { x: m.left + highlightSlot * slotW, y: m.top, width: slotW, height: plotH, class: 'today' }));
  }

  const g = svg('g', { class: 'bars' });
  for (const b of bars) {
    if (!(b.value > 0)) continue;
    const hgt = Math.max((b.value / top) * plotH, 2);
    const x = m.left + b.slot * slotW + (slotW - barW) / 2;
    g.append(
      svg(
        'rect',
        {
          x: x.toFixed(2),
          y: (m.top + plotH - hgt).toFixed(2),
          width: barW.toFixed(2),
          height: hgt.toFixed(2),
          rx: Math.min(3, barW / 4),
          class: 'bar',
          dataset: b.data ?? {},
        },
        svg('title', {}, b.title),
      ),
    );
  }
  root.append(g);

  const xs = svg('g', { class: 'x-ticks' });
  for (const t of xTicks) {
    xs.append(svg('text', { x: (m.left + (t.slot + 0.5) * slotW).toFixed(2), y: height - 8, 'text-anchor': 'middle', class: 'tick' }, t.text));
  }
  root.append(xs);

  if (max === 0) root.append(svg('text', { x: m.left + plotW / 2, y: m.top + plotH / 2, 'text-anchor': 'middle', class: 'empty-label' }, emptyText));
  return root;
}
