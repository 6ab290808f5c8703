/**
 * Limits tab: monthly spend caps (calendar month, UTC) for the org, each workspace and each key,
 * with this month's spend against them as a progress bar, the usage tier's own ceiling, and an
 * editor to set, change or remove a cap and its alert thresholds. Each cap has two layers: the
 * operator's limit (a ceiling) and the organization's own, and the lower one is in force; an
 * admin key edits the organization's own limit (lower than the operator's, never higher), the
 * operator token edits the operator's.
 */
import type { LimitScopeRow, LimitsResponse, OrgStatus } from '../../../src/admin/api-types.ts';
import { api, orgPath } from '../api.ts';
import type { Ctx } from '../ctx.ts';
import { h, replace } from '../dom.ts';
import { monthName, percent, usd, usdShort } from '../format.ts';
import { badge, field, guarded, loading, notice, progress, section, table, messageOf } from '../ui.ts';

const SCOPE_LABEL: Record<LimitScopeRow['scope'], string> = { org: 'Organization', workspace: 'Workspace', key: 'API key' };

export function renderLimits(root: HTMLElement, ctx: Ctx): void {
  const orgId = ctx.orgId!;
  const body = h('div', { class: 'stack' }, loading());
  const editor = h('div', {});
  root.append(h('div', { class: 'toolbar' }, h('h1', {}, 'Spend limits')), editor, body);
  void load();

  async function load() {
    await guarded(body, async () => {
      const [limits, status] = await Promise.all([api<LimitsResponse>(orgPath(orgId, '/limits')), ctx.can('org:read') ? api<OrgStatus>(orgPath(orgId)) : null]);
      replace(body, overview(limits, status), section(`Monthly caps · ${monthName(limits.month)}`, scopesTable(limits)));
    });
  }

  function overview(_limits: LimitsResponse, status: OrgStatus | null) {
    const layers = ctx.operator
      ? "You edit the operator's limit: a ceiling the organization can lower but never raise. "
      : "The operator's limits are ceilings: you can set lower limits of your own, never higher ones. ";
    if (!status) return h('p', { class: 'lede' }, 'Caps are hard limits: a request that could exceed one is refused until the month ends. ', layers);
    const tierCap = status.tier_monthly_spend_cap_usd;
    return h(
      'p',
      { class: 'lede' },
      'Caps are hard limits: a request that could exceed one is refused until the month ends. ',
      layers,
      `Alerts fire once per month at each threshold. Your usage tier (${status.tier_name}) `,
      tierCap === null ? 'has no monthly ceiling.' : `allows up to ${usdShort(tierCap)} per month (spent so far: ${usdShort(status.month_spend_usd)}).`,
    );
  }

  const capOrNone = (v: string | null) => (v === null ? h('span', { class: 'muted' }, 'none') : usd(v));

  function scopesTable(limits: LimitsResponse) {
    return table<LimitScopeRow>({
      testid: 'limits-table',
      rows: limits.scopes,
      columns: [
        { label: 'Scope', value: (s) => badge(SCOPE_LABEL[s.scope], s.scope) },
        { label: 'Name', class: 'wrap', value: (s) => h('span', {}, s.name, s.hint ? h('code', { class: 'hint block' }, s.hint) : null) },
        { label: 'Spent', num: true, class: 'money', value: (s) => usd(s.spent_this_month_usd) },
        { label: 'Operator limit', num: true, value: (s) => capOrNone(s.operator_limit_usd) },
        { label: 'Org limit', num: true, value: (s) => capOrNone(s.org_limit_usd) },
        { label: 'In force', num: true, class: 'money', value: (s) => capOrNone(s.monthly_usd) },
        { label: 'Used', class: 'progress-cell', value: (s) => usedCell(s) },
        { label: 'Alerts at', value: (s) => (s.notify ? s.notify.map((n) => `${n}%`).join(', ') : '—') },
        {
          label: 'Actions',
          class: 'actions',
          value: (s) =>
            !editable(s)
              ? ''
              : h(
                  'button',
                  { type: 'button', class: 'ghost small', 'aria-label': `Edit ${SCOPE_LABEL[s.scope]} ${s.name}`, on: { click: () => edit(s) } },
                  'Edit',
                ),
        },
      ],
    });
  }

  /** A workspace admin key edits its workspace and its keys; nobody edits without limits:write. */
  function editable(s: LimitScopeRow) {
    return ctx.can('limits:write') && !(ctx.workspaceId && s.scope === 'org');
  }

  function usedCell(s: LimitScopeRow) {
    if (s.monthly_usd === null) return h('span', { class: 'muted' }, 'no cap');
    const pct = percent(s.spent_this_month_usd, s.monthly_usd);
    const label = Number(s.monthly_usd) === 0 ? 'blocked' : `${pct < 10 && pct > 0 ? pct.toFixed(1) : Math.round(pct)}%`;
    return h(
      'div',
      { class: 'used' },
      progress(Number(s.monthly_usd) === 0 ? 100 : pct, `${s.name}: ${label} of the monthly cap`),
      h('span', { class: 'used-label' }, label),
    );
  }

  function edit(s: LimitScopeRow) {
    const mine = ctx.operator ? s.operator_limit_usd : s.org_limit_usd;
    const cap = h('input', {
      name: 'monthly',
      type: 'text',
      inputmode: 'decimal',
      placeholder: 'no cap',
      value: mine ?? '',
      autocomplete: 'off',
      'aria-label': 'Monthly cap in USD',
    });
    const notify = h('input', {
      name: 'notify',
      type: 'text',
      placeholder: '80',
      value: (s.notify ?? [80]).join(', '),
      autocomplete: 'off',
      'aria-label': 'Alert thresholds in percent',
    });
    const status = h('div', {});
    const save = h('button', { type: 'submit', class: 'primary' }, 'Save');
    const form = h(
      'form',
      { class: 'inline-form', 'data-testid': 'limit-editor', on: { submit: onSave } },
      field(
        ctx.operator ? 'Operator limit (USD)' : 'Organization limit (USD)',
        cap,
        ctx.operator
          ? 'A ceiling: the organization may set a lower one. Empty: none.'
          : s.operator_limit_usd === null
            ? 'Leave empty for no cap.'
            : `At most the operator's $${s.operator_limit_usd}. Empty: the operator's applies.`,
      ),
      field('Alert at (%)', notify, 'Comma-separated, e.g. 50, 80.'),
      save,
      h('button', { type: 'button', class: 'ghost', on: { click: () => replace(editor) } }, 'Cancel'),
    );
    replace(editor, section(`Edit cap · ${SCOPE_LABEL[s.scope]} “${s.name}”`, form, status));
    cap.focus();

    async function onSave(e: SubmitEvent) {
      e.preventDefault();
      const raw = cap.value.trim().replace(/^\$/, '').replace(/,/g, '');
      const pcts = notify.value
        .split(',')
        .map((x) => x.trim().replace(/%$/, ''))
        .filter(Boolean)
        .map(Number);
      save.disabled = true;
      try {
        await api(orgPath(orgId, '/limits'), {
          method: 'PUT',
          body: {
            scope: s.scope,
            ...(s.scope === 'org' ? {} : { scope_id: s.scope_id }),
            monthly_usd: raw === '' ? null : raw,
            ...(pcts.length ? { notify: pcts } : {}),
          },
        });
        replace(editor, notice('Saved.', 'ok'));
        await load();
      } catch (err) {
        replace(status, notice(messageOf(err)));
        save.disabled = false;
      }
    }
  }
}
