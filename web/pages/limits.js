/**
 * Limits tab: monthly spend caps (calendar month, UTC) for the org, each workspace and each key,
 * with this month's spend against them as a progress bar, the usage tier's own ceiling, and an
 * editor to set, change or remove a cap and its alert thresholds.
 */
import { api, orgPath } from '../api.js';
import { h, replace } from '../dom.js';
import { monthName, percent, usd, usdShort } from '../format.js';
import { badge, field, guarded, loading, notice, progress, section, table } from '../ui.js';

const SCOPE_LABEL = { org: 'Organization', workspace: 'Workspace', key: 'API key' };

export function renderLimits(root, ctx) {
  const body = h('div', { class: 'stack' }, loading());
  const editor = h('div', {});
  root.append(h('div', { class: 'toolbar' }, h('h1', {}, 'Spend limits')), editor, body);
  load();

  async function load() {
    await guarded(body, async () => {
      const [limits, status] = await Promise.all([api(orgPath(ctx.orgId, '/limits')), api(orgPath(ctx.orgId))]);
      replace(body, overview(limits, status), section(`Monthly caps · ${monthName(limits.month)}`, scopesTable(limits)));
    });
  }

  function overview(limits, status) {
    const tierCap = status.tier_monthly_spend_cap_usd;
    return h('p', { class: 'lede' },
      'Caps are hard limits: a request that could exceed one is refused until the month ends. ',
      `Alerts fire once per month at each threshold. Your usage tier (${status.tier_name}) `,
      tierCap === null ? 'has no monthly ceiling.' : `allows up to ${usdShort(tierCap)} per month (spent so far: ${usdShort(status.month_spend_usd)}).`);
  }

  function scopesTable(limits) {
    return table({
      testid: 'limits-table', rows: limits.scopes,
      columns: [
        { label: 'Scope', value: (s) => badge(SCOPE_LABEL[s.scope], s.scope) },
        { label: 'Name', value: (s) => h('span', {}, s.name, s.hint ? h('code', { class: 'hint' }, ` ${s.hint}`) : null) },
        { label: 'Spent this month', num: true, class: 'money', value: (s) => usd(s.spent_this_month_usd) },
        { label: 'Monthly cap', num: true, class: 'money', value: (s) => (s.monthly_usd === null ? h('span', { class: 'muted' }, 'none') : usd(s.monthly_usd)) },
        { label: 'Used', class: 'progress-cell', value: (s) => usedCell(s) },
        { label: 'Alerts at', value: (s) => (s.notify ? s.notify.map((n) => `${n}%`).join(', ') : '—') },
        { label: '', class: 'actions', value: (s) => h('button', { type: 'button', class: 'ghost small', 'aria-label': `Edit ${SCOPE_LABEL[s.scope]} ${s.name}`, on: { click: () => edit(s) } }, 'Edit') },
      ],
    });
  }

  function usedCell(s) {
    if (s.monthly_usd === null) return h('span', { class: 'muted' }, 'no cap');
    const pct = percent(s.spent_this_month_usd, s.monthly_usd);
    const label = Number(s.monthly_usd) === 0 ? 'blocked' : `${pct < 10 && pct > 0 ? pct.toFixed(1) : Math.round(pct)}%`;
    return h('div', { class: 'used' }, progress(Number(s.monthly_usd) === 0 ? 100 : pct, `${s.name}: ${label} of the monthly cap`), h('span', { class: 'used-label' }, label));
  }

  function edit(s) {
    const cap = h('input', { name: 'monthly', type: 'text', inputmode: 'decimal', placeholder: 'no cap', value: s.monthly_usd ?? '', autocomplete: 'off', 'aria-label': 'Monthly cap in USD' });
    const notify = h('input', { name: 'notify', type: 'text', placeholder: '80', value: (s.notify ?? [80]).join(', '), autocomplete: 'off', 'aria-label': 'Alert thresholds in percent' });
    const status = h('div', {});
    const save = h('button', { type: 'submit', class: 'primary' }, 'Save');
    const form = h('form', { class: 'inline-form', 'data-testid': 'limit-editor', on: { submit: onSave } },
      field('Monthly cap (USD)', cap, 'Leave empty for no cap.'),
      field('Alert at (%)', notify, 'Comma-separated, e.g. 50, 80.'),
      save, h('button', { type: 'button', class: 'ghost', on: { click: () => replace(editor) } }, 'Cancel'));
    replace(editor, section(`Edit cap · ${SCOPE_LABEL[s.scope]} “${s.name}”`, form, status));
    cap.focus();

    async function onSave(e) {
      e.preventDefault();
      const raw = cap.value.trim().replace(/^\$/, '').replace(/,/g, '');
      const pcts = notify.value.split(',').map((x) => x.trim().replace(/%$/, '')).filter(Boolean).map(Number);
      save.disabled = true;
      try {
        await api(orgPath(ctx.orgId, '/limits'), {
          method: 'PUT',
          body: { scope: s.scope, ...(s.scope === 'org' ? {} : { scope_id: s.scope_id }), monthly_usd: raw === '' ? null : raw, ...(pcts.length ? { notify: pcts } : {}) },
        });
        replace(editor, notice('Saved.', 'ok'));
        await load();
      } catch (err) {
        replace(status, notice(err.message));
        save.disabled = false;
      }
    }
  }
}
