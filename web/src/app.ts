/**
 * The console's entry point. Signed out, it shows the public screens (Log in, Sign up, Forgot
 * password, Reset password, Accept invitation, or an admin key). Signed in — a user session
 * (cookie) or an admin key / the admin token kept in this tab — it shows the header (org switcher,
 * who, Log out), the section menu and one page, routed by the URL fragment (`#/usage`, …). Each
 * section is listed only when the caller's role has the permission it needs, so nobody is shown
 * a page that would answer 403.
 */
import type { SessionView } from '../../src/accounts/api-types.ts';
import type { OrgList, WhoAmI } from '../../src/admin/api-types.ts';
import { account, api, ApiError, session } from './api.ts';
import { publicScreen, isPublicRoute } from './auth/screens.ts';
import { acceptInvitationSignedIn } from './auth/invite.ts';
import type { Ctx } from './ctx.ts';
import { h, replace } from './dom.ts';
import { NAV, type NavItem } from './nav.ts';
import { notice } from './ui.ts';
import 'uplot/dist/uPlot.min.css';

const ROLE_LABEL: Record<string, string> = {
  org_admin: 'Admin key',
  workspace_admin: 'Workspace admin key',
  operator: 'Operator',
  'user:owner': 'Owner',
  'user:admin': 'Admin',
  'user:developer': 'Developer',
  'user:billing': 'Billing',
  'user:viewer': 'Viewer',
  owner: 'Owner',
  admin: 'Admin',
  developer: 'Developer',
  billing: 'Billing',
  viewer: 'Viewer',
};
const ORG = 'tollgate.org';
const $ = <T extends HTMLElement = HTMLElement>(id: string): T => document.getElementById(id) as T;

let ctx: Ctx | null = null;
let flash: { text: string; kind: 'ok' | 'info' | 'error' } | null = null;

/** The route in the fragment: `#/keys?x=1` → ['keys', URLSearchParams('x=1')]. */
export function route(): [string, URLSearchParams] {
  const raw = location.hash.replace(/^#\/?/, '');
  const q = raw.indexOf('?');
  return q < 0 ? [raw, new URLSearchParams()] : [raw.slice(0, q), new URLSearchParams(raw.slice(q + 1))];
}

function go(r: string): void {
  const target = `#/${r}`;
  if (location.hash === target) render();
  else location.hash = target;
}

function showPublic(message?: string, kind: 'ok' | 'info' | 'error' = 'error'): void {
  ctx = null;
  $('app').hidden = true;
  $('session').hidden = true;
  $('public').hidden = false;
  const [r, q] = route();
  publicScreen($('public'), isPublicRoute(r) ? r : 'login', q, { message, kind, enter, go });
}

async function signOut(message?: string): Promise<void> {
  const wasSession = ctx?.mode === 'session' || (!ctx && !session.get());
  session.clear();
  session.setCsrf(null);
  if (wasSession) {
    try {
      await account('logout', { method: 'POST' });
    } catch {
      /* already gone */
    }
  }
  replace($('page'));
  if (route()[0] && !isPublicRoute(route()[0])) history.replaceState(null, '', '#/login');
  showPublic(message, message ? 'info' : 'error');
}

/** Builds the context from the admin key in this tab, or from the cookie session; false when signed out. */
async function load(): Promise<Ctx | null> {
  const base = {
    signOut: (m?: string) => void signOut(m),
    refresh: async () => {
      await enter();
    },
    go,
  };
  if (session.get()) {
    const who = await api<WhoAmI>('whoami');
    const next: Ctx = {
      ...base,
      mode: 'key',
      operator: who.kind === 'operator',
      user: null,
      orgId: who.org_id ?? null,
      orgName: who.org_name ?? null,
      keyId: who.key_id ?? null,
      role: who.role,
      permissions: who.permissions,
      workspaceId: who.workspace_id ?? null,
      now: who.now ?? new Date().toISOString(),
      month: who.month,
      orgs: [],
      can: (p) => who.permissions.includes(p as never),
    };
    return next;
  }
  let s: SessionView;
  try {
    s = await account<SessionView>('session');
  } catch (e) {
    if (e instanceof ApiError && (e.status === 401 || e.status === 404)) return null;
    throw e;
  }
  session.setCsrf(s.csrf_token);
  const who = s.current_org_id || s.operator ? await api<WhoAmI>('whoami') : null; // a user with no org yet has no admin view
  const clock = { now: who?.now ?? new Date().toISOString(), month: who?.month ?? new Date().toISOString().slice(0, 7) };
  const current = s.orgs.find((o) => o.org_id === s.current_org_id);
  return {
    ...base,
    mode: 'session',
    operator: s.operator,
    user: s.user,
    orgId: s.current_org_id,
    orgName: current?.org_name ?? null,
    keyId: null,
    role: s.operator ? 'operator' : (s.role ?? 'viewer'),
    permissions: s.permissions,
    workspaceId: null,
    ...clock,
    orgs: s.orgs.map((o) => ({ id: o.org_id, name: o.org_name, role: o.role })),
    can: (p) => s.permissions.includes(p),
  };
}

async function enter(): Promise<void> {
  const next = await load();
  if (!next) {
    showPublic();
    return;
  }
  const picker = $<HTMLSelectElement>('org-picker');
  if (next.operator && next.can('orgs:list')) {
    const { orgs } = await api<OrgList>('orgs');
    next.orgs = orgs.map((o) => ({ id: o.id, name: o.name }));
    const saved = sessionStorage.getItem(ORG);
    next.orgId = orgs.some((o) => o.id === saved) ? saved : next.orgId && orgs.some((o) => o.id === next.orgId) ? next.orgId : (orgs[0]?.id ?? null);
    next.orgName = orgs.find((o) => o.id === next.orgId)?.name ?? null;
  }
  replace(
    picker,
    next.orgs.map((o) => h('option', { value: o.id }, next.operator ? `${o.name} · ${o.id}` : o.name)),
  );
  if (next.orgId) picker.value = next.orgId;
  $('org-picker-wrap').hidden = next.orgs.length < 2 && !next.operator;
  const who = next.user?.email ?? next.orgName ?? next.orgId ?? '';
  replace(
    $('who'),
    next.operator ? h('span', { class: 'badge info' }, 'Operator') : null,
    next.mode === 'key' && !next.operator ? h('span', { class: 'org-name' }, who) : next.user ? h('span', { class: 'user-email' }, who) : null,
    !next.operator ? h('span', { class: 'badge' }, ROLE_LABEL[next.role] ?? next.role) : null,
  );
  ctx = next;
  replace($('public')); // no signed-out form (and no typed password) stays in the page
  $('public').hidden = true;
  $('session').hidden = false;
  $('app').hidden = false;
  render();
}

const visible = (c: Ctx) => NAV.filter((n) => n.when(c));

function render(): void {
  if (!ctx) {
    showPublic();
    return;
  }
  const [r, q] = route();
  if (r === 'invite' && q.get('token')) {
    void acceptInvitationSignedIn(q.get('token')!, ctx);
    return;
  }
  if (r === 'verified') flash = { text: 'Your email address is verified. You can create API keys now.', kind: 'ok' };
  if (r === 'verify-failed') flash = { text: 'That verification link is invalid or has expired. Send a new one below.', kind: 'error' };
  const items = visible(ctx);
  const item: NavItem | undefined = items.find((n) => n.id === r) ?? items[0];
  const nav = $('nav');
  let group = '';
  replace(
    nav,
    items.map((n) => {
      const heading = n.group !== group ? h('span', { class: 'nav-group' }, (group = n.group)) : null;
      const on = n === item;
      return [heading, h('a', { href: `#/${n.id}`, 'data-tab': n.id, class: on ? 'active' : '', 'aria-current': on ? 'page' : undefined }, n.label)];
    }),
  );
  const page = h('div', { class: 'page', 'data-tab': item?.id ?? '' });
  replace($('page'), page);
  if (flash) {
    page.append(notice(flash.text, flash.kind));
    flash = null;
  }
  if (ctx.user && !ctx.user.verified && !ctx.operator) page.append(verifyBanner());
  if (!item) {
    page.append(notice('This role has no pages to show.', 'info'));
    return;
  }
  if (!ctx.orgId && item.needsOrg) {
    page.append(
      notice(
        ctx.operator
          ? 'There are no organizations yet. Create one with `tollgate org create --name …`.'
          : 'You are not a member of any organization yet. Create one under Account.',
        'info',
      ),
    );
    return;
  }
  item.render(page, ctx);
}

function verifyBanner(): HTMLElement {
  const status = h('span', { role: 'status' });
  const resend = h(
    'button',
    {
      type: 'button',
      class: 'small',
      on: {
        click: async () => {
          resend.disabled = true;
          try {
            await account('verify/resend', { method: 'POST' });
            status.textContent = ' Sent — check your inbox.';
          } catch (e) {
            status.textContent = ` ${(e as Error).message}`;
            resend.disabled = false;
          }
        },
      },
    },
    'Resend verification email',
  );
  return h(
    'div',
    { class: 'notice warn banner', 'data-testid': 'verify-banner' },
    `Verify your email address (${ctx?.user?.email}) to create API keys: follow the link we mailed you. `,
    resend,
    status,
  );
}

async function switchOrg(orgId: string): Promise<void> {
  if (!ctx) return;
  if (ctx.operator) {
    ctx.orgId = orgId;
    ctx.orgName = ctx.orgs.find((o) => o.id === orgId)?.name ?? null;
    sessionStorage.setItem(ORG, orgId);
    render();
    return;
  }
  try {
    await account('switch-org', { method: 'POST', body: { org_id: orgId } });
    await enter();
  } catch (e) {
    $('page').prepend(notice((e as Error).message));
  }
}

function start(): void {
  $('sign-out').addEventListener('click', () => void signOut());
  // The skip link moves focus without touching the fragment (which holds the route).
  document.querySelector('.skip')?.addEventListener('click', (e) => {
    e.preventDefault();
    ($('app').hidden ? $('public') : $('page')).focus();
  });
  $('org-picker').addEventListener('change', (e) => void switchOrg((e.target as HTMLSelectElement).value));
  window.addEventListener('hashchange', () => {
    if (ctx) render();
    else showPublic();
  });
  window.addEventListener('tollgate:unauthorized', (e) => {
    if (ctx) void signOut(`Signed out: ${(e as CustomEvent<string>).detail}`);
  });
  enter().catch((err: unknown) => {
    session.clear();
    showPublic(err instanceof Error ? err.message : String(err));
  });
}

start();
