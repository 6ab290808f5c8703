/**
 * Model routes: operator-defined model names (such as `auto`) that pick a real model per request
 * by rules in the config file — the prompt's estimated size, whether it offers tools, or the
 * client's explicit hint (header `x-tollgate-route`). Rules are tried in order; the first whose
 * every condition holds names the model, else the route's `default`. See docs/routing.md.
 */
export interface RouteRule {
  minInputTokens?: number;
  maxInputTokens?: number;
  tools?: boolean;
  hint?: string;
  model: string;
}

export interface ModelRoute {
  rules: RouteRule[];
  default: string;
}

export interface RouteFacts {
  /** Estimated prompt tokens. */
  inputTokens: number;
  /** The request offers tools. */
  tools: boolean;
  /** The client's hint, if any. */
  hint: string | undefined;
}

/** The model a route picks for a request. */
export function pickModel(route: ModelRoute, facts: RouteFacts): string {
  for (const r of route.rules) {
    if (r.minInputTokens !== undefined && facts.inputTokens < r.minInputTokens) continue;
    if (r.maxInputTokens !== undefined && facts.inputTokens >= r.maxInputTokens) continue;
    if (r.tools !== undefined && r.tools !== facts.tools) continue;
    if (r.hint !== undefined && r.hint !== facts.hint) continue;
    return r.model;
  }
  return route.default;
}

/** The header a client names its hint with. */
export const ROUTE_HINT_HEADER = 'x-tollgate-route';
