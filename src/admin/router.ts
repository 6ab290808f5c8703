/**
 * The admin API's dispatcher. The gateway's route table sends every `/admin/v1/…` request here
 * (one prefix route per method); this module authenticates the caller, matches the path against
 * each resource module's patterns, enforces operator-only routes and org scoping for `:org`,
 * and renders 404 / 405 for paths it does not know — all in the admin error envelope.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { clip, fail, invalidRequest, notFound } from '../core/errors.ts';
import type { Route } from '../http/server.ts';
import type { Runtime } from '../exchange/runtime.ts';
import { alertRoutes } from './alerts.ts';
import { auditRoutes } from './audit.ts';
import { authenticateAdmin, requireOrgAccess } from './auth.ts';
import { allows } from './permissions.ts';
import { billingRoutes } from './billing.ts';
import { creditRoutes } from './credits.ts';
import { keyRoutes } from './keys.ts';
import { limitRoutes } from './limits.ts';
import { orgRoutes } from './orgs.ts';
import type { AdminRoute } from './types.ts';
import { usageRoutes } from './usage.ts';
import { logRoutes } from './logs.ts';
import { memberRoutes } from './members.ts';
import { modelRoutes } from './models.ts';
import { operatorRoutes } from './operator.ts';
import { rateLimitRoutes } from './rate-limits.ts';
import { workspaceRoutes } from './workspaces.ts';
import { upstreamRoutes } from './upstreams.ts';

export const ADMIN_PREFIX = '/admin/v1/';

/** Every admin route under /admin/v1, in the order docs/security.md lists them (the compatible organization APIs follow: compat/router.ts). */
export const ADMIN_ROUTES: AdminRoute[] = [
  ...orgRoutes,
  ...usageRoutes,
  ...keyRoutes,
  ...limitRoutes,
  ...alertRoutes,
  ...creditRoutes,
  ...auditRoutes,
  ...billingRoutes,
  ...memberRoutes,
  ...workspaceRoutes,
  ...logRoutes,
  ...rateLimitRoutes,
  ...modelRoutes,
  ...operatorRoutes,
  ...upstreamRoutes,
];
const ALL = ADMIN_ROUTES;
const compiled = ALL.map((r) => ({ route: r, parts: r.pattern.split('/') }));

function decodeSegments(rest: string): string[] {
  const raw = rest.replace(/\/+$/, '').split('/');
  return raw.map((s) => {
    try {
      return decodeURIComponent(s);
    } catch {
      throw invalidRequest(`malformed path segment: ${clip(s)}`);
    }
  });
}

function match(parts: string[], segs: string[]): Record<string, string> | undefined {
  if (parts.length !== segs.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    const s = segs[i]!;
    if (p.startsWith(':')) {
      if (!s) return undefined;
      params[p.slice(1)] = s;
    } else if (p !== s) return undefined;
  }
  return params;
}

/** No route for this method: 405 with `Allow` when the path answers other methods, else 404. */
export function routeMiss(req: IncomingMessage, methods: string[], path: string): never {
  req.resume();
  if (methods.length) {
    const allow = [...new Set(methods)].join(', ');
    throw fail.method_not_allowed(`method ${req.method} not allowed here; use ${allow}`, { headers: { allow } });
  }
  throw notFound(`Not found: ${clip(req.method ?? '', 16)} ${clip(path, 160)}`);
}

async function dispatch(rt: Runtime, req: IncomingMessage, res: ServerResponse, requestId: string, rest = ''): Promise<void> {
  const segs = decodeSegments(rest);
  const hits = compiled.map((c) => ({ route: c.route, params: match(c.parts, segs) })).filter((h) => h.params);
  const hit = hits.find((h) => h.route.method === req.method);
  if (!hit)
    routeMiss(
      req,
      hits.map((h) => h.route.method),
      `${ADMIN_PREFIX}${rest}`,
    );
  const caller = await authenticateAdmin(rt, req, requestId);
  if (!allows(caller.role, hit.route.permission)) {
    if (caller.kind === 'user') throw fail.permission_denied(`your role (${caller.role.slice(5)}) may not do this (needs ${hit.route.permission})`);
    throw fail.permission_denied(
      caller.kind === 'operator'
        ? 'not allowed'
        : `this admin key may not do this (needs ${hit.route.permission}${hit.route.permission === 'credits:grant' || hit.route.permission === 'upstreams:read' || hit.route.permission.endsWith(':all') || hit.route.permission === 'orgs:list' ? ', which only the operator has' : ''})`,
    );
  }
  const params = hit.params!;
  if (params.org !== undefined) await requireOrgAccess(rt, caller, params.org);
  await hit.route.handler({ rt, req, res, requestId, caller, params });
}

/** Entries for the gateway's route table: every method the admin API answers, as prefix routes. */
export function adminRoutes(): Route[] {
  return (['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const).map((method) => ({
    method,
    path: ADMIN_PREFIX,
    prefix: true,
    surface: 'admin' as const,
    handler: (rt, req, res, requestId, param) => dispatch(rt, req, res, requestId, param),
  }));
}
