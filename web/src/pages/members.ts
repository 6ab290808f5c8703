/**
 * Members: who belongs to the organization and with which role (owner, admin, developer, billing,
 * viewer — what each may do is in docs/security.md); invite someone by email with a role, change
 * a member's role, remove a member, and revoke pending invitations. Only owners grant the owner
 * role; the last owner stays.
 */
import type { InvitationList, InvitationView, MemberList, MemberRole, MemberView } from '../../../src/accounts/api-types.ts';
import { api, orgPath } from '../api.ts';
import type { Ctx } from '../ctx.ts';
import { add, h, replace } from '../dom.ts';
import { dateTime } from '../format.ts';
import { badge, confirmButton, field, form, guarded, input, loading, messageOf, notice, section, select, table } from '../ui.ts';

/** The roles, most powerful first (the keys of a Record<MemberRole, …>, so a new role fails the typecheck here). */
export const ROLE_HELP: Record<MemberRole, string> = {
  owner: 'everything, including owners and billing',
  admin: 'keys, limits, members and billing',
  developer: 'creates keys and sees usage',
  billing: 'sees usage, pays and manages billing',
  viewer: 'sees usage, keys and limits; changes nothing',
};

export function renderMembers(root: HTMLElement, ctx: Ctx): void {
  const orgId = ctx.orgId!;
  const canWrite = ctx.can('members:write');
  const owner = ctx.operator || ctx.role === 'owner' || ctx.role === 'user:owner';
  const roles = (Object.keys(ROLE_HELP) as MemberRole[]).filter((r) => owner || r !== 'owner');
  const roleOptions = roles.map((r) => [r, `${r[0]!.toUpperCase()}${r.slice(1)} — ${ROLE_HELP[r]}`] as const);
  const members = h('div', {}, loading());
  const invites = h('div', {}, loading());
  const sent = h('div', {});
  const email = input('email', { type: 'email', required: true, placeholder: 'name@example.com', autocomplete: 'email' });
  const role = select('role', roleOptions, 'developer');
  const invite = form({
    testid: 'invite-form',
    submit: 'Send invitation',
    fields: [field('Email', email), field('Role', role)],
    onSubmit: async () => {
      const inv = await api<InvitationView>(orgPath(orgId, '/invitations'), { method: 'POST', body: { email: email.value.trim(), role: role.value } });
      email.value = '';
      replace(sent, notice(`Invitation sent to ${inv.email} as ${inv.role}. The link works for 7 days.`, 'ok'));
      await loadInvites();
    },
  });
  add(
    root,
    h('div', { class: 'toolbar' }, h('h1', {}, 'Members')),
    h('p', { class: 'lede' }, 'Everyone with access to this organization in the console. Roles decide what each person sees and may change.'),
    canWrite ? section('Invite a member', invite, sent) : null,
    section('Members', members),
    section('Invitations', invites),
  );
  void loadMembers();
  void loadInvites();

  async function loadMembers() {
    await guarded(members, async () => {
      const list = await api<MemberList>(orgPath(orgId, '/members'));
      replace(
        members,
        table<MemberView>({
          testid: 'members-table',
          rows: list.members,
          empty: 'No members yet. Invite someone above.',
          columns: [
            { label: 'Email', value: (m) => h('span', {}, m.email, m.user_id === ctx.user?.id ? badge('you', 'info') : null) },
            {
              label: 'Role',
              value: (m) =>
                canWrite && m.user_id !== ctx.user?.id && (owner || m.role !== 'owner') ? roleEditor(m) : badge(m.role, m.role === 'owner' ? 'info' : ''),
            },
            { label: 'Verified', value: (m) => (m.verified ? badge('verified', 'ok') : badge('not yet', 'warn')) },
            { label: 'Joined', value: (m) => dateTime(m.joined_at) },
            {
              label: 'Actions',
              class: 'actions',
              value: (m) => (canWrite && m.user_id !== ctx.user?.id && (owner || m.role !== 'owner') ? removeButton(m) : ''),
            },
          ],
        }),
      );
    });
  }

  function roleEditor(m: MemberView) {
    const s = select(
      'role',
      roles.map((r) => [r, r] as const),
      m.role,
    );
    s.setAttribute('aria-label', `Role of ${m.email}`);
    const status = h('span', { role: 'status', class: 'small' });
    const save = h(
      'button',
      {
        type: 'button',
        class: 'small',
        on: {
          click: async () => {
            save.disabled = true;
            try {
              await api(orgPath(orgId, `/members/${encodeURIComponent(m.user_id)}`), { method: 'POST', body: { role: s.value } });
              status.textContent = ' Saved.';
            } catch (e) {
              status.textContent = ` ${messageOf(e)}`;
              s.value = m.role;
            }
            save.disabled = false;
          },
        },
      },
      'Change role',
    );
    return h('span', { class: 'confirm' }, s, save, status);
  }

  function removeButton(m: MemberView) {
    return confirmButton({
      label: 'Remove',
      aria: `Remove ${m.email}`,
      confirm: 'Confirm removal',
      action: async () => {
        await api(orgPath(orgId, `/members/${encodeURIComponent(m.user_id)}/remove`), { method: 'POST' });
        await loadMembers();
      },
    });
  }

  async function loadInvites() {
    await guarded(invites, async () => {
      const list = await api<InvitationList>(orgPath(orgId, '/invitations'));
      replace(
        invites,
        table<InvitationView>({
          testid: 'invitations-table',
          rows: list.invitations,
          empty: canWrite ? 'No invitations. Invite a teammate above; they get a link by email.' : 'No invitations.',
          columns: [
            { label: 'Email', value: (i) => i.email },
            { label: 'Role', value: (i) => badge(i.role) },
            { label: 'Status', value: (i) => badge(i.status, i.status === 'pending' ? 'warn' : i.status === 'accepted' ? 'ok' : 'muted') },
            { label: 'Sent', value: (i) => dateTime(i.created_at) },
            { label: 'Expires', value: (i) => dateTime(i.expires_at) },
            {
              label: 'Actions',
              class: 'actions',
              value: (i) =>
                canWrite && i.status === 'pending'
                  ? h(
                      'button',
                      {
                        type: 'button',
                        class: 'ghost small',
                        'aria-label': `Revoke the invitation of ${i.email}`,
                        on: {
                          click: async () => {
                            try {
                              await api(orgPath(orgId, `/invitations/${encodeURIComponent(i.id)}/revoke`), { method: 'POST' });
                              await loadInvites();
                            } catch (e) {
                              replace(invites, notice(messageOf(e)));
                            }
                          },
                        },
                      },
                      'Revoke',
                    )
                  : '',
            },
          ],
        }),
      );
    });
  }
}
