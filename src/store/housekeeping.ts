/**
 * Pruning of the tables that only grow and are only read recently:
 * - `change_log`: running servers follow it a few hundred ms behind, and a server that starts
 *   begins at its newest row, so rows older than the retention (`TOLLGATE_CHANGE_LOG_RETENTION_HOURS`,
 *   default 24 h) are read by no one. The newest row is never deleted: ids must keep increasing
 *   (an emptied SQLite table would hand out low ids again, which running servers would skip).
 * - `idempotency_keys`: claims older than a day (Idempotency-Keys expire after 24 h, as Stripe's do).
 * Every instance runs it (hourly, and at start); the deletes are idempotent.
 */
import type { Kysely } from 'kysely';
import type { DB } from './schema.ts';
import { lastChangeId } from './change-log.ts';

export interface PruneResult {
  changes: number;
  idempotencyKeys: number;
}

export async function pruneChangeLog(db: Kysely<DB>, olderThan: number): Promise<number> {
  const newest = await lastChangeId(db);
  if (newest === 0n) return 0;
  const r = await db
    .deleteFrom('change_log')
    .where('at', '<', BigInt(Math.floor(olderThan)))
    .where('id', '<', newest)
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}

export async function housekeeping(db: Kysely<DB>, now: number, o: { changeLogRetentionMs: number; idempotencyTtlMs: number }): Promise<PruneResult> {
  const changes = await pruneChangeLog(db, now - o.changeLogRetentionMs);
  const r = await db
    .deleteFrom('idempotency_keys')
    .where('updated_at', '<', BigInt(Math.floor(now - o.idempotencyTtlMs)))
    .executeTakeFirst();
  return { changes, idempotencyKeys: Number(r.numDeletedRows) };
}
