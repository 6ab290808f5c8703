/**
 * Usage rows the database refused (migration 016): how the writer parks one, how the operator
 * lists them, and how `tollgate usage dead-letters --replay` writes them again once the cause is
 * fixed (idempotent by request id: a row already in usage_events is not counted twice).
 */
import { sql } from 'kysely';
import type { Store } from '../store/connect.ts';
import { sqliteUsageSink } from './sink-sqlite.ts';
import { kyselyUsageSink } from './sink-kysely.ts';
import { decodeRow, encodeRow } from './spool.ts';
import type { UsageEventRow } from './event-row.ts';
import type { Clock } from '../core/clock.ts';

/** The store's sink for one batch of usage events (prepared statements on SQLite, Kysely on PostgreSQL). */
export function usageSinkFor(store: Store): (rows: UsageEventRow[]) => Promise<UsageEventRow[]> {
  return store.sqlite ? sqliteUsageSink(store.sqlite) : kyselyUsageSink(store.db);
}

/** Resolves when the database answers a trivial query (within `timeoutMs`); rejects otherwise. */
export function probeStore(store: Store, timeoutMs = 3000): () => Promise<void> {
  return async () => {
    if (store.sqlite) {
      store.sqlite.prepare('select 1').get();
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        sql`select 1`.execute(store.db),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('database probe timed out')), timeoutMs);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  };
}

/** Parks a refused row (idempotent by id). */
export function deadLetterSink(store: Store, clock: Clock): (row: UsageEventRow, err: unknown) => Promise<void> {
  return async (row, err) => {
    const message = String((err as Error)?.message ?? err).slice(0, 1000);
    await store.db
      .insertInto('usage_dead_letters')
      .values({
        id: String(row.id),
        org_id: String(row.org_id ?? ''),
        event: encodeRow(row),
        error: message,
        created_at: BigInt(clock.now()),
        replayed_at: null,
      })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
  };
}

export interface DeadLetterView {
  id: string;
  org_id: string;
  error: string;
  created_at: string;
  replayed_at: string | null;
  event: Record<string, unknown>;
}

export async function listDeadLetters(store: Store, opts: { all?: boolean; limit?: number } = {}): Promise<DeadLetterView[]> {
  let q = store.db
    .selectFrom('usage_dead_letters')
    .selectAll()
    .orderBy('created_at')
    .limit(opts.limit ?? 1000);
  if (!opts.all) q = q.where('replayed_at', 'is', null);
  const rows = await q.execute();
  return rows.map((r) => ({
    id: r.id,
    org_id: r.org_id,
    error: r.error,
    created_at: new Date(Number(r.created_at)).toISOString(),
    replayed_at: r.replayed_at === null ? null : new Date(Number(r.replayed_at)).toISOString(),
    event: JSON.parse(r.event, (_k, v) => (v && typeof v === 'object' && typeof v.$n === 'string' ? v.$n : v)),
  }));
}

/** Writes every open dead letter again, one at a time; those the database still refuses stay, with the new error. */
export async function replayDeadLetters(store: Store, clock: Clock): Promise<{ replayed: string[]; failed: Array<{ id: string; error: string }> }> {
  const sink = usageSinkFor(store);
  const open = await store.db.selectFrom('usage_dead_letters').selectAll().where('replayed_at', 'is', null).orderBy('created_at').execute();
  const replayed: string[] = [];
  const failed: Array<{ id: string; error: string }> = [];
  for (const r of open) {
    try {
      await sink([decodeRow(r.event)]);
      await store.db
        .updateTable('usage_dead_letters')
        .set({ replayed_at: BigInt(clock.now()) })
        .where('id', '=', r.id)
        .execute();
      replayed.push(r.id);
    } catch (e) {
      const error = String((e as Error).message).slice(0, 1000);
      await store.db.updateTable('usage_dead_letters').set({ error }).where('id', '=', r.id).execute();
      failed.push({ id: r.id, error });
    }
  }
  return { replayed, failed };
}
