/**
 * Who may call what: the one permission table. Admin routes name the permission they need; a
 * caller has a role; a role has permissions. The code (admin/router.ts), the documentation
 * (docs/security.md, generated from `permissionTableMarkdown()`) and the isolation test (which
 * walks every route with every credential kind against the table in the doc) all read this.
 *
 * Credential kinds: the operator token (or an operator user's console session), org-wide admin
 * keys, workspace-scoped admin keys, inference keys (which hold no admin permission: they call the
 * model APIs only), and console users (a session cookie, docs/accounts.md) whose role in the
 * session's current org is one of owner, admin, developer, billing, viewer (as in Anthropic's
 * Console) — the router enforces the same permissions for each.
 */

export type Permission =
  | 'self:read' // whoami
  | 'orgs:list' // every org (operator)
  | 'org:read' // one org's standing
  | 'usage:read'
  | 'keys:read'
  | 'keys:write' // create and revoke keys
  | 'limits:read'
  | 'limits:write' // the org's own spend limits, below the operator's ceilings
  | 'credits:read'
  | 'credits:grant' // add ledger entries (operator)
  | 'audit:read' // one org's audit log
  | 'audit:all' // every org's audit log and gateway-wide changes (operator)
  | 'billing:read' // billing mode, card on file, invoices and their documents
  | 'billing:pay' // buy credits, save a card, pay an invoice, billing contacts
  | 'billing:manage' // issuer/customer profile, approve manual purchases, mark invoices paid (operator)
  | 'members:read' // the org's members and invitations
  | 'members:write' // invite, change roles, remove members
  | 'workspaces:write' // create, rename, archive workspaces
  | 'orgs:manage' // tiers, suspend and resume (operator)
  | 'upstreams:read'; // upstream pools: breaker state, failures, latency (operator)

/** Roles of the credential kinds (console users: `user:<role>` in the current org). */
export type Role = 'operator' | 'org_admin' | 'workspace_admin' | 'inference' | 'user:owner' | 'user:admin' | 'user:developer' | 'user:billing' | 'user:viewer';

const ORG_ADMIN: Permission[] = [
  'self:read',
  'org:read',
  'usage:read',
  'keys:read',
  'keys:write',
  'limits:read',
  'limits:write',
  'credits:read',
  'audit:read',
  'billing:read',
  'billing:pay',
  'members:read',
  'members:write',
  'workspaces:write',
];

export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  operator: [
    'self:read',
    'orgs:list',
    'org:read',
    'usage:read',
    'keys:read',
    'keys:write',
    'limits:read',
    'limits:write',
    'credits:read',
    'credits:grant',
    'audit:read',
    'audit:all',
    'billing:read',
    'billing:pay',
    'billing:manage',
    'members:read',
    'members:write',
    'workspaces:write',
    'orgs:manage',
    'upstreams:read',
  ],
  org_admin: ORG_ADMIN,
  /** Confined to its workspace: its usage, its keys, its and its keys' limits. */
  workspace_admin: ['self:read', 'usage:read', 'keys:read', 'keys:write', 'limits:read', 'limits:write'],
  inference: [],
  'user:owner': ORG_ADMIN,
  'user:admin': ORG_ADMIN,
  'user:developer': ['self:read', 'org:read', 'usage:read', 'keys:read', 'keys:write', 'limits:read', 'members:read'],
  'user:billing': [
    'self:read',
    'org:read',
    'usage:read',
    'limits:read',
    'limits:write',
    'credits:read',
    'audit:read',
    'billing:read',
    'billing:pay',
    'members:read',
  ],
  'user:viewer': ['self:read', 'org:read', 'usage:read', 'keys:read', 'limits:read', 'members:read'],
};

export function allows(role: Role, p: Permission): boolean {
  return ROLE_PERMISSIONS[role].includes(p);
}

/** The credential kinds, as the table's columns name them. */
export const CREDENTIAL_COLUMNS: Array<{ role: Role; label: string }> = [
  { role: 'operator', label: 'operator token' },
  { role: 'org_admin', label: 'admin key (org)' },
  { role: 'workspace_admin', label: 'admin key (workspace)' },
  { role: 'inference', label: 'inference key' },
  { role: 'user:owner', label: 'user: owner' },
  { role: 'user:admin', label: 'user: admin' },
  { role: 'user:developer', label: 'user: developer' },
  { role: 'user:billing', label: 'user: billing' },
  { role: 'user:viewer', label: 'user: viewer' },
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
    lines.push(
      `| \`${r.method} ${r.pattern.replace(/:(\w+)/g, '{$1}')}\` | \`${r.permission}\` | ${CREDENTIAL_COLUMNS.map((c) => (r.tenantOnly && c.role === 'operator' ? '—' : cell(c.role, r.permission))).join(' | ')} |`,
    );
  }
  lines.push(
    `| model APIs (\`/v1/messages\`, \`/v1/messages/count_tokens\`, \`/v1/chat/completions\`, \`/v1/models\`) | — | — | — | — | ✓ | — | — | — | — | — |`,
  );
  return lines.join('\n');
}
