/**
 * Account: the signed-in user — address and its verification, change password, the sessions
 * open on other devices (revoke one, or log out everywhere), and a new organization of their own.
 */
import type { CreateOrgResponse, LogoutAllResponse, SessionList, SessionListItem } from '../../../src/accounts/api-types.ts';
import { account } from '../api.ts';
import type { Ctx } from '../ctx.ts';
import { h, replace } from '../dom.ts';
import { dateTime } from '../format.ts';
import { badge, field, form, guarded, input, loading, messageOf, notice, section, table } from '../ui.ts';

export function renderAccount(root: HTMLElement, ctx: Ctx): void {
  const user = ctx.user!;
  const sessions = h('div', {}, loading());
  const changed = h('div', {});
  const current = input('current_password', { type: 'password', autocomplete: 'current-password', required: true });
  const next = input('new_password', { type: 'password', autocomplete: 'new-password', required: true, minlength: 8 });
  const orgName = input('name', { required: true, maxlength: 100 });
  root.append(
    h('div', { class: 'toolbar' }, h('h1', {}, 'Account')),
    section(
      'You',
      h(
        'p',
        {},
        h('strong', {}, user.email),
        ' ',
        user.verified ? badge('verified', 'ok') : badge('not verified', 'warn'),
        user.operator ? badge('operator', 'info') : null,
      ),
    ),
    section(
      'Change password',
      form({
        class: 'inline-form',
        submit: 'Change password',
        fields: [field('Current password', current), field('New password', next, 'At least 8 characters.')],
        onSubmit: async () => {
          await account('password/change', { method: 'POST', body: { current_password: current.value, new_password: next.value } });
          current.value = '';
          next.value = '';
          replace(changed, notice('Password changed; your other sessions were signed out.', 'ok'));
        },
      }),
      changed,
    ),
    section(
      'Sessions',
      sessions,
      h(
        'button',
        {
          type: 'button',
          class: 'danger',
          on: {
            click: async () => {
              try {
                await account<LogoutAllResponse>('logout-all', { method: 'POST' });
              } catch {
                /* signed out either way */
              }
              ctx.signOut('You logged out everywhere.');
            },
          },
        },
        'Log out everywhere',
      ),
    ),
    section(
      'Create another organization',
      form({
        submit: 'Create organization',
        fields: [field('Name', orgName)],
        onSubmit: async () => {
          const o = await account<CreateOrgResponse>('orgs', { method: 'POST', body: { name: orgName.value.trim() } });
          await account('switch-org', { method: 'POST', body: { org_id: o.org_id } });
          await ctx.refresh();
        },
      }),
    ),
  );
  void loadSessions();

  async function loadSessions() {
    await guarded(sessions, async () => {
      const list = await account<SessionList>('sessions');
      replace(
        sessions,
        table<SessionListItem>({
          testid: 'sessions-table',
          rows: list.sessions,
          columns: [
            {
              label: 'Browser',
              value: (s) => h('span', { class: 'ua' }, (s.user_agent ?? 'unknown').slice(0, 60), s.current ? badge('this one', 'info') : null),
            },
            { label: 'Address', value: (s) => s.client_ip ?? '—' },
            { label: 'Signed in', value: (s) => dateTime(s.created_at) },
            { label: 'Last seen', value: (s) => dateTime(s.last_seen_at) },
            {
              label: 'Actions',
              class: 'actions',
              value: (s) =>
                s.current
                  ? ''
                  : h(
                      'button',
                      {
                        type: 'button',
                        class: 'ghost small',
                        on: {
                          click: async () => {
                            try {
                              await account(`sessions/${encodeURIComponent(s.id)}/revoke`, { method: 'POST' });
                              await loadSessions();
                            } catch (e) {
                              replace(sessions, notice(messageOf(e)));
                            }
                          },
                        },
                      },
                      'Revoke',
                    ),
            },
          ],
        }),
      );
    });
  }
}
