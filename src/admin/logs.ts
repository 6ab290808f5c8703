/**
 * Admin API — the request log (docs/accounts.md).
 *   GET orgs/{org}/logs?workspace_id&key_id&model&status&from&to&limit&cursor → LogPage, newest first
 * Every request of the org with its key, model, tokens by kind, customer cost, latency, status
 * and whether the output was estimated. A workspace admin key sees its workspace only. Costs are
 * the customer's price (the upstream's cost is the operator's figure and is not shown).
 */
import { z } from 'zod';
import type { LogEntry, LogPage } from '../accounts/api-types.ts';
import { picoToUsd } from '../core/money.ts';
import { queryLogs } from '../usage/logs.ts';
import { requireWorkspace } from './auth.ts';
import { dbOf, readQuery, sendJson } from './respond.ts';
import type { AdminContext, AdminRoute } from './types.ts';

const dateTime = z.iso.datetime({ offset: true, message: 'expected an ISO date-time like 2026-12-01T00:00:00Z' }).transform((s) => Date.parse(s));
const Query = z.strictObject({
  workspace_id: z.string().min(1).max(100).optional(),
  key_id: z.string().min(1).max(100).optional(),
  model: z.string().min(1).max(200).optional(),
  status: z
    .union([
      z.enum(['ok', 'error']),
      z
        .string()
        .regex(/^[1-5]\d\d$/, 'an HTTP status, "ok" or "error"')
        .transform(Number),
    ])
    .optional(),
  from: dateTime.optional(),
  to: dateTime.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.string().min(1).max(300).optional(),
});

const s = (v: bigint) => v.toString();

// biome-ignore lint/suspicious/noExplicitAny: a usage_events row from a partial select
export function logEntry(r: any): LogEntry {
  return {
    id: r.id,
    time: new Date(Number(r.created_at)).toISOString(),
    key_id: r.key_id,
    workspace_id: r.workspace_id,
    model: r.model,
    surface: r.surface,
    status: Number(r.status),
    outcome: r.outcome,
    stream: Number(r.stream) === 1,
    tokens: {
      input: s(r.input_tokens),
      output: s(r.output_tokens),
      cache_write_5m: s(r.cache_write_5m_tokens),
      cache_write_1h: s(r.cache_write_1h_tokens),
      cache_read: s(r.cache_read_tokens),
    },
    cost_usd: picoToUsd(BigInt(r.cost)),
    latency_ms: Number(r.latency_ms),
    ttft_ms: r.ttft_ms == null ? null : Number(r.ttft_ms),
    estimated: Number(r.estimated) === 1,
  };
}

async function logs(c: AdminContext) {
  const q = readQuery(c.req, Query);
  c.req.resume();
  let workspaceId = q.workspace_id;
  if (c.caller.kind === 'admin_key' && c.caller.workspaceId) {
    if (workspaceId) requireWorkspace(c.caller, workspaceId, `workspace ${workspaceId}`);
    workspaceId = c.caller.workspaceId;
  }
  const r = await queryLogs(dbOf(c.rt), {
    orgId: c.params.org!,
    workspaceId,
    keyId: q.key_id,
    model: q.model,
    status: q.status,
    fromMs: q.from,
    toMs: q.to,
    limit: q.limit,
    cursor: q.cursor,
  });
  const out: LogPage = { org_id: c.params.org!, data: r.rows.map(logEntry), next_cursor: r.nextCursor };
  sendJson(c.res, c.requestId, 200, out);
}

export const logRoutes: AdminRoute[] = [{ method: 'GET', pattern: 'orgs/:org/logs', permission: 'usage:read', handler: logs }];
