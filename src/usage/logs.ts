/**
 * The request log of one org: usage events newest first, filtered, keyset-paginated. The cursor
 * is the last row's `(created_at, id)`; the query is one range scan of the index
 * `usage_events (org_id, created_at, id)` (migration 031), so a page deep in 10M events costs
 * what the first one does.
 */
import { sql, type Kysely } from 'kysely';
import { invalidRequest } from '../core/errors.ts';
import type { DB } from '../store/schema.ts';

export interface LogQuery {
  orgId: string;
  workspaceId?: string;
  keyId?: string;
  model?: string;
  /** An HTTP status, or 'ok' (2xx) / 'error' (anything else). */
  status?: number | 'ok' | 'error';
  fromMs?: number;
  toMs?: number;
  limit: number;
  cursor?: string;
}

export function encodeCursor(createdAt: bigint, id: string): string {
  return Buffer.from(`${createdAt}:${id}`, 'utf8').toString('base64url');
}

export function decodeCursor(c: string): { at: bigint; id: string } {
  const s = Buffer.from(c, 'base64url').toString('utf8');
  const m = /^(\d{1,16}):([A-Za-z0-9_-]{1,100})$/.exec(s);
  if (!m) throw invalidRequest('invalid query: cursor: not a cursor this API returned');
  return { at: BigInt(m[1]!), id: m[2]! };
}

export async function queryLogs(db: Kysely<DB>, q: LogQuery) {
  let s = db.selectFrom('usage_events').selectAll().where('org_id', '=', q.orgId);
  if (q.workspaceId) s = s.where('workspace_id', '=', q.workspaceId);
  if (q.keyId) s = s.where('key_id', '=', q.keyId);
  if (q.model) s = s.where('model', '=', q.model);
  // Errors: the literal `status >= 400` lets both planners use the partial index (migration 032).
  const errors = sql<boolean>`status >= 400`;
  if (typeof q.status === 'number') s = q.status >= 400 ? s.where(errors).where('status', '=', BigInt(q.status)) : s.where('status', '=', BigInt(q.status));
  else if (q.status === 'ok') s = s.where('status', '>=', 200n).where('status', '<', 300n);
  else if (q.status === 'error') s = s.where(errors);
  if (q.fromMs !== undefined) s = s.where('created_at', '>=', BigInt(q.fromMs));
  if (q.toMs !== undefined) s = s.where('created_at', '<', BigInt(q.toMs));
  if (q.cursor) {
    const c = decodeCursor(q.cursor);
    s = s.where(sql<boolean>`(created_at, id) < (${c.at}, ${c.id})`);
  }
  const rows = await s
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(q.limit + 1)
    .execute();
  const more = rows.length > q.limit;
  const page = more ? rows.slice(0, q.limit) : rows;
  const last = page.at(-1);
  return { rows: page, nextCursor: more && last ? encodeCursor(last.created_at, last.id) : null };
}
