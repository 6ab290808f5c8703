/** Accepting an invitation while signed in: who invites you to what, and one button. */
import type { AcceptInvitationResponse, InvitationLookup } from '../../../src/accounts/api-types.ts';
import { account } from '../api.ts';
import type { Ctx } from '../ctx.ts';
import { add, h, replace } from '../dom.ts';
import { form, messageOf, notice } from '../ui.ts';

export async function acceptInvitationSignedIn(token: string, ctx: Ctx): Promise<void> {
  const page = document.getElementById('page')!;
  const box = h('section', { class: 'auth-card', 'data-testid': 'invite' }, h('h1', {}, 'Accept invitation'));
  replace(page, box);
  try {
    const inv = await account<InvitationLookup>(`invitations/lookup?token=${encodeURIComponent(token)}`);
    const mismatch = ctx.user && ctx.user.email.toLowerCase() !== inv.email.toLowerCase();
    add(
      box,
      h(
        'p',
        { class: 'lede', 'data-testid': 'invite-summary' },
        'You are invited to join ',
        h('strong', {}, inv.org_name),
        ' as ',
        h('strong', {}, inv.role),
        ` (sent to ${inv.email}).`,
      ),
      mismatch ? notice(`You are logged in as ${ctx.user!.email}. Log out and log in as ${inv.email} to accept.`, 'info') : null,
      mismatch
        ? null
        : form({
            submit: 'Accept invitation',
            fields: [],
            onSubmit: async () => {
              await account<AcceptInvitationResponse>('invitations/accept', { method: 'POST', body: { token } });
              history.replaceState(null, '', '#/usage');
              await ctx.refresh();
            },
          }),
    );
  } catch (e) {
    box.append(notice(messageOf(e)));
  }
}
