/**
 * Alerts: where spend and billing alerts go — signed webhooks and email addresses — with a form
 * to add each (a webhook's signing secret is shown once) and a button to stop one; the thresholds
 * in force on each spend limit (edited under Spend limits); and the latest alerts sent.
 */
import type { AlertChannelView, AlertRecentView, AlertsResponse, CreatedAlertChannel, LimitScopeRow, LimitsResponse } from '../../../src/admin/api-types.ts';
import { api, orgPath } from '../api.ts';
import type { Ctx } from '../ctx.ts';
import { add, h, replace } from '../dom.ts';
import { dateTime, usd } from '../format.ts';
import { badge, field, form, guarded, input, loading, messageOf, notice, section, select, table } from '../ui.ts';

const KIND_LABEL: Record<string, string> = {
  threshold: 'threshold crossed',
  limit_reached: 'limit reached',
  credits_low: 'credits low',
  payment_failed: 'payment failed',
  invoice_overdue: 'invoice overdue',
  billing_suspended: 'suspended',
};

export function renderAlerts(root: HTMLElement, ctx: Ctx): void {
  const orgId = ctx.orgId!;
  const canWrite = ctx.can('billing:pay');
  const channels = h('div', {}, loading());
  const recent = h('div', {}, loading());
  const thresholds = h('div', {}, loading());
  const added = h('div', {});
  const kind = select('kind', [
    ['email', 'Email'],
    ['webhook', 'Webhook (signed POST)'],
  ]);
  const target = input('target', { required: true, placeholder: 'ops@example.com or https://…', size: 34 });
  kind.addEventListener('change', () => {
    target.type = kind.value === 'email' ? 'email' : 'url';
  });
  target.type = 'email';
  add(
    root,
    h('div', { class: 'toolbar' }, h('h1', {}, 'Alerts')),
    h(
      'p',
      { class: 'lede' },
      'Alerts fire once per month at each threshold of a spend limit, when a limit is reached, when prepaid credits run low, and on billing problems.',
    ),
    canWrite
      ? section(
          'Add a recipient',
          form({
            testid: 'add-channel',
            submit: 'Add recipient',
            fields: [field('Channel', kind), field('Send to', target)],
            onSubmit: async () => {
              const c = await api<CreatedAlertChannel>(orgPath(orgId, '/alerts/channels'), {
                method: 'POST',
                body: { kind: kind.value, target: target.value.trim() },
              });
              target.value = '';
              replace(
                added,
                c.secret
                  ? h(
                      'div',
                      { class: 'secret-panel', role: 'status' },
                      h('p', {}, h('strong', {}, 'Webhook added.'), ' Its signing secret, shown once — verify the tollgate-signature header with it:'),
                      h('code', { class: 'secret', 'data-testid': 'webhook-secret' }, c.secret),
                    )
                  : notice(`Alerts now also go to ${c.target}.`, 'ok'),
              );
              await load();
            },
          }),
          added,
        )
      : null,
    section('Recipients', channels),
    section('Thresholds', thresholds),
    section('Latest alerts', recent),
  );
  void load();
  void loadThresholds();

  async function load() {
    await guarded(channels, async () => {
      const r = await api<AlertsResponse>(orgPath(orgId, '/alerts'));
      replace(
        channels,
        table<AlertChannelView>({
          testid: 'channels-table',
          rows: r.channels,
          empty: canWrite ? 'No recipients yet: alerts are only recorded. Add an email address or a webhook above.' : 'No recipients yet.',
          columns: [
            { label: 'Channel', value: (c) => badge(c.kind, c.kind === 'webhook' ? 'info' : '') },
            { label: 'Sent to', class: 'wrap', value: (c) => h('code', {}, c.target) },
            { label: 'Status', value: (c) => (c.disabled_at ? badge('stopped', 'muted') : badge('active', 'ok')) },
            { label: 'Added', value: (c) => dateTime(c.created_at) },
            {
              label: 'Actions',
              class: 'actions',
              value: (c) =>
                canWrite && !c.disabled_at
                  ? h(
                      'button',
                      {
                        type: 'button',
                        class: 'ghost small',
                        'aria-label': `Stop alerts to ${c.target}`,
                        on: {
                          click: async () => {
                            try {
                              await api(orgPath(orgId, `/alerts/channels/${encodeURIComponent(c.id)}/disable`), { method: 'POST' });
                              await load();
                            } catch (e) {
                              replace(channels, notice(messageOf(e)));
                            }
                          },
                        },
                      },
                      'Stop',
                    )
                  : '',
            },
          ],
        }),
      );
      replace(
        recent,
        table<AlertRecentView>({
          testid: 'recent-alerts',
          rows: r.recent,
          empty: 'No alerts yet. Set a spend limit with thresholds to get one before the money runs out.',
          columns: [
            { label: 'When', value: (a) => dateTime(a.created_at) },
            { label: 'What', value: (a) => badge(KIND_LABEL[a.kind] ?? a.kind, a.kind === 'threshold' ? 'warn' : 'muted') },
            { label: 'Scope', value: (a) => h('span', {}, a.scope, ' ', h('code', { class: 'hint' }, a.scope_id)) },
            { label: 'Threshold', num: true, value: (a) => (a.kind === 'credits_low' ? usd(a.threshold) : `${a.threshold}%`) },
            { label: 'Spent', num: true, class: 'money', value: (a) => usd(a.amount_usd) },
            { label: 'Limit', num: true, class: 'money', value: (a) => (a.limit_usd === null ? '—' : usd(a.limit_usd)) },
          ],
        }),
      );
    });
  }

  async function loadThresholds() {
    await guarded(thresholds, async () => {
      const l = await api<LimitsResponse>(orgPath(orgId, '/limits'));
      const rows = l.scopes.filter((s) => s.monthly_usd !== null);
      replace(
        thresholds,
        table<LimitScopeRow>({
          testid: 'thresholds-table',
          rows,
          empty: h('span', {}, 'No spend limit is set, so no threshold can fire. ', h('a', { href: '#/limits' }, 'Set a limit'), ' with alert thresholds.'),
          columns: [
            { label: 'Scope', value: (s) => h('span', {}, badge(s.scope, s.scope), ' ', s.name) },
            { label: 'Monthly limit', num: true, class: 'money', value: (s) => usd(s.monthly_usd) },
            { label: 'Alerts at', value: (s) => (s.notify ?? []).map((n) => `${n}%`).join(', ') || 'default' },
            { label: 'Actions', class: 'actions', value: () => h('a', { href: '#/limits' }, 'Edit in Spend limits') },
          ],
        }),
      );
    });
  }
}
