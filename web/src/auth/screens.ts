/**
 * The signed-out screens: Log in, Sign up, Forgot password, Reset password, Accept invitation
 * (sign up or log in to join), the landing of a verification link, and signing in with an admin
 * key or the admin token. Each is one card with labelled fields; Enter submits.
 */
import type { InvitationLookup, SessionView, SignUpResponse } from '../../../src/accounts/api-types.ts';
import { account, ApiError, api, session } from '../api.ts';
import { h, replace, type Child } from '../dom.ts';
import { field, form, input, messageOf, notice } from '../ui.ts';

export interface ScreenDeps {
  message?: string | undefined;
  kind?: 'ok' | 'info' | 'error';
  /** Enters the console with whatever credential is now in place. */
  enter(): Promise<void>;
  go(route: string): void;
}

const ROUTES = ['login', 'signup', 'forgot', 'reset', 'invite', 'verified', 'verify-failed', 'key'] as const;
export const isPublicRoute = (r: string): boolean => (ROUTES as readonly string[]).includes(r);

const email = (value = '', readonly = false) => input('email', { type: 'email', autocomplete: 'email', required: true, value, readonly, inputmode: 'email' });
const password = (name: string, auto: 'current-password' | 'new-password') =>
  input(name, { type: 'password', autocomplete: auto, required: true, minlength: auto === 'new-password' ? 8 : undefined, maxlength: 200 });
const link = (route: string, text: string) => h('a', { href: `#/${route}` }, text);

function card(root: HTMLElement, title: string, testid: string, ...children: Child[]): void {
  replace(root, h('section', { class: 'auth-card', 'data-testid': testid }, h('h1', {}, title), ...children));
  root.querySelector<HTMLInputElement>('input:not([readonly])')?.focus();
}

export function publicScreen(root: HTMLElement, route: string, q: URLSearchParams, deps: ScreenDeps): void {
  const top = deps.message ? notice(deps.message, deps.kind ?? 'error') : null;
  switch (route) {
    case 'signup':
      signUp(root, top, deps);
      return;
    case 'forgot':
      forgot(root, top);
      return;
    case 'reset':
      reset(root, q.get('token') ?? '', deps);
      return;
    case 'invite':
      return void invite(root, q.get('token') ?? '', deps);
    case 'key':
      adminKey(root, top, deps);
      return;
    case 'verified':
      logIn(root, notice('Your email address is verified. Log in to continue.', 'ok'), deps);
      return;
    case 'verify-failed':
      logIn(root, notice('That verification link is invalid or has expired. Log in to get a new one.'), deps);
      return;
    default:
      logIn(root, top, deps);
      return;
  }
}

function logIn(root: HTMLElement, top: Child, deps: ScreenDeps, prefill = '', after?: () => Promise<void>): void {
  const e = email(prefill, !!prefill);
  const p = password('password', 'current-password');
  card(
    root,
    after ? 'Log in to accept' : 'Log in',
    'login',
    top,
    form({
      class: 'stack-form',
      testid: 'login-form',
      submit: 'Log in',
      fields: [field('Email', e), field('Password', p)],
      onSubmit: async () => {
        session.clear();
        const s = await account<SessionView>('login', { method: 'POST', body: { email: e.value.trim(), password: p.value } });
        session.setCsrf(s.csrf_token);
        if (after) await after();
        await deps.enter();
      },
    }),
    after ? null : h('p', { class: 'auth-links' }, link('forgot', 'Forgot your password?'), ' · ', link('signup', 'Create an account')),
    after ? null : h('p', { class: 'auth-links muted small' }, 'Operator or automation? ', link('key', 'Sign in with an admin key or the admin token')),
  );
}

function signUp(root: HTMLElement, top: Child, deps: ScreenDeps): void {
  const e = email();
  const p = password('password', 'new-password');
  const org = input('org_name', { required: true, maxlength: 100, autocomplete: 'organization' });
  card(
    root,
    'Create your account',
    'signup',
    top,
    h('p', { class: 'lede' }, 'Sign up with your email address. We mail you a link to verify it; free credits arrive when you do.'),
    form({
      class: 'stack-form',
      testid: 'signup-form',
      submit: 'Sign up',
      fields: [
        field('Email', e),
        field('Password', p, 'At least 8 characters.'),
        field('Organization name', org, 'Your company or team; you can invite others later.'),
      ],
      onSubmit: async () => {
        session.clear();
        const s = await account<SignUpResponse>('signup', { method: 'POST', body: { email: e.value.trim(), password: p.value, org_name: org.value.trim() } });
        session.setCsrf(s.csrf_token);
        location.hash = '#/usage';
        await deps.enter();
      },
    }),
    h('p', { class: 'auth-links' }, 'Already have an account? ', link('login', 'Log in')),
  );
}

function forgot(root: HTMLElement, top: Child): void {
  const e = email();
  const done = h('div', {});
  card(
    root,
    'Reset your password',
    'forgot',
    top,
    h('p', { class: 'lede' }, 'Enter the address you signed up with; we mail you a link to choose a new password (valid for 30 minutes).'),
    form({
      class: 'stack-form',
      submit: 'Send reset link',
      fields: [field('Email', e)],
      onSubmit: async () => {
        await account('password/forgot', { method: 'POST', body: { email: e.value.trim() } });
        replace(done, notice(`If an account exists for ${e.value.trim()}, a reset link is on its way.`, 'ok'));
      },
    }),
    done,
    h('p', { class: 'auth-links' }, link('login', 'Back to log in')),
  );
}

function reset(root: HTMLElement, token: string, deps: ScreenDeps): void {
  const p = password('password', 'new-password');
  const again = password('confirm', 'new-password');
  card(
    root,
    'Choose a new password',
    'reset',
    token ? null : notice('This page needs the link from the reset email.'),
    form({
      class: 'stack-form',
      submit: 'Set new password',
      fields: [field('New password', p, 'At least 8 characters.'), field('New password again', again)],
      onSubmit: async () => {
        if (p.value !== again.value) throw new Error('The two passwords differ.');
        await account('password/reset', { method: 'POST', body: { token, password: p.value } });
        history.replaceState(null, '', '#/login');
        logIn(root, notice('Your password is changed and every session was signed out. Log in with the new one.', 'ok'), deps);
      },
    }),
  );
}

async function invite(root: HTMLElement, token: string, deps: ScreenDeps): Promise<void> {
  let inv: InvitationLookup;
  try {
    inv = await account<InvitationLookup>(`invitations/lookup?token=${encodeURIComponent(token)}`);
  } catch (err) {
    card(
      root,
      'Invitation',
      'invite',
      notice(err instanceof ApiError && err.status === 400 ? 'This invitation link is invalid or has expired. Ask for a new one.' : messageOf(err)),
      h('p', { class: 'auth-links' }, link('login', 'Log in'), ' · ', link('signup', 'Create an account')),
    );
    return;
  }
  const intro = h(
    'p',
    { class: 'lede', 'data-testid': 'invite-summary' },
    'You are invited to join ',
    h('strong', {}, inv.org_name),
    ' as ',
    h('strong', {}, inv.role),
    '.',
  );
  const accept = async () => {
    await account('invitations/accept', { method: 'POST', body: { token } });
    history.replaceState(null, '', '#/usage');
  };
  if (inv.account_exists) {
    logIn(root, intro, deps, inv.email, accept);
    return;
  }
  const e = email(inv.email, true);
  const p = password('password', 'new-password');
  card(
    root,
    'Accept invitation',
    'invite',
    intro,
    form({
      class: 'stack-form',
      testid: 'invite-signup-form',
      submit: 'Sign up and join',
      fields: [field('Email', e), field('Password', p, 'At least 8 characters.')],
      onSubmit: async () => {
        session.clear();
        const s = await account<SignUpResponse>('signup', {
          method: 'POST',
          body: { email: inv.email, password: p.value, org_name: inv.org_name, invitation_token: token },
        });
        session.setCsrf(s.csrf_token);
        history.replaceState(null, '', '#/usage');
        await deps.enter();
      },
    }),
  );
}

function adminKey(root: HTMLElement, top: Child, deps: ScreenDeps): void {
  const cred = input('credential', { id: 'credential', type: 'password', required: true });
  const err = h('p', { id: 'sign-in-error', class: 'notice error', role: 'alert', hidden: !top }, top ? (top as HTMLElement).textContent : '');
  const f = form({
    class: 'stack-form',
    submit: 'Sign in',
    fields: [field('Admin key or admin token', cred)],
    onSubmit: async () => {
      const value = cred.value.trim();
      if (!value) return;
      session.set(value);
      cred.value = '';
      try {
        await api('whoami', { quiet401: true });
      } catch (e) {
        session.clear();
        err.hidden = false;
        err.textContent = e instanceof ApiError && e.status === 401 ? 'That admin key or admin token was not accepted.' : messageOf(e);
        return;
      }
      await deps.enter();
    },
  });
  f.id = 'sign-in-form';
  card(
    root,
    'Sign in with a key',
    'key',
    h(
      'p',
      { class: 'lede' },
      "Use one of your organization's admin keys (",
      h('code', {}, 'sk-tg-admin-…'),
      ') or the operator admin token. Inference keys (',
      h('code', {}, 'sk-tg-…'),
      ') call the model APIs only.',
    ),
    f,
    err,
    h('p', { class: 'muted small' }, 'The credential stays in this browser tab (session storage) and is sent only to this gateway.'),
    h('p', { class: 'auth-links' }, link('login', 'Log in with email and password instead')),
  );
}
