/**
 * API keys: the org's keys (kind, workspace, hint, status, dates), a form to create one — name,
 * kind (inference: calls the models; admin: manages the org), workspace, expiry and an optional
 * monthly spend limit; its secret is shown once, with a copy button — and a two-step revoke
 * (revoking the key you signed in with signs you out). A workspace admin key sees and creates keys
 * in its workspace only.
 */
import type { WorkspaceList } from '../../../src/accounts/api-types.ts';
import type { CreatedKey, KeyList, KeyView } from '../../../src/admin/api-types.ts';
import { api, orgPath } from '../api.ts';
import type { Ctx } from '../ctx.ts';
import { add, h, replace } from '../dom.ts';
import { date, dateTime } from '../format.ts';
import { badge, confirmButton, field, form, guarded, input, loading, messageOf, notice, section, select, table } from '../ui.ts';

const EXPIRY = [
  ['', 'Never'],
  ['7', '7 days'],
  ['30', '30 days'],
  ['90', '90 days'],
  ['365', '1 year'],
] as const;
const KINDS = [
  ['inference', 'Inference key (calls the models)'],
  ['admin', 'Admin key (manages the organization)'],
] as const;
const KIND_LABEL = (k: KeyView) => (k.kind === 'admin' ? (k.admin_scope === 'workspace' ? 'admin · workspace' : 'admin') : 'inference');

export function renderKeys(root: HTMLElement, ctx: Ctx): void {
  const orgId = ctx.orgId!;
  const list = h('div', {}, loading());
  const created = h('div', {});
  const wsNames = new Map<string, string>();
  const name = input('name', { maxlength: 100, placeholder: 'e.g. production', required: true });
  const expiry = select('expires', EXPIRY);
  const kind = select('kind', KINDS);
  const workspace = select('workspace', [['', 'Default workspace']]);
  const limit = input('monthly_usd', { inputmode: 'decimal', placeholder: 'no limit', size: 10 });
  const canLimit = ctx.can('limits:write');
  const createForm = form({
    testid: 'create-key',
    submit: 'Create key',
    onSubmit: onCreate,
    fields: [
      field('Name', name),
      field('Kind', kind),
      ctx.workspaceId ? null : field('Workspace', workspace),
      field('Expires', expiry),
      canLimit ? field('Monthly limit (USD)', limit) : null,
    ],
  });
  const scopeNote = ctx.workspaceId
    ? h('p', { class: 'lede' }, `This admin key is confined to workspace ${ctx.workspaceId}: the keys it creates stay there and expire no later than it does.`)
    : null;

  add(
    root,
    h('div', { class: 'toolbar' }, h('h1', {}, 'API keys')),
    h(
      'p',
      { class: 'lede' },
      'Inference keys call the model APIs (',
      h('code', {}, '/v1/messages'),
      ', ',
      h('code', {}, '/v1/chat/completions'),
      '); admin keys manage the organization through the admin API.',
    ),
    scopeNote,
    ctx.can('keys:write') ? section('Create a key', createForm, created) : null,
    section('Keys', list),
  );
  void loadWorkspaces();
  void load();

  async function loadWorkspaces() {
    if (ctx.workspaceId || !ctx.can('org:read')) return;
    try {
      const { workspaces } = await api<WorkspaceList>(orgPath(orgId, '/workspaces'));
      const active = workspaces.filter((w) => w.status === 'active');
      for (const w of workspaces) wsNames.set(w.id, w.name);
      replace(
        workspace,
        active.map((w) => h('option', { value: w.id }, w.name)),
      );
    } catch {
      /* the workspaces API is optional: keys go to the default workspace */
    }
  }

  async function load() {
    await guarded(list, async () => {
      const { keys } = await api<KeyList>(orgPath(orgId, '/keys'));
      replace(list, keysTable(keys));
    });
  }

  async function onCreate() {
    const body: Record<string, unknown> = { name: name.value.trim(), kind: kind.value };
    if (expiry.value) body.expires_in_days = Number(expiry.value);
    if (workspace.value && !ctx.workspaceId) body.workspace_id = workspace.value;
    const cap = limit.value.trim().replace(/^\$/, '');
    const k = await api<CreatedKey>(orgPath(orgId, '/keys'), { method: 'POST', body });
    let warning: string | null = null;
    if (cap && canLimit) {
      try {
        await api(orgPath(orgId, '/limits'), { method: 'PUT', body: { scope: 'key', scope_id: k.id, monthly_usd: cap } });
      } catch (e) {
        warning = `The key was created, but its limit was not set: ${messageOf(e)}`;
      }
    }
    name.value = '';
    limit.value = '';
    replace(
      created,
      secretPanel(k, () => replace(created)),
      warning ? notice(warning) : null,
    );
    await load();
  }

  function keysTable(keys: KeyView[]) {
    const rows = [...keys].sort(
      (a, b) => Number(a.status === 'revoked') - Number(b.status === 'revoked') || (b.created_at ?? '').localeCompare(a.created_at ?? ''),
    );
    return table<KeyView>({
      testid: 'keys-table',
      rows,
      empty: ctx.can('keys:write') ? 'No keys yet. Create one above, then call the API with it.' : 'No keys yet.',
      columns: [
        {
          label: 'Name',
          value: (k) =>
            h('span', { class: k.status === 'active' ? '' : 'muted' }, k.name, k.id === ctx.keyId ? h('span', { class: 'badge info' }, 'this session') : null),
        },
        { label: 'Kind', value: (k) => badge(KIND_LABEL(k), k.kind === 'admin' ? 'info' : '') },
        {
          label: 'Workspace',
          value: (k) => h('span', { class: 'muted', title: k.workspace_id }, wsNames.get(k.workspace_id) ?? `${k.workspace_id.slice(0, 12)}…`),
        },
        { label: 'Key', value: (k) => h('code', { class: 'hint' }, k.hint) },
        { label: 'Status', value: (k) => badge(k.status, k.status === 'active' ? 'ok' : 'muted') },
        { label: 'Created', value: (k) => date(k.created_at) },
        { label: 'Last used', value: (k) => dateTime(k.last_used_at) },
        { label: 'Expires', value: (k) => (k.expires_at ? date(k.expires_at) : 'never') },
        { label: 'Actions', class: 'actions', value: (k) => (k.status === 'revoked' || !ctx.can('keys:write') ? '' : revokeButton(k)) },
      ],
    });
  }

  function revokeButton(k: KeyView) {
    return confirmButton({
      label: 'Revoke',
      aria: `Revoke ${k.name}`,
      confirm: k.id === ctx.keyId ? 'Revoke and sign out' : 'Confirm revoke',
      action: async () => {
        await api(`keys/${encodeURIComponent(k.id)}/revoke`, { method: 'POST' });
        if (k.id === ctx.keyId) return ctx.signOut('You revoked the key you signed in with.');
        await load();
      },
    });
  }
}

function secretPanel(k: CreatedKey, dismiss: () => void): HTMLElement {
  const code = h('code', { class: 'secret', 'data-testid': 'new-secret' }, k.key);
  const copied = h('span', { class: 'muted', role: 'status' });
  const copy = h(
    'button',
    {
      type: 'button',
      class: 'small',
      on: {
        click: async () => {
          try {
            await navigator.clipboard.writeText(k.key);
            copied.textContent = 'Copied.';
          } catch {
            copied.textContent = 'Select the key and copy it.';
          }
        },
      },
    },
    'Copy key',
  );
  return h(
    'div',
    { class: 'secret-panel', role: 'status' },
    h('p', {}, h('strong', {}, `Key “${k.name}” created.`), ' Copy it now — it will not be shown again.'),
    h('div', { class: 'secret-row' }, code, copy, copied),
    h('button', { type: 'button', class: 'ghost small', on: { click: dismiss } }, 'Done'),
  );
}
