/**
 * `GET /metrics` for Prometheus: the operator token or the scrape token
 * (`TOLLGATE_METRICS_TOKEN`) as `Authorization: Bearer …`. Failed attempts count against the
 * caller's address like any failed authentication.
 */
import { isAdminToken } from './auth.ts';
import { authenticationError } from '../core/errors.ts';
import type { Metrics } from '../telemetry/metrics.ts';
import { closeAfter } from '../http/authenticate.ts';
import { addressBucket, clientAddress } from '../http/client-address.ts';
import type { Route } from '../http/server.ts';

export function metricsRoutes(metrics: Metrics | null): Route[] {
  return [
    {
      method: 'GET',
      path: '/metrics',
      surface: 'plain',
      handler: async (rt, req, res) => {
        req.resume();
        const addr = addressBucket(clientAddress(req, rt.config.http.trustProxy));
        rt.guards.authFailures.check(addr);
        const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
        const token = m?.[1];
        const ok = token !== undefined && (isAdminToken(token, rt.config.adminToken) || isAdminToken(token, rt.config.metrics.token));
        if (!ok || !metrics) {
          rt.guards.authFailures.fail(addr);
          throw closeAfter(authenticationError('metrics need the operator token or TOLLGATE_METRICS_TOKEN (Authorization: Bearer …)'));
        }
        const text = await metrics.text();
        res.writeHead(200, { 'content-type': metrics.registry.contentType, 'cache-control': 'no-store' }).end(text);
      },
    },
  ];
}
