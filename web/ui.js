/** Reusable pieces of the console's pages: sections, stat cards, tables, badges, progress bars, notices. */
import { h } from './dom.js';

export function section(title, ...children) {
  return h('section', { class: 'panel' }, title ? h('h2', {}, title) : null, ...children);
}

/** A figure on a card: label, value, an optional line below, and an exact value on hover. */
export function stat(label, value, sub, exact) {
  return h('div', { class: 'stat', title: exact ?? undefined },
    h('div', { class: 'stat-label' }, label),
    h('div', { class: 'stat-value' }, value),
    sub ? h('div', { class: 'stat-sub' }, sub) : null);
}

/**
 * table({columns: [{label, value: (row) => string|Node, num?, class?}], rows, footer?, empty, testid})
 * `footer` is one row object rendered with the same columns.
 */
export function table({ columns, rows, footer, empty = 'Nothing yet.', testid, caption }) {
  if (!rows.length) return h('p', { class: 'empty', 'data-testid': testid }, empty);
  const cell = (tag, col, row) => h(tag, { class: [col.num ? 'num' : '', col.class ?? ''] }, col.value(row));
  return h('div', { class: 'table-wrap' },
    h('table', { 'data-testid': testid },
      caption ? h('caption', {}, caption) : null,
      h('thead', {}, h('tr', {}, columns.map((c) => h('th', { class: c.num ? 'num' : '', scope: 'col' }, c.label)))),
      h('tbody', {}, rows.map((r) => h('tr', {}, columns.map((c) => cell('td', c, r))))),
      footer ? h('tfoot', {}, h('tr', {}, columns.map((c) => cell('td', c, footer)))) : null));
}

export const badge = (text, kind = '') => h('span', { class: ['badge', kind] }, text);

/** A horizontal bar; `pct` may exceed 100 (drawn full, marked over). */
export function progress(pct, label) {
  const kind = pct >= 100 ? 'over' : pct >= 80 ? 'warn' : '';
  return h('div', { class: ['progress', kind], role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': Math.round(Math.min(pct, 100)), 'aria-label': label },
    h('div', { class: 'progress-fill', style: { width: `${Math.min(Math.max(pct, 0), 100)}%` } }));
}

export function notice(text, kind = 'error') {
  return h('p', { class: ['notice', kind], role: kind === 'error' ? 'alert' : 'status' }, text);
}

export const loading = () => h('p', { class: 'loading' }, 'Loading…');

/** Runs `fn` and renders its failure into `el` instead of throwing. */
export async function guarded(el, fn) {
  try {
    await fn();
  } catch (e) {
    el.replaceChildren(notice(e?.message ?? String(e)));
  }
}

/** A labelled form field. */
export function field(label, input, hint) {
  return h('label', { class: 'field' }, h('span', { class: 'field-label' }, label), input, hint ? h('span', { class: 'field-hint' }, hint) : null);
}
