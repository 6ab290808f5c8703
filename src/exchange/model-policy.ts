/**
 * The per-request model decisions made before an upstream is chosen: a model route (`auto` …)
 * names the real model; the key's and its workspace's policy allow the model or refuse it (403
 * permission_error), and hold `max_tokens` to their ceiling (a 400 naming it, or a clamp).
 */
import type { IncomingMessage } from 'node:http';
import type { Principal } from '../accounts/key-cache.ts';
import { combinePolicies, type ModelPolicy } from '../accounts/policy.ts';
import { clip, fail } from '../core/errors.ts';
import { inspectInput, type ModelFamily } from '../metering/estimate.ts';
import type { CatalogModel } from '../pricing/types.ts';
import { pickModel, ROUTE_HINT_HEADER } from '../routing/model-routes.ts';
import type { Runtime } from './runtime.ts';

/** The policy in force for the caller (its key's and its workspace's), or null. */
export function policyOf(rt: Runtime, p: Principal): ModelPolicy | null {
  const ws = rt.workspacePolicy(p.key.workspaceId);
  return ws || p.key.policy ? combinePolicies(p.key.policy, ws) : null;
}

/** The model a request names after model routes: a route's pick, or the name itself. */
export function routedModelName(rt: Runtime, req: IncomingMessage, name: string, body: Record<string, unknown>, family: ModelFamily): string {
  const route = rt.config.modelRoutes[name];
  if (!route) return name;
  const hint = req.headers[ROUTE_HINT_HEADER];
  const tools = Array.isArray(body.tools) && body.tools.length > 0;
  return pickModel(route, { inputTokens: inspectInput(body as any, family).tokens, tools, hint: typeof hint === 'string' ? hint : undefined });
}

/** Refuses a model the policy does not list (by the name asked for, the model's id or an alias). */
export function checkModelAllowed(policy: ModelPolicy | null, asked: string, model: CatalogModel): void {
  const list = policy?.models;
  if (!list) return;
  if (list.includes(asked) || list.includes(model.id) || model.aliases.some((a) => list.includes(a))) return;
  throw fail.model_not_allowed(`This API key may not use model ${clip(asked)}; it may use: ${list.map((m) => clip(m)).join(', ')}`, { param: 'model' });
}

/**
 * Holds `max_tokens` to the policy's ceiling. Returns the value to send instead (clamp mode, or
 * a request that gave none), or undefined to leave the request as it is; throws a 400 in refuse mode.
 */
export function ceilingFor(policy: ModelPolicy | null, requested: number | undefined, param: string): number | undefined {
  const cap = policy?.maxTokens;
  if (cap === undefined) return undefined;
  if (requested === undefined) return cap;
  if (requested <= cap) return undefined;
  if (policy!.maxTokensMode === 'clamp') return cap;
  throw fail.max_tokens_above_key_ceiling(`${param}: ${requested} is above this API key's ceiling of ${cap} tokens; ask for at most ${cap}`, { param });
}
