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

type FullRow = { [K in keyof UsageEventsTable]: UsageEventsTable[K] extends import('kysely').ColumnType<infer S, any, any> ? S : UsageEventsTable[K] };
/** Columns added by migration 010: optional on a row (absent = not reported / standard / zero). */
export const PREMIUM_COLUMNS = ['speed', 'service_tier', 'inference_geo', 'web_fetch_requests', 'code_execution_requests', 'price_variant'] as const;
/** Columns added later that a row may leave out: PREMIUM_COLUMNS and `attempts` (migration 050, default 1). */
type OptionalColumn = typeof PREMIUM_COLUMNS[number] | 'attempts';
export type UsageEventRow = Omit<FullRow, OptionalColumn> & Partial<Pick<FullRow, OptionalColumn>>;

/** A row with every migration-010 column filled in (null / 0 / '' where absent). */
export function withPremiumDefaults(r: UsageEventRow): FullRow {
  return {
    ...r,
    speed: r.speed ?? null,
    service_tier: r.service_tier ?? null,
    inference_geo: r.inference_geo ?? null,
    web_fetch_requests: r.web_fetch_requests ?? 0n,
    code_execution_requests: r.code_execution_requests ?? 0n,
    price_variant: r.price_variant ?? '',
    attempts: r.attempts ?? 1n,
  };
}

interface Pending { row: UsageEventRow; resolve: () => void; reject: (e: Error) => void; at: number }

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

  constructor(store: Store | null, private log: Logger, private opts: { waitTimeoutMs?: number; onWritten?: (rows: UsageEventRow[]) => void; sink?: (rows: UsageEventRow[]) => Promise<UsageEventRow[]> } = {}) {
    this.write = opts.sink ?? (store!.sqlite ? sqliteUsageSink(store!.sqlite) : kyselyUsageSink(store!.db));
  }

  get pending(): number {
    return this.queue.length;
  }

  /** How long the oldest queued event has waited (ms; 0 when the queue is empty). */
  get lagMs(): number {
    return this.queue.length ? Date.now() - this.queue[0]!.at : 0;
  }

  /** True while writes fail and are being retried with backoff. */
  get failing(): boolean {
    return this.backoffMs > 0;
  }

  record(row: UsageEventRow): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ row, resolve, reject, at: Date.now() });
      this.schedule();
    });
  }

  private schedule(delay = 0) {
    if (this.scheduled || this.flushing) return;
    this.scheduled = true;
    const run = () => { this.scheduled = false; void this.flush(); };
    if (delay > 0) setTimeout(run, delay); else setImmediate(run); // a pending retry keeps the process alive
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
          for (const p of batch) p.resolve();
        } catch (e) {
          this.backoffMs = Math.min(5_000, this.backoffMs ? this.backoffMs * 2 : 50);
          this.expireWaiters();
          this.log.error({ err: e, pending: this.queue.length, retryInMs: this.backoffMs }, 'usage write failed; will retry');
          if (!this.closed) { this.flushing = false; this.schedule(this.backoffMs); }
          return;
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  /** While the database is failing: waiters give up after waitTimeoutMs; their events stay queued. */
  private expireWaiters() {
    const limit = Date.now() - (this.opts.waitTimeoutMs ?? 30_000);
    for (const p of this.queue) {
      if (p.at > limit) continue;
      const reject = p.reject;
      p.resolve = () => {};
      p.reject = () => {};
      reject(new Error('usage write timed out; the event stays queued'));
    }
  }

  /** Flushes and stops retrying (events still unwritten are logged: the database was down). */
  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
    if (this.queue.length) this.log.error({ unwritten: this.queue.length, ids: this.queue.slice(0, 20).map((p) => p.row.id) }, 'shutting down with usage events the database did not accept');
  }
}
