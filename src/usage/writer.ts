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
import type { Logger } from 'pino';
import type { UsageEventsTable } from '../store/schema.ts';
import type { Store } from '../store/connect.ts';
import { sqliteUsageSink } from './sink-sqlite.ts';
import { kyselyUsageSink } from './sink-kysely.ts';

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

  private write: (rows: UsageEventRow[]) => Promise<UsageEventRow[]>;

  constructor(store: Store, private log: Logger, private opts: { waitTimeoutMs?: number; onWritten?: (rows: UsageEventRow[]) => void } = {}) {
    this.write = store.sqlite ? sqliteUsageSink(store.sqlite) : kyselyUsageSink(store.db);
  }

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

  /** Flushes and stops retrying. */
  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
  }
}
