/**
 * Keys tab: the org's API keys (kind, hint, status, dates), a form to create one — an inference
 * key (calls the models) or an admin key (manages the org); its secret is shown once, with a copy
 * button — and a two-step revoke (revoking the key you signed in with signs you out). A workspace
 * admin key sees and creates keys in its workspace only.
 */
import { api, orgPath } from '../api.js';
import { h, replace } from '../dom.js';
import { dateTime } from '../format.js';
import { badge, field, guarded, loading, notice, section, table } from '../ui.js';

const EXPIRY = [['', 'Never'], ['7', '7 days'], ['30', '30 days'], ['90', '90 days'], ['365', '1 year']];
const KINDS = [['inference', 'Inference key (calls the models)'], ['admin', 'Admin key (manages the organization)']];
const KIND_LABEL = (k) => (k.kind === 'admin' ? (k.admin_scope === 'workspace' ? 'admin · workspace' : 'admin') : 'inference');

export function renderKeys(root, ctx) {
  const list = h('div', {}, loading());
  const created = h('div', {});
  const name = h('input', { name: 'name', type: 'text', maxlength: 100, placeholder: 'e.g. production', required: true, autocomplete: 'off' });
  const expiry = h('select', { name: 'expires' }, EXPIRY.map(([v, t]) => h('option', { value: v }, t)));
  const kind = h('select', { name: 'kind' }, KINDS.map(([v, t]) => h('option', { value: v }, t)));
  const status = h('div', {});
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Create key');
  const form = h('form', { class: 'inline-form', 'data-testid': 'create-key', on: { submit: onCreate } },
    field('Name', name), field('Kind', kind), field('Expires', expiry), submit);
  const scopeNote = ctx.workspaceId ? h('p', { class: 'lede' }, `This admin key is confined to workspace ${ctx.workspaceId}: the keys it creates stay there and expire no later than it does.`) : null;

  root.append(h('div', { class: 'toolbar' }, h('h1', {}, 'API keys')), ...(scopeNote ? [scopeNote] : []),
    ...(ctx.can('keys:write') ? [section('Create a key', form, status, created)] : []), section('Keys', list));
  load();

  async function load() {
    await guarded(list, async () => {
      const { keys } = await api(orgPath(ctx.orgId, '/keys'));
      replace(list, keysTable(keys));
    });
  }

  async function onCreate(e) {
    e.preventDefault();
    submit.disabled = true;
    replace(status);
    try {
      const body = { name: name.value.trim(), kind: kind.value };
      if (expiry.value) body.expires_in_days = Number(expiry.value);
      const k = await api(orgPath(ctx.orgId, '/keys'), { method: 'POST', body });
      form.reset();
      replace(created, secretPanel(k, () => replace(created)));
      await load();
    } catch (err) {
      replace(status, notice(err.message));
    } finally {
      submit.disabled = false;
    }
  }

  function keysTable(keys) {
    const rows = [...keys].sort((a, b) => (a.status === 'revoked') - (b.status === 'revoked') || b.created_at.localeCompare(a.created_at));
    return table({
      testid: 'keys-table', rows, empty: 'No keys yet.',
      columns: [
        { label: 'Name', value: (k) => h('span', { class: k.status === 'active' ? '' : 'muted' }, k.name, k.id === ctx.keyId ? h('span', { class: 'badge info' }, 'this session') : null) },
        { label: 'Kind', value: (k) => badge(KIND_LABEL(k), k.kind === 'admin' ? 'info' : '') },
        { label: 'Key', value: (k) => h('code', { class: 'hint' }, k.hint) },
        { label: 'Status', value: (k) => badge(k.status, k.status === 'active' ? 'ok' : 'muted') },
        { label: 'Created', value: (k) => dateTime(k.created_at) },
        { label: 'Last used', value: (k) => dateTime(k.last_used_at) },
        { label: 'Expires', value: (k) => (k.expires_at ? dateTime(k.expires_at) : 'never') },
        { label: '', class: 'actions', value: (k) => (k.status === 'revoked' || !ctx.can('keys:write') ? '' : revokeButton(k)) },
      ],
    });
  }

  function revokeButton(k) {
    const cell = h('span', { class: 'confirm' });
    const ask = () => replace(cell,
      h('button', { type: 'button', class: 'danger small', on: { click: doRevoke } }, k.id === ctx.keyId ? 'Revoke and sign out' : 'Confirm revoke'),
      h('button', { type: 'button', class: 'ghost small', on: { click: reset } }, 'Cancel'));
    const reset = () => replace(cell, h('button', { type: 'button', class: 'ghost small', 'aria-label': `Revoke ${k.name}`, on: { click: ask } }, 'Revoke'));
    async function doRevoke() {
      try {
        await api(`keys/${encodeURIComponent(k.id)}/revoke`, { method: 'POST' });
        if (k.id === ctx.keyId) return ctx.signOut('You revoked the key you signed in with.');
        await load();
      } catch (err) {
        replace(cell, notice(err.message));
      }
    }
    reset();
    return cell;
  }
}

function secretPanel(k, dismiss) {
  const code = h('code', { class: 'secret', 'data-testid': 'new-secret' }, k.key);
  const copied = h('span', { class: 'muted', role: 'status' });
  const copy = h('button', { type: 'button', class: 'small', on: { click: async () => {
    try { await navigator.clipboard.writeText(k.key); copied.textContent = 'Copied.'; } catch { copied.textContent = 'Select the key and copy it.'; }
  } } }, 'Copy');
  return h('div', { class: 'secret-panel', role: 'status' },
    h('p', {}, h('strong', {}, `Key “${k.name}” created.`), ' Copy it now — it will not be shown again.'),
    h('div', { class: 'secret-row' }, code, copy, copied),
    h('button', { type: 'button', class: 'ghost small', on: { click: dismiss } }, 'Done'));
}
