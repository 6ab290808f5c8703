/**
 * Durable usage events with group commit. `record()` queues an event and resolves once the
 * transaction holding it has committed; every pending event is written in one transaction per
 * tick, together with the daily rollups they feed. The request id is the primary key, so a
 * replayed write is a no-op (and its rollup is not counted twice: rollups are only fed by rows
 * that were actually inserted).
 *
 * If the database fails, the batch stays queued and is retried with backoff; waiters are
 * rejected after `waitTimeoutMs` but their events are kept and written once the database is back.
 */
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { DB, UsageEventsTable } from '../store/schema.ts';

export type UsageEventRow = { [K in keyof UsageEventsTable]: UsageEventsTable[K] extends import('kysely').ColumnType<infer S, any, any> ? S : UsageEventsTable[K] };

interface Pending { row: UsageEventRow; resolve: () => void; reject: (e: Error) => void; timer?: NodeJS.Timeout }

const BATCH = 400;

export class UsageWriter {
  private queue: Pending[] = [];
  private flushing = false;
  private scheduled = false;
  private backoffMs = 0;
  private closed = false;
  /** Total events written (for metrics and the bench). */
  written = 0;

  constructor(private db: Kysely<DB>, private log: Logger, private opts: { waitTimeoutMs?: number; onWritten?: (rows: UsageEventRow[]) => void } = {}) {}

  get pending(): number {
    return this.queue.length;
  }

  record(row: UsageEventRow): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const p: Pending = { row, resolve, reject };
      const wait = this.opts.waitTimeoutMs ?? 30_000;
      p.timer = setTimeout(() => { p.reject = () => {}; p.resolve = () => {}; reject(new Error('usage write timed out; the event stays queued')); }, wait);
      p.timer.unref();
      this.queue.push(p);
      this.schedule();
    });
  }

  private schedule(delay = 0) {
    if (this.scheduled || this.flushing) return;
    this.scheduled = true;
    const run = () => { this.scheduled = false; void this.flush(); };
    if (delay > 0) setTimeout(run, delay).unref(); else setImmediate(run);
  }

  /** Writes everything queued now; resolves when the queue is empty (or the DB failed). */
  async flush(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      while (this.queue.length) {
        const batch = this.queue.slice(0, BATCH);
        try {
          const inserted = await this.write(batch.map((p) => p.row));
          this.queue.splice(0, batch.length);
          this.backoffMs = 0;
          this.written += inserted.length;
          if (inserted.length) this.opts.onWritten?.(inserted);
          for (const p of batch) { clearTimeout(p.timer); p.resolve(); }
        } catch (e) {
          this.backoffMs = Math.min(5_000, this.backoffMs ? this.backoffMs * 2 : 50);
          this.log.error({ err: e, pending: this.queue.length, retryInMs: this.backoffMs }, 'usage write failed; will retry');
          if (!this.closed) { this.flushing = false; this.schedule(this.backoffMs); }
          return;
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  private async write(rows: UsageEventRow[]): Promise<UsageEventRow[]> {
    return this.db.transaction().execute(async (trx) => {
      const ids = await trx.insertInto('usage_events').values(rows)
        .onConflict((oc) => oc.doNothing()).returning('id').execute();
      const got = new Set(ids.map((r) => r.id));
      const inserted = got.size === rows.length ? rows : rows.filter((r) => got.has(r.id));
      const roll = new Map<string, any>();
      for (const r of inserted) {
        const k = `${r.org_id}\0${r.day}\0${r.workspace_id}\0${r.key_id}\0${r.model}`;
        let a = roll.get(k);
        if (!a) roll.set(k, (a = { day: r.day, month: r.month, org_id: r.org_id, workspace_id: r.workspace_id, key_id: r.key_id, model: r.model,
          requests: 0n, input_tokens: 0n, output_tokens: 0n, cache_write_5m_tokens: 0n, cache_write_1h_tokens: 0n, cache_read_tokens: 0n, cost: 0n, upstream_cost: 0n }));
        a.requests += 1n; a.input_tokens += r.input_tokens; a.output_tokens += r.output_tokens;
        a.cache_write_5m_tokens += r.cache_write_5m_tokens; a.cache_write_1h_tokens += r.cache_write_1h_tokens;
        a.cache_read_tokens += r.cache_read_tokens; a.cost += r.cost; a.upstream_cost += r.upstream_cost;
      }
      const aggs = [...roll.values()];
      for (let i = 0; i < aggs.length; i += 200) {
        await trx.insertInto('usage_daily').values(aggs.slice(i, i + 200))
          .onConflict((oc) => oc.columns(['org_id', 'day', 'workspace_id', 'key_id', 'model']).doUpdateSet((eb) => ({
            requests: eb('usage_daily.requests', '+', eb.ref('excluded.requests')),
            input_tokens: eb('usage_daily.input_tokens', '+', eb.ref('excluded.input_tokens')),
            output_tokens: eb('usage_daily.output_tokens', '+', eb.ref('excluded.output_tokens')),
            cache_write_5m_tokens: eb('usage_daily.cache_write_5m_tokens', '+', eb.ref('excluded.cache_write_5m_tokens')),
            cache_write_1h_tokens: eb('usage_daily.cache_write_1h_tokens', '+', eb.ref('excluded.cache_write_1h_tokens')),
            cache_read_tokens: eb('usage_daily.cache_read_tokens', '+', eb.ref('excluded.cache_read_tokens')),
            cost: eb('usage_daily.cost', '+', eb.ref('excluded.cost')),
            upstream_cost: eb('usage_daily.upstream_cost', '+', eb.ref('excluded.upstream_cost')),
          }))).execute();
      }
      return inserted;
    });
  }

  /** Flushes and stops retrying. */
  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
  }
}
