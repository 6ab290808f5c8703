/**
 * Audit log tab: every change to the organization — keys, limits, credits, tiers, settings —
 * newest first, with who made it (the operator, an admin key, a CLI user or the gateway itself),
 * and what changed: the fields that differ between before and after. "Load older" pages back.
 */
import type { MemberList } from '../../../src/accounts/api-types.ts';
import type { AuditEntryView, AuditPage } from '../../../src/admin/api-types.ts';
import { api, orgPath } from '../api.ts';
import type { Ctx } from '../ctx.ts';
import { h, replace } from '../dom.ts';
import { dateTime } from '../format.ts';
import { badge, guarded, loading, section } from '../ui.ts';

const ACTOR_LABEL: Record<string, string> = { operator: 'operator', admin_key: 'admin key', cli: 'CLI', system: 'gateway', user: 'user' };
const PAGE = 50;

const show = (v: unknown): string => (v === null || v === undefined ? '—' : typeof v === 'object' ? JSON.stringify(v) : String(v));

/** The fields that changed, as "field: before → after" lines (or every field of a creation). */
export function changes(before: unknown, after: unknown): HTMLElement[] | HTMLElement {
  const b = (before && typeof before === 'object' ? before : {}) as Record<string, unknown>;
  const a = (after && typeof after === 'object' ? after : {}) as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])];
  const rows: HTMLElement[] = [];
  for (const k of keys) {
    const was = show(b[k]);
    const now = show(a[k]);
    if (before && after && was === now) continue;
    if (!before && (a[k] === null || a[k] === undefined)) continue; // a creation: only the fields it set
    if (!before) rows.push(h('div', { class: 'change' }, h('span', { class: 'change-key' }, k), ' ', h('span', {}, now)));
    else if (!after) rows.push(h('div', { class: 'change' }, h('span', { class: 'change-key' }, k), ' ', h('span', { class: 'was' }, was)));
    else rows.push(h('div', { class: 'change' }, h('span', { class: 'change-key' }, k), ' ', h('span', { class: 'was' }, was), ' → ', h('span', {}, now)));
  }
  return rows.length ? rows : h('span', { class: 'muted' }, 'no field changed');
}

export function renderAudit(root: HTMLElement, ctx: Ctx): void {
  const orgId = ctx.orgId!;
  const body = h('div', {}, loading());
  const more = h('div', {});
  root.append(
    h('div', { class: 'toolbar' }, h('h1', {}, 'Audit log')),
    h('p', { class: 'lede' }, 'Every change to this organization, newest first: who made it, and what it changed. The log is append-only.'),
    section('Changes', body, more),
  );
  const rows: AuditEntryView[] = [];
  let emails: Map<string, string> | undefined; // user ids → addresses, for the Who column
  void load();

  async function load(before?: string) {
    await guarded(body, async () => {
      const q = `?limit=${PAGE}${before ? `&before=${encodeURIComponent(before)}` : ''}`;
      const page = await api<AuditPage>(orgPath(orgId, `/audit${q}`));
      if (!emails && ctx.can('members:read')) {
        emails = new Map((await api<MemberList>(orgPath(orgId, '/members')).catch(() => ({ members: [] }))).members.map((m) => [m.user_id, m.email]));
      }
      rows.push(...page.entries);
      replace(body, auditTable(rows));
      replace(
        more,
        page.next_before
          ? h('button', { type: 'button', class: 'ghost small', 'data-testid': 'audit-more', on: { click: () => void load(page.next_before!) } }, 'Load older')
          : null,
      );
    });
  }

  function auditTable(entries: AuditEntryView[]) {
    if (!entries.length)
      return h(
        'p',
        { class: 'empty', 'data-testid': 'audit-table' },
        'No changes recorded yet. Creating a key, setting a limit or inviting someone will show up here.',
      );
    return h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { 'data-testid': 'audit-table', class: 'audit' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ['When', 'Who', 'Action', 'Target', 'Change'].map((t) => h('th', { scope: 'col' }, t)),
          ),
        ),
        h(
          'tbody',
          {},
          entries.map((e) =>
            h(
              'tr',
              { 'data-action': e.action },
              h('td', {}, dateTime(e.at)),
              h(
                'td',
                {},
                badge(ACTOR_LABEL[e.actor.kind] ?? e.actor.kind, e.actor.kind === 'operator' ? 'info' : e.actor.kind === 'admin_key' ? 'key' : ''),
                ' ',
                e.actor.kind === 'user' && emails?.has(e.actor.id)
                  ? h('span', { title: e.actor.id }, emails.get(e.actor.id)!)
                  : h('code', { class: 'hint' }, e.actor.id),
              ),
              h('td', {}, h('code', {}, e.action)),
              h('td', {}, h('span', { class: 'muted' }, e.target.type), ' ', h('code', {}, e.target.id)),
              h('td', { class: 'changes' }, changes(e.before, e.after)),
            ),
          ),
        ),
      ),
    );
  }
}
