/**
 * The operator's view: every organization, searchable by id, name or a member's email; for one
 * org: grant credits, set the tier, set the monthly ceiling, suspend or resume; and the latest
 * sign-ups.
 */
import type { OperatorOrgSearch, OperatorOrgView, SignupList, SignupView, SuspendView } from '../../../src/accounts/api-types.ts';
import type { UpstreamsResponse } from '../../../src/admin/api-types.ts';
import { api, orgPath } from '../api.ts';
import type { Ctx } from '../ctx.ts';
import { add, h, replace } from '../dom.ts';
import { dateTime, int } from '../format.ts';
import { badge, field, form, guarded, input, loading, notice, section, select, table } from '../ui.ts';

export function renderOperator(root: HTMLElement, ctx: Ctx): void {
  const q = input('q', { type: 'search', placeholder: 'name, org id or email' });
  const results = h('div', {}, loading());
  const detail = h('div', {});
  const signups = h('div', {}, loading());
  const more = h('div', {});
  const upstreams = h('div', {}, loading());
  let cursor: string | null = null;
  let rows: OperatorOrgView[] = [];
  add(
    root,
    h('div', { class: 'toolbar' }, h('h1', {}, 'All organizations')),
    section(
      null,
      h(
        'form',
        {
          class: 'inline-form',
          'data-testid': 'org-search',
          on: {
            submit: (e) => {
              e.preventDefault();
              rows = [];
              cursor = null;
              void search();
            },
          },
        },
        field('Search', q),
        h('button', { type: 'submit', class: 'primary' }, 'Search'),
      ),
    ),
    detail,
    section('Organizations', results, more),
    section('Latest sign-ups', signups),
    ctx.can('upstreams:read') ? section('Upstreams', upstreams) : null,
  );
  void search();
  void loadSignups();
  if (ctx.can('upstreams:read')) void loadUpstreams();

  async function search() {
    await guarded(results, async () => {
      const p = new URLSearchParams({ limit: '50' });
      if (q.value.trim()) p.set('q', q.value.trim());
      if (cursor) p.set('cursor', cursor);
      const page = await api<OperatorOrgSearch>(`operator/orgs?${p}`);
      rows = [...rows, ...page.orgs];
      cursor = page.next_cursor;
      replace(results, orgTable(rows));
      replace(more, cursor ? h('button', { type: 'button', class: 'ghost small', on: { click: () => void search() } }, 'Show more') : null);
    });
  }

  function orgTable(list: OperatorOrgView[]) {
    return table<OperatorOrgView>({
      testid: 'operator-orgs',
      rows: list,
      empty: q.value ? 'No organization matches.' : 'No organizations yet: they appear when someone signs up (or `tollgate org create`).',
      columns: [
        { label: 'Organization', value: (o) => h('span', {}, o.name, h('code', { class: 'hint block' }, o.id)) },
        { label: 'Owner', value: (o) => o.owner_email ?? h('span', { class: 'muted' }, '—') },
        { label: 'Members', num: true, value: (o) => int(o.members) },
        {
          label: 'Tier',
          num: true,
          value: (o) =>
            o.tier === null ? h('span', { class: 'muted' }, 'auto') : h('span', {}, String(o.tier), o.tier_pinned ? badge('pinned', 'info') : null),
        },
        { label: 'Billing', value: (o) => o.billing_mode },
        { label: 'Status', value: (o) => (o.suspended ? badge('suspended', 'warn') : badge('active', 'ok')) },
        { label: 'Created', value: (o) => dateTime(o.created_at) },
        {
          label: 'Actions',
          class: 'actions',
          value: (o) => h('button', { type: 'button', class: 'small', 'aria-label': `Manage ${o.name}`, on: { click: () => manage(o) } }, 'Manage'),
        },
      ],
    });
  }

  function manage(o: OperatorOrgView) {
    const path = (rest: string) => orgPath(o.id, rest);
    const done = h('div', {});
    const ok = (text: string) => replace(done, notice(text, 'ok'));
    const amount = input('amount_usd', { inputmode: 'decimal', required: true, placeholder: '25.00', size: 10 });
    const note = input('note', { maxlength: 500, placeholder: 'optional' });
    const tier = select(
      'tier',
      [['', 'Automatic (by spend)'], ...[1, 2, 3, 4, 5].map((t) => [String(t), `Tier ${t}`] as const)],
      o.tier_pinned && o.tier !== null ? String(o.tier) : '',
    );
    const ceiling = input('monthly_usd', { inputmode: 'decimal', placeholder: 'no ceiling', size: 10 });
    const reason = input('reason', { maxlength: 200, placeholder: 'e.g. abuse report' });
    replace(
      detail,
      section(
        `Manage ${o.name}`,
        h(
          'p',
          { class: 'muted small' },
          h('code', {}, o.id),
          ' · ',
          h(
            'a',
            {
              href: '#/usage',
              on: {
                click: () => {
                  const p = document.getElementById('org-picker') as HTMLSelectElement;
                  p.value = o.id;
                  p.dispatchEvent(new Event('change'));
                },
              },
            },
            'Open its console pages',
          ),
        ),
        h(
          'div',
          { class: 'manage-grid' },
          form({
            testid: 'grant-credits',
            class: 'stack-form',
            submit: 'Grant credits',
            fields: [field('Amount (USD)', amount), field('Note', note)],
            onSubmit: async () => {
              await api(path('/credits'), {
                method: 'POST',
                body: { kind: 'grant', amount_usd: amount.value.trim().replace(/^\$/, ''), ...(note.value.trim() ? { note: note.value.trim() } : {}) },
              });
              ok(`Granted $${amount.value.trim()} to ${o.name}.`);
              amount.value = '';
            },
          }),
          form({
            testid: 'set-tier',
            class: 'stack-form',
            submit: 'Set tier',
            fields: [field('Tier', tier)],
            onSubmit: async () => {
              await api(path('/tier'), { method: 'POST', body: { tier: tier.value ? Number(tier.value) : null } });
              ok(tier.value ? `${o.name} is pinned to tier ${tier.value}.` : `${o.name}'s tier follows its spend again.`);
              refreshRows();
            },
          }),
          form({
            testid: 'set-ceiling',
            class: 'stack-form',
            submit: 'Set ceiling',
            fields: [field('Monthly ceiling (USD)', ceiling, 'Empty removes it.')],
            onSubmit: async () => {
              const v = ceiling.value.trim().replace(/^\$/, '');
              await api(path('/limits'), { method: 'PUT', body: { scope: 'org', monthly_usd: v === '' ? null : v } });
              ok(v ? `${o.name} may spend at most $${v} a month.` : `${o.name} has no operator ceiling.`);
            },
          }),
          o.suspended
            ? form({
                testid: 'resume-org',
                class: 'stack-form',
                submit: 'Resume organization',
                fields: [h('p', { class: 'small' }, `Suspended since ${dateTime(o.suspended.since)}: ${o.suspended.reason}`)],
                onSubmit: async () => {
                  const s = await api<SuspendView>(path('/resume'), { method: 'POST' });
                  o.suspended = s.suspended;
                  ok(`${o.name} is active again.`);
                  refreshRows();
                  manage(o);
                },
              })
            : form({
                testid: 'suspend-org',
                class: 'stack-form',
                danger: true,
                submit: 'Suspend organization',
                fields: [field('Reason', reason)],
                onSubmit: async () => {
                  const s = await api<SuspendView>(path('/suspend'), { method: 'POST', body: reason.value.trim() ? { reason: reason.value.trim() } : {} });
                  o.suspended = s.suspended;
                  ok(`${o.name} is suspended: its requests get 402.`);
                  refreshRows();
                  manage(o);
                },
              }),
        ),
        done,
      ),
    );
    detail.scrollIntoView({ block: 'start' });
    (detail.querySelector('input') as HTMLInputElement | null)?.focus();
  }

  function refreshRows() {
    rows = [];
    cursor = null;
    void search();
  }

  async function loadSignups() {
    await guarded(signups, async () => {
      const { signups: list } = await api<SignupList>('operator/signups?limit=20');
      replace(
        signups,
        table<SignupView>({
          testid: 'signups-table',
          rows: list,
          empty: 'Nobody has signed up yet.',
          columns: [
            { label: 'Email', value: (s) => s.email },
            { label: 'Organization', value: (s) => s.org_name ?? '—' },
            { label: 'Signed up', value: (s) => dateTime(s.created_at) },
            { label: 'Verified', value: (s) => (s.verified_at ? badge(dateTime(s.verified_at), 'ok') : badge('not yet', 'warn')) },
          ],
        }),
      );
    });
  }

  async function loadUpstreams() {
    await guarded(upstreams, async () => {
      const r = await api<UpstreamsResponse>('upstreams');
      type U = UpstreamsResponse['upstreams'][number];
      const ms = (v: number | null) => (v === null ? '—' : `${int(Math.round(v))} ms`);
      replace(
        upstreams,
        table<U>({
          testid: 'upstreams-table',
          rows: r.upstreams,
          empty: 'No upstream is configured: set ANTHROPIC_API_KEY or OPENAI_API_KEY (or TOLLGATE_UPSTREAMS).',
          columns: [
            { label: 'Upstream', value: (u) => h('span', {}, u.name, h('span', { class: 'hint block' }, u.kind)) },
            { label: 'Priority', num: true, value: (u) => String(u.priority) },
            { label: 'Weight', num: true, value: (u) => String(u.weight) },
            { label: 'Breaker', value: (u) => badge(u.state.replace('_', ' '), u.state === 'closed' ? 'ok' : 'warn') },
            { label: 'Errors', num: true, value: (u) => (u.error_rate === null ? '—' : `${(u.error_rate * 100).toFixed(1)}% of ${int(u.attempts)}`) },
            { label: 'Latency p50 / p95', num: true, value: (u) => `${ms(u.latency_ms.p50)} / ${ms(u.latency_ms.p95)}` },
            { label: 'Cooling until', value: (u) => (u.cooling_until ? dateTime(u.cooling_until) : '—') },
          ],
        }),
      );
    });
  }
}
