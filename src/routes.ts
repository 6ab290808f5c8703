/**
 * The route table, assembled at the top: every endpoint of the gateway and which surface renders
 * its errors. The HTTP core (http/) only dispatches; it knows none of these modules.
 */
import { accountRoutes } from './admin/accounts/routes.ts';
import { consoleRoutes } from './admin/console.ts';
import { adminRoutes } from './admin/router.ts';
import { compatRoutes } from './admin/compat/router.ts';
import { metricsRoutes } from './admin/metrics-route.ts';
import { stripeWebhookRoutes } from './admin/stripe-webhook.ts';
import { healthRoutes, type ReadinessProbe } from './http/health.ts';
import type { Route } from './http/server.ts';
import { handleCountTokens } from './surfaces/anthropic/count-tokens.ts';
import { handleMessages } from './surfaces/anthropic/messages.ts';
import { handleModels } from './surfaces/models.ts';
import { handleChat } from './surfaces/openai/chat.ts';
import type { Metrics } from './telemetry/metrics.ts';

/** The model APIs, in the surfaces' own paths. */
export function publicRoutes(): Route[] {
  return [
    { method: 'POST', path: '/v1/messages', surface: 'anthropic', handler: handleMessages },
    { method: 'POST', path: '/v1/messages/count_tokens', surface: 'anthropic', handler: handleCountTokens },
    { method: 'POST', path: '/v1/chat/completions', surface: 'openai', handler: handleChat },
    { method: 'GET', path: '/v1/models', surface: 'openai', handler: (rt, req, res, id) => handleModels(rt, req, res, id) },
    { method: 'GET', path: '/v1/models/', surface: 'openai', prefix: true, handler: (rt, req, res, id, p) => handleModels(rt, req, res, id, p) },
  ];
}

/** Every route one gateway serves: the model APIs, the admin and console APIs, health, metrics, webhooks and accounts. */
export function gatewayRoutes(o: { probe: ReadinessProbe; metrics: Metrics | null }): Route[] {
  return [
    ...publicRoutes(),
    ...adminRoutes(),
    ...compatRoutes(),
    ...consoleRoutes(),
    ...healthRoutes(o.probe),
    ...metricsRoutes(o.metrics),
    ...stripeWebhookRoutes(),
    ...accountRoutes(),
  ];
}
