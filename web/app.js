/**
 * The console's entry point: sign-in (an org admin key → that org, or its workspace for a
 * workspace admin key; the admin token → every org, with an org picker), the header, and the tabs
 * (Usage, Keys, Limits, Billing, Audit log) routed by the URL hash — each shown only when the
 * caller's role has the permission it needs (whoami says which). The credential is kept in
 * sessionStorage only; a 401 anywhere signs out.
 */
import { api, session } from './api.js';
import { h, replace } from './dom.js';
import { renderBilling } from './pages/billing.js';
import { renderKeys } from './pages/keys.js';
import { renderLimits } from './pages/limits.js';
import { renderUsage } from './pages/usage.js';
import { renderAudit } from './pages/audit.js';
import { notice } from './ui.js';

const TABS = {
  usage: ['Usage', renderUsage, 'usage:read'], keys: ['Keys', renderKeys, 'keys:read'], limits: ['Limits', renderLimits, 'limits:read'],
  billing: ['Billing', renderBilling, 'credits:read'], audit: ['Audit log', renderAudit, 'audit:read'],
};
const ROLE_LABEL = { org_admin: 'Admin key', workspace_admin: 'Workspace admin key' };
const can = (tab) => ctx && ctx.permissions.includes(TABS[tab][2]);
const ORG = 'tollgate.org';
const $ = (id) => document.getElementById(id);

let ctx = null;

function showSignIn(message) {
  ctx = null;
  $('app').hidden = true;
  $('session').hidden = true;
  $('sign-in').hidden = false;
  const err = $('sign-in-error');
  err.hidden = !message;
  err.textContent = message ?? '';
  $('credential').focus();
}

function signOut(message) {
  session.clear();
  replace($('page'));
  showSignIn(message);
}

async function enter() {
  const who = await api('whoami');
  const next = {
    operator: who.kind === 'operator', orgId: who.org_id ?? null, orgName: who.org_name ?? null, keyId: who.key_id ?? null,
    role: who.role, permissions: who.permissions ?? [], workspaceId: who.workspace_id ?? null,
    now: who.now, month: who.month, orgs: [], signOut,
    can: (p) => (who.permissions ?? []).includes(p),
  };
  const picker = $('org-picker');
  if (next.operator) {
    const { orgs } = await api('orgs');
    next.orgs = orgs;
    const saved = sessionStorage.getItem(ORG);
    next.orgId = orgs.some((o) => o.id === saved) ? saved : orgs[0]?.id ?? null;
    replace(picker, orgs.map((o) => h('option', { value: o.id }, `${o.name} · ${o.id}`)));
    if (next.orgId) picker.value = next.orgId;
    replace($('who'), h('span', { class: 'badge info' }, 'Operator'));
  } else {
    replace($('who'), h('span', { class: 'org-name' }, who.org_name ?? who.org_id), ' ', h('span', { class: 'badge' }, ROLE_LABEL[who.role] ?? who.role));
  }
  $('org-picker-wrap').hidden = !next.operator;
  ctx = next;
  $('sign-in').hidden = true;
  $('session').hidden = false;
  $('app').hidden = false;
  render();
}

function render() {
  if (!ctx) return;
  let tab = location.hash.slice(1);
  if (!TABS[tab] || !can(tab)) tab = Object.keys(TABS).find(can) ?? 'usage';
  for (const a of document.querySelectorAll('nav.tabs a')) {
    a.hidden = !can(a.dataset.tab);
    const on = a.dataset.tab === tab;
    a.classList.toggle('active', on);
    if (on) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  }
  const page = h('div', { class: 'page', 'data-tab': tab });
  replace($('page'), page);
  if (!ctx.orgId) {
    page.append(notice('There are no organizations yet. Create one with `tollgate org create --name …`.', 'info'));
    return;
  }
  TABS[tab][1](page, ctx);
}

function start() {
  $('sign-in-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const input = $('credential');
    const value = input.value.trim();
    if (!value) return;
    const button = e.submitter ?? $('sign-in-form').querySelector('button');
    button.disabled = true;
    session.set(value);
    input.value = '';
    try {
      await enter();
    } catch (err) {
      session.clear();
      showSignIn(err.status === 401 ? 'That admin key or admin token was not accepted.' : err.message);
    } finally {
      button.disabled = false;
    }
  });
  $('sign-out').addEventListener('click', () => signOut());
  $('org-picker').addEventListener('change', (e) => {
    if (!ctx) return;
    ctx.orgId = e.target.value;
    sessionStorage.setItem(ORG, ctx.orgId);
    render();
  });
  window.addEventListener('hashchange', render);
  window.addEventListener('tollgate:unauthorized', (e) => { if (ctx) signOut(`Signed out: ${e.detail}`); });
  if (session.get()) enter().catch((err) => { session.clear(); showSignIn(err.message); });
  else showSignIn();
}

start();
