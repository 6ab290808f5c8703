/**
 * Logs: every metered request, newest first — time, key, model, tokens by kind, cost, latency,
 * status and whether the usage was estimated — filtered by date range, workspace, key, model and
 * outcome, and paged with the API's keyset cursor (page 50 costs what page 1 does).
 */
import type { LogEntry, LogPage, WorkspaceList } from '../../../src/accounts/api-types.ts';
import type { KeyList, UsageResponse } from '../../../src/admin/api-types.ts';
import { api, orgPath } from '../api.ts';
import type { Ctx } from '../ctx.ts';
import { h, replace } from '../dom.ts';
import { int, usd } from '../format.ts';
import { badge, field, guarded, input, loading, section, select, table } from '../ui.ts';

const PAGE = 50;

export function renderLogs(root: HTMLElement, ctx: Ctx): void {
  const orgId = ctx.orgId!;
  const keyNames = new Map<string, string>();
  const wsNames = new Map<string, string>();
  const from = input('from', { type: 'date' });
  const to = input('to', { type: 'date' });
  const ws = select('workspace', [['', 'All workspaces']]);
  const key = select('key', [['', 'All keys']]);
  const model = select('model', [['', 'All models']]);
  const status = select('status', [
    ['', 'Any status'],
    ['ok', 'Succeeded (2xx)'],
    ['error', 'Failed'],
  ]);
  const body = h('div', {}, loading());
  const pager = h('div', { class: 'pager' });
  const cursors: Array<string | null> = [null]; // cursor of each page shown so far
  root.append(
    h('div', { class: 'toolbar' }, h('h1', {}, 'Logs')),
    h('p', { class: 'lede' }, 'Every request metered for this organization, newest first. Times are UTC; costs are exact.'),
    section(
      null,
      h(
        'form',
        {
          class: 'inline-form filters',
          'data-testid': 'logs-filters',
          on: {
            submit: (e) => {
              e.preventDefault();
              cursors.length = 1;
              void load();
            },
          },
        },
        field('From', from),
        field('To', to),
        ctx.workspaceId ? null : field('Workspace', ws),
        field('API key', key),
        field('Model', model),
        field('Status', status),
        h('button', { type: 'submit', class: 'primary' }, 'Apply filters'),
      ),
    ),
    section('Requests', body, pager),
  );
  void options().then(() => load());

  async function options() {
    const [keys, wsl, models] = await Promise.all([
      ctx.can('keys:read') ? api<KeyList>(orgPath(orgId, '/keys')).catch(() => null) : null,
      ctx.can('org:read') && !ctx.workspaceId ? api<WorkspaceList>(orgPath(orgId, '/workspaces')).catch(() => null) : null,
      api<UsageResponse>(orgPath(orgId, '/usage')).catch(() => null), // every model with usage, under its recorded id
    ]);
    for (const k of keys?.keys ?? []) {
      keyNames.set(k.id, k.name);
      if (k.kind === 'inference') key.append(h('option', { value: k.id }, `${k.name} (${k.hint})`));
    }
    for (const w of wsl?.workspaces ?? []) {
      wsNames.set(w.id, w.name);
      ws.append(h('option', { value: w.id }, w.name));
    }
    for (const m of models?.by_model ?? []) model.append(h('option', { value: m.model }, m.model));
  }

  async function load() {
    const cursor = cursors.at(-1);
    const q = new URLSearchParams({ limit: String(PAGE) });
    if (from.value) q.set('from', `${from.value}T00:00:00Z`);
    if (to.value) q.set('to', new Date(Date.parse(`${to.value}T00:00:00Z`) + 86_400_000).toISOString());
    if (ws.value) q.set('workspace_id', ws.value);
    if (key.value) q.set('key_id', key.value);
    if (model.value) q.set('model', model.value);
    if (status.value) q.set('status', status.value);
    if (cursor) q.set('cursor', cursor);
    replace(body, loading());
    replace(pager);
    await guarded(body, async () => {
      const page = await api<LogPage>(orgPath(orgId, `/logs?${q}`));
      replace(body, logTable(page.data));
      const n = cursors.length;
      replace(
        pager,
        n > 1
          ? h(
              'button',
              {
                type: 'button',
                class: 'ghost small',
                on: {
                  click: () => {
                    cursors.pop();
                    void load();
                  },
                },
              },
              'Newer',
            )
          : null,
        h('span', { class: 'muted small' }, page.data.length ? `Page ${n}` : ''),
        page.next_cursor
          ? h(
              'button',
              {
                type: 'button',
                class: 'ghost small',
                'data-testid': 'logs-older',
                on: {
                  click: () => {
                    cursors.push(page.next_cursor);
                    void load();
                  },
                },
              },
              'Older',
            )
          : null,
      );
    });
  }

  function logTable(rows: LogEntry[]) {
    return table<LogEntry>({
      testid: 'logs-table',
      rows,
      empty: cursors.length > 1 ? 'No older requests.' : "No requests match. Requests made with this organization's API keys appear here within seconds.",
      columns: [
        { label: 'Time (UTC)', value: (r) => h('time', { datetime: r.time }, `${r.time.slice(0, 10)} ${r.time.slice(11, 19)}`) },
        { label: 'Key', value: (r) => h('span', { title: r.key_id }, keyNames.get(r.key_id) ?? r.key_id) },
        { label: 'Model', value: (r) => h('code', {}, r.model) },
        { label: 'Input', num: true, value: (r) => int(r.tokens.input) },
        { label: 'Output', num: true, value: (r) => int(r.tokens.output) },
        {
          label: 'Cache',
          num: true,
          value: (r) => `${int((BigInt(r.tokens.cache_write_5m) + BigInt(r.tokens.cache_write_1h)).toString())} / ${int(r.tokens.cache_read)}`,
        },
        { label: 'Cost', num: true, class: 'money', value: (r) => usd(r.cost_usd) },
        { label: 'Latency', num: true, value: (r) => `${int(r.latency_ms)} ms` },
        { label: 'Status', value: (r) => badge(String(r.status), r.status < 300 ? 'ok' : 'warn') },
        { label: 'Estimated', value: (r) => (r.estimated ? badge('estimated', 'warn') : h('span', { class: 'muted' }, 'no')) },
      ],
    });
  }
}
