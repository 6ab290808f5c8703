/**
 * Workspaces: create, rename and archive the organization's workspaces. Each has its own keys and
 * spend limit (set under Spend limits); archiving one stops its keys within a second.
 */
import type { WorkspaceList, WorkspaceView } from '../../../src/accounts/api-types.ts';
import { api, orgPath } from '../api.ts';
import type { Ctx } from '../ctx.ts';
import { add, h, replace } from '../dom.ts';
import { dateTime, int } from '../format.ts';
import { badge, confirmButton, field, form, guarded, input, loading, messageOf, section, table } from '../ui.ts';

export function renderWorkspaces(root: HTMLElement, ctx: Ctx): void {
  const orgId = ctx.orgId!;
  const canWrite = ctx.can('workspaces:write');
  const list = h('div', {}, loading());
  const name = input('name', { required: true, maxlength: 100, placeholder: 'e.g. staging' });
  const create = form({
    testid: 'create-workspace',
    submit: 'Create workspace',
    fields: [field('Name', name)],
    onSubmit: async () => {
      await api<WorkspaceView>(orgPath(orgId, '/workspaces'), { method: 'POST', body: { name: name.value.trim() } });
      name.value = '';
      await load();
    },
  });
  add(
    root,
    h('div', { class: 'toolbar' }, h('h1', {}, 'Workspaces')),
    h('p', { class: 'lede' }, 'Workspaces separate projects or environments: each has its own API keys, usage and spend limit.'),
    canWrite ? section('Create a workspace', create) : null,
    section('Workspaces', list),
  );
  void load();

  async function load() {
    await guarded(list, async () => {
      const { workspaces } = await api<WorkspaceList>(orgPath(orgId, '/workspaces'));
      replace(
        list,
        table<WorkspaceView>({
          testid: 'workspaces-table',
          rows: workspaces,
          empty: 'No workspaces yet. Create one above.',
          columns: [
            { label: 'Name', value: (w) => (canWrite && w.status === 'active' ? renameEditor(w) : w.name) },
            { label: 'Id', value: (w) => h('code', { class: 'hint' }, w.id) },
            { label: 'Status', value: (w) => badge(w.status, w.status === 'active' ? 'ok' : 'muted') },
            { label: 'Active keys', num: true, value: (w) => int(w.active_keys) },
            { label: 'Created', value: (w) => dateTime(w.created_at) },
            { label: 'Actions', class: 'actions', value: (w) => (canWrite && w.status === 'active' ? archiveButton(w) : '') },
          ],
        }),
      );
    });
  }

  function renameEditor(w: WorkspaceView) {
    const i = input('name', { value: w.name, maxlength: 100, required: true, 'aria-label': `Name of workspace ${w.name}`, size: 18 });
    const status = h('span', { class: 'small', role: 'status' });
    return h(
      'form',
      {
        class: 'confirm',
        on: {
          submit: async (e) => {
            e.preventDefault();
            try {
              await api(orgPath(orgId, `/workspaces/${encodeURIComponent(w.id)}`), { method: 'POST', body: { name: i.value.trim() } });
              status.textContent = ' Renamed.';
            } catch (err) {
              status.textContent = ` ${messageOf(err)}`;
            }
          },
        },
      },
      i,
      h('button', { type: 'submit', class: 'small' }, 'Rename'),
      status,
    );
  }

  function archiveButton(w: WorkspaceView) {
    return confirmButton({
      label: 'Archive',
      aria: `Archive ${w.name}`,
      confirm: `Archive and stop ${w.active_keys} key${w.active_keys === 1 ? '' : 's'}`,
      action: async () => {
        await api(orgPath(orgId, `/workspaces/${encodeURIComponent(w.id)}/archive`), { method: 'POST' });
        await load();
      },
    });
  }
}
