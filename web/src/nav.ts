/**
 * The console's sections, in menu order, each with the permission it needs (src/admin/permissions.ts):
 * a section is listed only when the caller's role has it, so no page answers 403.
 */
import type { Ctx, Page } from './ctx.ts';
import { renderAccount } from './pages/account.ts';
import { renderAlerts } from './pages/alerts.ts';
import { renderAudit } from './pages/audit.ts';
import { renderBilling } from './pages/billing.ts';
import { renderKeys } from './pages/keys.ts';
import { renderLimits } from './pages/limits.ts';
import { renderLogs } from './pages/logs.ts';
import { renderMembers } from './pages/members.ts';
import { renderModels } from './pages/models.ts';
import { renderOperator } from './pages/operator.ts';
import { renderRateLimits } from './pages/rate-limits.ts';
import { renderUsage } from './pages/usage.ts';
import { renderWorkspaces } from './pages/workspaces.ts';

export interface NavItem {
  id: string;
  label: string;
  group: string;
  render: Page;
  when: (c: Ctx) => boolean;
  needsOrg: boolean;
}

const perm = (p: string) => (c: Ctx) => c.can(p);

export const NAV: NavItem[] = [
  { id: 'usage', label: 'Usage', group: 'Activity', render: renderUsage, when: perm('usage:read'), needsOrg: true },
  { id: 'logs', label: 'Logs', group: 'Activity', render: renderLogs, when: perm('usage:read'), needsOrg: true },
  { id: 'keys', label: 'API keys', group: 'Build', render: renderKeys, when: perm('keys:read'), needsOrg: true },
  { id: 'models', label: 'Models & prices', group: 'Build', render: renderModels, when: perm('org:read'), needsOrg: true },
  { id: 'limits', label: 'Spend limits', group: 'Control', render: renderLimits, when: perm('limits:read'), needsOrg: true },
  { id: 'rate-limits', label: 'Rate limits', group: 'Control', render: renderRateLimits, when: perm('limits:read'), needsOrg: true },
  { id: 'alerts', label: 'Alerts', group: 'Control', render: renderAlerts, when: (c) => c.can('org:read') && c.can('limits:read'), needsOrg: true },
  {
    id: 'billing',
    label: 'Billing',
    group: 'Organization',
    render: renderBilling,
    when: (c) => c.can('credits:read') && c.can('billing:read'),
    needsOrg: true,
  },
  { id: 'members', label: 'Members', group: 'Organization', render: renderMembers, when: perm('members:read'), needsOrg: true },
  { id: 'workspaces', label: 'Workspaces', group: 'Organization', render: renderWorkspaces, when: (c) => c.can('org:read') && !c.workspaceId, needsOrg: true },
  { id: 'audit', label: 'Audit log', group: 'Organization', render: renderAudit, when: perm('audit:read'), needsOrg: true },
  { id: 'operator', label: 'All organizations', group: 'Operator', render: renderOperator, when: perm('orgs:list'), needsOrg: false },
  { id: 'account', label: 'Account', group: 'You', render: renderAccount, when: (c) => c.mode === 'session' && c.user !== null, needsOrg: false },
];
