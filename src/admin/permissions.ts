/**
 * Who may call what: the one permission table. Admin routes name the permission they need; a
 * caller has a role; a role has permissions. The code (admin/router.ts), the documentation
 * (docs/security.md, generated from `permissionTableMarkdown()`) and the isolation test (which
 * walks every route with every credential kind against the table in the doc) all read this.
 *
 * Credential kinds today: the operator token, org-wide admin keys, workspace-scoped admin keys,
 * and inference keys (which hold no admin permission: they call the model APIs only). Console
 * users arrive with the accounts issue as one more credential kind, `user`, whose role is one of
 * owner, admin, developer, billing, viewer (as in Anthropic's Console); their rows are already in
 * the table below, so plugging them in is: authenticate the session, map it to
 * `{ kind: 'user', role, orgId }`, and the router enforces the same permissions.
 */

export type Permission =
  | 'self:read'      // whoami
  | 'orgs:list'      // every org (operator)
  | 'org:read'       // one org's standing
  | 'usage:read'
  | 'keys:read'
  | 'keys:write'     // create and revoke keys
  | 'limits:read'
  | 'limits:write'   // the org's own spend limits, below the operator's ceilings
  | 'credits:read'
  | 'credits:grant'  // add ledger entries (operator)
  | 'audit:read'     // one org's audit log
  | 'audit:all'      // every org's audit log and gateway-wide changes (operator)
  | 'billing:read'   // billing mode, card on file, invoices and their documents
  | 'billing:pay'    // buy credits, save a card, pay an invoice, billing contacts
  | 'billing:manage'; // issuer/customer profile, approve manual purchases, mark invoices paid (operator)

/** Roles of credentials that exist today, and of the console users to come. */
export type Role =
  | 'operator' | 'org_admin' | 'workspace_admin' | 'inference'
  | 'user:owner' | 'user:admin' | 'user:developer' | 'user:billing' | 'user:viewer';

const ORG_ADMIN: Permission[] = ['self:read', 'org:read', 'usage:read', 'keys:read', 'keys:write', 'limits:read', 'limits:write', 'credits:read', 'audit:read', 'billing:read', 'billing:pay'];

export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  operator: ['self:read', 'orgs:list', 'org:read', 'usage:read', 'keys:read', 'keys:write', 'limits:read', 'limits:write', 'credits:read', 'credits:grant', 'audit:read', 'audit:all', 'billing:read', 'billing:pay', 'billing:manage'],
  org_admin: ORG_ADMIN,
  /** Confined to its workspace: its usage, its keys, its and its keys' limits. */
  workspace_admin: ['self:read', 'usage:read', 'keys:read', 'keys:write', 'limits:read', 'limits:write'],
  inference: [],
  'user:owner': ORG_ADMIN,
  'user:admin': ORG_ADMIN,
  'user:developer': ['self:read', 'org:read', 'usage:read', 'keys:read', 'keys:write', 'limits:read'],
  'user:billing': ['self:read', 'org:read', 'usage:read', 'limits:read', 'limits:write', 'credits:read', 'audit:read', 'billing:read', 'billing:pay'],
  'user:viewer': ['self:read', 'org:read', 'usage:read', 'keys:read', 'limits:read'],
};

export function allows(role: Role, p: Permission): boolean {
  return ROLE_PERMISSIONS[role].includes(p);
}

/** The credential kinds of today, as the table's columns name them (the users' columns follow). */
export const CREDENTIAL_COLUMNS: Array<{ role: Role; label: string; future?: boolean }> = [
  { role: 'operator', label: 'operator token' },
  { role: 'org_admin', label: 'admin key (org)' },
  { role: 'workspace_admin', label: 'admin key (workspace)' },
  { role: 'inference', label: 'inference key' },
  { role: 'user:owner', label: 'user: owner', future: true },
  { role: 'user:admin', label: 'user: admin', future: true },
  { role: 'user:developer', label: 'user: developer', future: true },
  { role: 'user:billing', label: 'user: billing', future: true },
  { role: 'user:viewer', label: 'user: viewer', future: true },
];

/** Cell text: ✓ allowed, ✓ ws (allowed, confined to the caller's workspace), — refused (403). */
export function cell(role: Role, p: Permission): string {
  if (!allows(role, p)) return '—';
  return role === 'workspace_admin' && p !== 'self:read' ? '✓ ws' : '✓';
}

/** The table in docs/security.md: one row per admin endpoint, one column per credential kind. */
export function permissionTableMarkdown(routes: Array<{ method: string; pattern: string; permission: Permission; tenantOnly?: boolean }>): string {
  const head = ['endpoint (`/admin/v1/…` unless a full path)', 'permission', ...CREDENTIAL_COLUMNS.map((c) => c.label)];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const r of routes) {
    lines.push(`| \`${r.method} ${r.pattern.replace(/:(\w+)/g, '{$1}')}\` | \`${r.permission}\` | ${CREDENTIAL_COLUMNS.map((c) => (r.tenantOnly && c.role === 'operator' ? '—' : cell(c.role, r.permission))).join(' | ')} |`);
  }
  lines.push(`| model APIs (\`/v1/messages\`, \`/v1/messages/count_tokens\`, \`/v1/chat/completions\`, \`/v1/models\`) | — | — | — | — | ✓ | — | — | — | — | — |`);
  return lines.join('\n');
}
