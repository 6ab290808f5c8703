/**
 * Model policy of a key or a workspace: which models its keys may call, the largest `max_tokens`
 * they may ask for (refused with a 400, or clamped), and a total time limit per request. Stored
 * as JSON on the key and the workspace rows; a request obeys both (the tighter of each).
 */
import { z } from 'zod';

export interface ModelPolicy {
  /** Model ids or aliases (or model-route names) the keys may call; absent = every model. */
  models?: string[];
  /** Largest `max_tokens` a request may ask for. */
  maxTokens?: number;
  /** `refuse` (default): a 400 naming the ceiling; `clamp`: the request is sent with the ceiling. */
  maxTokensMode?: 'refuse' | 'clamp';
  /** Whole-request time limit (ms), across upstream attempts. */
  timeoutMs?: number;
}

export const modelPolicySchema = z.strictObject({
  models: z.array(z.string().trim().min(1).max(128)).min(1, 'list at least one model (omit the field to allow every model)').max(200).optional(),
  maxTokens: z.number().int().min(1).max(10_000_000).optional(),
  maxTokensMode: z.enum(['refuse', 'clamp']).optional(),
  timeoutMs: z.number().int().min(100).max(86_400_000).optional(),
});

const parsed = new Map<string, ModelPolicy | null>();

/** Parses a stored policy (memoised: the same few strings are read on every request). */
export function parsePolicy(json: string | null | undefined): ModelPolicy | null {
  if (!json) return null;
  let v = parsed.get(json);
  if (v === undefined) {
    try {
      const r = modelPolicySchema.safeParse(JSON.parse(json));
      v = r.success && Object.keys(r.data).length ? r.data : null;
    } catch {
      v = null;
    }
    if (parsed.size > 10_000) parsed.clear();
    parsed.set(json, v);
  }
  return v;
}

/** The policy in force for a key in a workspace: both lists must allow, the lower ceiling and timeout win. */
export function combinePolicies(key: ModelPolicy | null | undefined, ws: ModelPolicy | null | undefined): ModelPolicy | null {
  if (!ws) return key ?? null;
  if (!key) return ws;
  const out: ModelPolicy = {};
  if (key.models && ws.models) out.models = key.models.filter((m) => ws.models!.includes(m));
  else if (key.models ?? ws.models) out.models = key.models ?? ws.models;
  if (key.maxTokens !== undefined || ws.maxTokens !== undefined) {
    const tighter = ws.maxTokens === undefined || (key.maxTokens !== undefined && key.maxTokens <= ws.maxTokens) ? key : ws;
    out.maxTokens = tighter.maxTokens;
    out.maxTokensMode = tighter.maxTokensMode;
  }
  const t = [key.timeoutMs, ws.timeoutMs].filter((x): x is number => x !== undefined);
  if (t.length) out.timeoutMs = Math.min(...t);
  return out;
}

/** A policy as the admin API and the CLI show it (snake_case), or null. */
export function policyView(p: ModelPolicy | null) {
  if (!p) return null;
  return {
    models: p.models ?? null,
    max_tokens: p.maxTokens ?? null,
    max_tokens_mode: p.maxTokens !== undefined ? (p.maxTokensMode ?? 'refuse') : null,
    timeout_ms: p.timeoutMs ?? null,
  };
}

/** Validates a policy patch and merges it over the current one (a null field clears it); returns the JSON to store. */
export function mergePolicy(
  current: string | null,
  patch: { models?: string[] | null; maxTokens?: number | null; maxTokensMode?: 'refuse' | 'clamp' | null; timeoutMs?: number | null },
): string | null {
  const cur: Record<string, unknown> = { ...(parsePolicy(current) ?? {}) };
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) continue;
    if (v === null) delete cur[k];
    else cur[k] = v;
  }
  const r = modelPolicySchema.parse(cur);
  return Object.keys(r).length ? JSON.stringify(r) : null;
}
