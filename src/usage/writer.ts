/**
 * Durable usage events with group commit. `record()` queues an event and resolves once the
 * transaction holding it has committed; every pending event is written in one transaction per
 * tick, together with the daily rollups they feed. The request id is the primary key, so a
 * replayed write is a no-op (and its rollup is not counted twice: rollups are only fed by rows
 * that were actually inserted).
 *
 * When a batch fails, the database is probed:
 * - it answers: some row was refused. The batch is bisected until the bad rows are isolated; each
 *   goes to the dead-letter table (dead-letters.ts) and the rest are written. One bad row never
 *   blocks the others, and no batch is retried forever.
 * - it does not answer (down): the batch is appended to the local spool (spool.ts, fsync'ed) and its
 *   waiters are released — the events are durable on disk — and `durable` turns false so new
 *   requests are refused (503) until a write succeeds again. Writes are retried with backoff.
 * Without a spool (or if the spool fails too), waiters are rejected after `waitTimeoutMs` and their
 * events stay queued.
 */
import type { Logger } from 'pino';
import { systemClock, type Clock } from '../core/clock.ts';
import type { Store } from '../store/connect.ts';
import { usageSinkFor } from './dead-letters.ts';
import type { UsageSpool } from './spool.ts';
import { isDatabaseUnavailable } from '../store/db-errors.ts';
import type { UsageEventRow } from './event-row.ts';

export { PREMIUM_COLUMNS, withPremiumDefaults, type UsageEventRow } from './event-row.ts';

interface Pending {
  row: UsageEventRow;
  resolve: () => void;
  reject: (e: Error) => void;
  at: number;
  done?: boolean;
  spooled?: boolean;
}

const BATCH = 400;

export interface UsageWriterOptions {
  waitTimeoutMs?: number;
  onWritten?: (rows: UsageEventRow[]) => void;
  sink?: (rows: UsageEventRow[]) => Promise<UsageEventRow[]>;
  /** Resolves when the database answers; without it every failure counts as the database being down. */
  probe?: () => Promise<void>;
  /** Parks a row the database refused (the dead-letter table). */
  deadLetter?: (row: UsageEventRow, err: unknown) => Promise<void>;
  /** Called after a row was dead-lettered (operator alert). */
  onDeadLetter?: (row: UsageEventRow, err: unknown) => void;
  /** Local spool for events the database cannot take right now. */
  spool?: UsageSpool;
  /** Called when events are spooled (operator alert). */
  onSpooled?: (rows: UsageEventRow[]) => void;
  /** Measures queue waits and timeouts (wall time: the system clock unless a test injects one). */
  clock?: Clock;
}

class DatabaseDown extends Error {}

export class UsageWriter {
  private queue: Pending[] = [];
  private flushing = false;
  private scheduled = false;
  private backoffMs = 0;
  private closed = false;
  private down = false;
  /** Total events written (for metrics and the bench). */
  written = 0;
  /** Rows parked in the dead-letter table by this process. */
  deadLettered = 0;

  private write: (rows: UsageEventRow[]) => Promise<UsageEventRow[]>;
  private clock: Clock;

  constructor(
    store: Store | null,
    private log: Logger,
    private opts: UsageWriterOptions = {},
  ) {
    this.write = opts.sink ?? usageSinkFor(store!);
    this.clock = opts.clock ?? systemClock;
  }

  get pending(): number {
    return this.queue.length;
  }

  /** False while the database is known to be down (usage would only reach the spool): refuse new requests. */
  get durable(): boolean {
    return !this.down;
  }

  /** How long the oldest queued event has waited (ms; 0 when the queue is empty). */
  get lagMs(): number {
    return this.queue.length ? this.clock.now() - this.queue[0]!.at : 0;
  }

  /** True while writes fail and are being retried with backoff. */
  get failing(): boolean {
    return this.backoffMs > 0;
  }

  record(row: UsageEventRow): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ row, resolve, reject, at: this.clock.now() });
      this.schedule();
    });
  }

  private schedule(delay = 0) {
    if (this.scheduled || this.flushing) return;
    this.scheduled = true;
    const run = () => {
      this.scheduled = false;
      void this.flush();
    };
    if (delay > 0) setTimeout(run, delay);
    else setImmediate(run); // a pending retry keeps the process alive
  }

  /** Writes everything queued now; resolves when the queue is empty (or the DB failed). */
  async flush(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      while (this.queue.length) {
        const batch = this.queue.slice(0, BATCH);
        try {
          await this.writeOrIsolate(batch);
          this.queue = this.queue.filter((p) => !p.done);
          this.backoffMs = 0;
          if (this.down) {
            this.down = false;
            this.log.info('usage writes succeed again');
          }
        } catch (e) {
          this.queue = this.queue.filter((p) => !p.done);
          this.down = true;
          this.backoffMs = Math.min(5_000, this.backoffMs ? this.backoffMs * 2 : 50);
          await this.spoolQueued();
          this.expireWaiters();
          this.log.error(
            { err: e instanceof DatabaseDown ? e.cause : e, pending: this.queue.length, retryInMs: this.backoffMs },
            'usage write failed; will retry',
          );
          if (!this.closed) {
            this.flushing = false;
            this.schedule(this.backoffMs);
          }
          return;
        }
      }
      if (this.opts.spool?.spooled) await this.opts.spool.clear().catch((e) => this.log.error({ err: e }, 'usage spool not cleared'));
    } finally {
      this.flushing = false;
    }
  }

  /** Writes `items`; on failure with the database up, bisects down to the refused rows and dead-letters them. */
  private async writeOrIsolate(items: Pending[]): Promise<void> {
    try {
      const inserted = await this.write(items.map((p) => p.row));
      this.written += inserted.length;
      if (inserted.length) this.opts.onWritten?.(inserted);
      for (const p of items) {
        p.done = true;
        p.resolve();
      }
      return;
    } catch (e) {
      if (!this.opts.probe || !this.opts.deadLetter || isDatabaseUnavailable(e)) throw new DatabaseDown('database unavailable', { cause: e });
      try {
        await this.opts.probe();
      } catch {
        throw new DatabaseDown('database unavailable', { cause: e });
      }
      if (items.length > 1) {
        const mid = items.length >> 1;
        await this.writeOrIsolate(items.slice(0, mid));
        await this.writeOrIsolate(items.slice(mid));
        return;
      }
      const p = items[0]!;
      try {
        await this.opts.deadLetter(p.row, e);
      } catch (e2) {
        throw new DatabaseDown('dead-letter write failed', { cause: e2 });
      }
      this.deadLettered++;
      this.log.error(
        { requestId: p.row.id, org: p.row.org_id, err: { message: (e as Error).message } },
        'usage event refused by the database; kept in usage_dead_letters',
      );
      this.opts.onDeadLetter?.(p.row, e);
      p.done = true;
      p.resolve();
    }
  }

  /** The database is down: what is queued and not yet on disk goes to the spool; its waiters are released. */
  private async spoolQueued(): Promise<void> {
    const spool = this.opts.spool;
    if (!spool) return;
    const fresh = this.queue.filter((p) => !p.spooled);
    if (!fresh.length) return;
    try {
      await spool.append(fresh.map((p) => p.row));
    } catch (e) {
      this.log.error({ err: e, events: fresh.length }, 'usage spool append failed; events stay in memory only');
      return;
    }
    for (const p of fresh) {
      p.spooled = true;
      const resolve = p.resolve;
      p.resolve = () => {};
      p.reject = () => {};
      resolve();
    }
    this.opts.onSpooled?.(fresh.map((p) => p.row));
  }

  /** Replays spool files a dead process left (start-up, before serving); bad rows are dead-lettered. */
  async replaySpool(): Promise<number> {
    const spool = this.opts.spool;
    if (!spool) return 0;
    const { rmSync } = await import('node:fs');
    const { UsageSpool } = await import('./spool.ts');
    let n = 0;
    for (const file of spool.orphans()) {
      const rows = UsageSpool.read(file);
      for (let i = 0; i < rows.length; i += BATCH) {
        await this.writeOrIsolate(rows.slice(i, i + BATCH).map((row) => ({ row, resolve: () => {}, reject: () => {}, at: this.clock.now() })));
      }
      rmSync(file, { force: true });
      n += rows.length;
      this.log.info({ file, events: rows.length }, 'usage spool replayed');
    }
    return n;
  }

  /** While the database is failing: waiters give up after waitTimeoutMs; their events stay queued. */
  private expireWaiters() {
    const limit = this.clock.now() - (this.opts.waitTimeoutMs ?? 30_000);
    for (const p of this.queue) {
      if (p.at > limit) continue;
      const reject = p.reject;
      p.resolve = () => {};
      p.reject = () => {};
      reject(new Error('usage write timed out; the event stays queued'));
    }
  }

  /** Flushes and stops retrying (events still unwritten are in the spool, or logged: the database was down). */
  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
    if (this.queue.length) {
      await this.spoolQueued();
      const onDisk = this.queue.filter((p) => p.spooled).length;
      this.log.error(
        { unwritten: this.queue.length, spooled: onDisk, ids: this.queue.slice(0, 20).map((p) => p.row.id) },
        'shutting down with usage events the database did not accept (spooled ones are replayed at the next start)',
      );
    }
    await this.opts.spool?.close();
  }
}
