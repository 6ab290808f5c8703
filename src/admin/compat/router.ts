/**
 * The Anthropic- and OpenAI-compatible organization APIs: `/v1/organizations/…` (Anthropic's Admin
 * API, errors in Anthropic's envelope) and `/v1/organization/…` (OpenAI's, errors in OpenAI's).
 * Called with an org's admin key (`x-api-key: sk-tg-admin-…` or `Authorization: Bearer …`), so an
 * Admin API client works by base URL alone. The operator token has no organization and is
 * refused here (it uses /admin/v1). Permissions come from the one table (admin/permissions.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fail } from '../../core/errors.ts';
import type { Route, RouteSurface } from '../../http/server.ts';
import type { Runtime } from '../../exchange/runtime.ts';
import { authenticateAdmin } from '../auth.ts';
import { allows } from '../permissions.ts';
import { routeMiss } from '../router.ts';
import type { AdminRoute } from '../types.ts';
import { openaiCosts, openaiUsageCompletions } from './openai.ts';
import { getApiKey, getWorkspace, listApiKeys, listUsers, listWorkspaces, me, updateApiKey } from './org.ts';
import { costReport, usageReport } from './reports.ts';

/** Every compatible route, as the permission table lists them (full paths). */
export const COMPAT_ROUTES: AdminRoute[] = [
  { method: 'GET', pattern: '/v1/organizations/me', permission: 'self:read', tenantOnly: true, handler: me },
  { method: 'GET', pattern: '/v1/organizations/usage_report/messages', permission: 'usage:read', tenantOnly: true, handler: usageReport },
  { method: 'GET', pattern: '/v1/organizations/cost_report', permission: 'usage:read', tenantOnly: true, handler: costReport },
  { method: 'GET', pattern: '/v1/organizations/api_keys', permission: 'keys:read', tenantOnly: true, handler: listApiKeys },
  { method: 'GET', pattern: '/v1/organizations/api_keys/:id', permission: 'keys:read', tenantOnly: true, handler: getApiKey },
  { method: 'POST', pattern: '/v1/organizations/api_keys/:id', permission: 'keys:write', tenantOnly: true, handler: updateApiKey },
  { method: 'GET', pattern: '/v1/organizations/workspaces', permission: 'org:read', tenantOnly: true, handler: listWorkspaces },
  { method: 'GET', pattern: '/v1/organizations/workspaces/:id', permission: 'org:read', tenantOnly: true, handler: getWorkspace },
  { method: 'GET', pattern: '/v1/organizations/users', permission: 'org:read', tenantOnly: true, handler: listUsers },
  { method: 'GET', pattern: '/v1/organization/usage/completions', permission: 'usage:read', tenantOnly: true, handler: openaiUsageCompletions },
  { method: 'GET', pattern: '/v1/organization/costs', permission: 'usage:read', tenantOnly: true, handler: openaiCosts },
];

const compiled = COMPAT_ROUTES.map((r) => ({ route: r, parts: r.pattern.split('/') }));

function match(parts: string[], segs: string[]): Record<string, string> | undefined {
  if (parts.length !== segs.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    if (p.startsWith(':')) {
      if (!segs[i]) return undefined;
      try {
        params[p.slice(1)] = decodeURIComponent(segs[i]!);
      } catch {
        return undefined;
      }
    } else if (p !== segs[i]) return undefined;
  }
  return params;
}

async function dispatch(rt: Runtime, req: IncomingMessage, res: ServerResponse, requestId: string, path: string): Promise<void> {
  const segs = path.replace(/\/+$/, '').split('/');
  const hits = compiled.map((c) => ({ route: c.route, params: match(c.parts, segs) })).filter((h) => h.params);
  const hit = hits.find((h) => h.route.method === req.method);
  if (!hit)
    routeMiss(
      req,
      hits.map((h) => h.route.method),
      path,
    );
  const caller = await authenticateAdmin(rt, req, requestId);
  if (caller.kind === 'operator') {
    throw fail.permission_denied(
      'the organization API is called with an admin key of the organization (x-api-key: sk-tg-admin-…); the operator token uses /admin/v1',
    );
  }
  if (!allows(caller.role, hit.route.permission)) throw fail.permission_denied(`this admin key may not do this (needs ${hit.route.permission})`);
  await hit.route.handler({ rt, req, res, requestId, caller, params: hit.params! });
}

function routesUnder(prefix: string, surface: RouteSurface, methods: readonly string[]): Route[] {
  return methods.map((method) => ({
    method,
    path: prefix,
    prefix: true,
    surface,
    observe: false,
    handler: (rt, req, res, requestId, rest) => dispatch(rt, req, res, requestId, prefix + (rest ?? '')),
  }));
}

export function compatRoutes(): Route[] {
  return [...routesUnder('/v1/organizations/', 'anthropic', ['GET', 'POST']), ...routesUnder('/v1/organization/', 'openai', ['GET', 'POST'])];
}
