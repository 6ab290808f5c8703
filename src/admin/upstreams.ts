/**
 * Admin API — upstream health (operator only).
 *   GET upstreams   every configured upstream of this gateway instance: priority, weight, timeouts,
 *                   circuit-breaker `state` (closed | open | half_open), recent failures, latency,
 *                   cool-down and the rate-limit headroom the upstream last reported
 *                   (`UpstreamRouter.snapshot()`; the same data `tollgate upstream list --json` shows).
 */
import { iso, sendJson } from './respond.ts';
import type { AdminContext, AdminRoute } from './types.ts';
import type { UpstreamsResponse } from './api-types.ts';

async function listUpstreams({ rt, res, requestId }: AdminContext) {
  sendJson(res, requestId, 200, { now: iso(rt.clock.now()), upstreams: rt.router.snapshot() } satisfies UpstreamsResponse);
}

export const upstreamRoutes: AdminRoute[] = [{ method: 'GET', pattern: 'upstreams', permission: 'upstreams:read', handler: listUpstreams }];
