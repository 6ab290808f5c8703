/** Reusable pieces of the console's pages: sections, stat cards, tables, badges, progress bars, notices, fields. */
import { h, type Child } from './dom.ts';

export function section(title: string | null, ...children: Child[]): HTMLElement {
  return h('section', { class: 'panel' }, title ? h('h2', {}, title) : null, ...children);
}

/** A figure on a card: label, value, an optional line below, and an exact value on hover. */
export function stat(label: string, value: Child, sub?: Child, exact?: string): HTMLElement {
  return h(
    'div',
    { class: 'stat', title: exact ?? undefined },
    h('div', { class: 'stat-label' }, label),
    h('div', { class: 'stat-value' }, value),
    sub ? h('div', { class: 'stat-sub' }, sub) : null,
  );
}

export interface Column<R> {
  label: string;
  value: (row: R) => Child;
  num?: boolean;
  class?: string;
}
export interface TableOptions<R> {
  columns: Array<Column<R>>;
  rows: readonly R[];
  footer?: R;
  empty?: Child;
  testid?: string;
  caption?: string;
}

/** A table (in a horizontally scrollable wrapper), or the `empty` text when there are no rows. */
export function table<R>({ columns, rows, footer, empty = 'Nothing yet.', testid, caption }: TableOptions<R>): HTMLElement {
  if (!rows.length) return h('div', { class: 'empty', 'data-testid': testid }, empty);
  const cell = (tag: 'td' | 'th', col: Column<R>, row: R) => h(tag, { class: [col.num ? 'num' : '', col.class ?? ''] }, col.value(row));
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { 'data-testid': testid },
      caption ? h('caption', {}, caption) : null,
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          columns.map((c) => h('th', { class: c.num ? 'num' : '', scope: 'col' }, c.label)),
        ),
      ),
      h(
        'tbody',
        {},
        rows.map((r) =>
          h(
            'tr',
            {},
            columns.map((c) => cell('td', c, r)),
          ),
        ),
      ),
      footer
        ? h(
            'tfoot',
            {},
            h(
              'tr',
              {},
              columns.map((c) => cell('td', c, footer)),
            ),
          )
        : null,
    ),
  );
}

export const badge = (text: string, kind = ''): HTMLElement => h('span', { class: ['badge', kind] }, text);

/** A horizontal bar; `pct` may exceed 100 (drawn full, marked over). */
export function progress(pct: number, label: string): HTMLElement {
  const kind = pct >= 100 ? 'over' : pct >= 80 ? 'warn' : '';
  return h(
    'div',
    {
      class: ['progress', kind],
      role: 'progressbar',
      'aria-valuemin': 0,
      'aria-valuemax': 100,
      'aria-valuenow': Math.round(Math.min(pct, 100)),
      'aria-label': label,
    },
    h('div', { class: 'progress-fill', style: { width: `${Math.min(Math.max(pct, 0), 100)}%` } }),
  );
}

export function notice(text: Child, kind: 'error' | 'ok' | 'info' | 'warn' = 'error'): HTMLElement {
  return h('p', { class: ['notice', kind], role: kind === 'error' ? 'alert' : 'status' }, text);
}

export const loading = (): HTMLElement => h('p', { class: 'loading' }, 'Loading…');

/** The message of anything thrown. */
export const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** Runs `fn` and renders its failure into `el` instead of throwing. */
export async function guarded(el: Element, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (e) {
    el.replaceChildren(notice(messageOf(e)));
  }
}

/** A labelled form field: the label text is visible and names the control. */
export function field(label: string, input: HTMLElement, hint?: string): HTMLElement {
  return h('label', { class: 'field' }, h('span', { class: 'field-label' }, label), input, hint ? h('span', { class: 'field-hint' }, hint) : null);
}

/** A form whose submit (button or Enter) runs `onSubmit` with the button disabled and failures shown under it. */
export function form(opts: {
  testid?: string;
  class?: string;
  submit: string;
  fields: Child[];
  onSubmit: () => Promise<unknown>;
  danger?: boolean;
}): HTMLFormElement {
  const status = h('div', { class: 'form-status' });
  const button = h('button', { type: 'submit', class: opts.danger ? 'danger' : 'primary' }, opts.submit);
  const f = h(
    'form',
    {
      class: opts.class ?? 'inline-form',
      'data-testid': opts.testid,
      on: {
        submit: async (e) => {
          e.preventDefault();
          button.disabled = true;
          status.replaceChildren();
          try {
            await opts.onSubmit();
          } catch (err) {
            status.replaceChildren(notice(messageOf(err)));
          } finally {
            button.disabled = false;
          }
        },
      },
    },
    ...opts.fields,
    button,
    status,
  );
  return f;
}

/** A text input with the usual attributes. */
export function input(name: string, props: Record<string, unknown> = {}): HTMLInputElement {
  return h('input', { name, type: 'text', autocomplete: 'off', spellcheck: 'false', ...props });
}

/** A <select> from [value, text] pairs. */
export function select(name: string, options: ReadonlyArray<readonly [string, string]>, value?: string): HTMLSelectElement {
  const s = h(
    'select',
    { name },
    options.map(([v, t]) => h('option', { value: v }, t)),
  );
  if (value !== undefined) s.value = value;
  return s;
}

/** Downloads text as a file (CSV export). */
export function download(name: string, text: string, type = 'text/csv'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = h('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * A two-step action in a table row: `label` (named by `aria`), then `confirm` or Cancel; the
 * action's failure replaces the buttons with its message.
 */
export function confirmButton(o: { label: string; aria: string; confirm: string; action: () => Promise<unknown> }): HTMLElement {
  const cell = h('span', { class: 'confirm' });
  const run = async () => {
    try {
      await o.action();
    } catch (e) {
      cell.replaceChildren(notice(messageOf(e)));
    }
  };
  const ask = () =>
    cell.replaceChildren(
      h('button', { type: 'button', class: 'danger small', on: { click: run } }, o.confirm),
      h('button', { type: 'button', class: 'ghost small', on: { click: reset } }, 'Cancel'),
    );
  const reset = () => cell.replaceChildren(h('button', { type: 'button', class: 'ghost small', 'aria-label': o.aria, on: { click: ask } }, o.label));
  reset();
  return cell;
}
