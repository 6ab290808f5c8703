/**
 * The delivery worker: runs each `alert_deliveries` row (one row = one attempt), records its
 * outcome and persists the next attempt with `next_attempt_at`, so retries survive restarts.
 *
 * Ownership of an unfinished row is a lease in `next_attempt_at`: a process claims a due row
 * with a compare-and-set (`UPDATE … WHERE next_attempt_at = <seen value>`), so across any
 * number of processes one attempt runs once; a process that dies mid-attempt leaves a lease
 * that expires and the row is due again (delivery is at-least-once: receivers dedupe on the
 * `tollgate-event-id` header). Finishing is another compare-and-set on the lease, in the same
 * transaction as the next attempt's row (and the outbox mail, when there is no SMTP server).
 */
import type { Insertable, Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Clock } from '../../core/clock.ts';
import { newId } from '../../core/ids.ts';
import type { OutboxTable } from '../../store/tables/alerts.ts';
import type { DB } from '../../store/schema.ts';
import { emailMessage, webhookBody, type AlertData } from './message.ts';
import { type Mailer, postWebhook, type Outcome } from './transport.ts';
import type { AlertKind } from './types.ts';

export interface WorkerOptions {
  clock: Clock;
  log?: Logger;
  mailer: Mailer | null;
  fetch: typeof fetch;
  maxAttempts: number;
  backoffMs: (attempt: number) => number;
  timeoutMs: number;
  leaseMs: number;
  pollMs: number;
  /** The plain signing secret of a webhook channel (secrets are sealed at rest); throws when it cannot be opened. */
  openSecret(channel: { id: string; orgId: string; target: string; secret: string | null }): string;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class DeliveryWorker {
  private inflight = new Set<Promise<void>>();
  private running = new Set<string>();
  private timers = new Map<string, NodeJS.Timeout>();
  private poller: NodeJS.Timeout | null = null;
  private ticking = false;
  private stopping = false;
  private abort = new AbortController();

  constructor(
    private db: Kysely<DB>,
    private o: WorkerOptions,
  ) {}

  /** False once stopped: new rows should then be left due for other processes. */
  get accepting(): boolean {
    return !this.stopping;
  }

  /** The lease value a new row gets when this process runs it right away. */
  leaseUntil(): bigint {
    return BigInt(this.o.clock.now() + this.o.leaseMs);
  }

  /** Runs a row this process already holds (inserted with `next_attempt_at = lease`). */
  runHeld(id: string, lease: bigint): void {
    this.track(this.attempt(id, lease, true));
  }

  /** Polls for due rows (resumes work left by a stopped or crashed process) until stop(). */
  start(): void {
    if (this.poller || this.stopping) return;
    this.track(this.tick());
    this.poller = setInterval(() => this.track(this.tick()), this.o.pollMs);
    this.poller.unref();
  }

  /** Stops polling and timers, aborts webhook requests in flight (handing their rows back as due) and waits for in-flight work. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.poller) clearInterval(this.poller);
    this.poller = null;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    this.abort.abort();
    await this.idle();
    this.o.mailer?.close();
  }

  /** Resolves when nothing is in flight or scheduled in this process. */
  async idle(): Promise<void> {
    while (this.inflight.size || this.timers.size) await Promise.race([...this.inflight, sleep(5)]);
  }

  /** Runs a promise in the background, tracked by idle()/stop(); failures are logged, never thrown. */
  track(p: Promise<unknown>): void {
    const q: Promise<void> = p
      .then(
        () => {},
        (e) => {
          this.o.log?.error({ err: e }, 'alert delivery failed');
        },
      )
      .finally(() => {
        this.inflight.delete(q);
      });
    this.inflight.add(q);
  }

  private async tick(): Promise<void> {
    if (this.ticking || this.stopping) return;
    this.ticking = true;
    try {
      const due = await this.db
        .selectFrom('alert_deliveries')
        .select(['id', 'next_attempt_at'])
        .where('next_attempt_at', '<=', BigInt(this.o.clock.now()))
        .orderBy('next_attempt_at')
        .limit(100)
        .execute();
      for (const r of due) {
        if (this.stopping) break;
        if (!this.running.has(r.id) && r.next_attempt_at != null) this.track(this.attempt(r.id, r.next_attempt_at, false));
      }
    } finally {
      this.ticking = false;
    }
  }

  private schedule(id: string, dueAt: bigint, delayMs: number): void {
    if (this.stopping) return;
    const t = setTimeout(
      () => {
        this.timers.delete(id);
        this.track(this.attempt(id, dueAt, false));
      },
      Math.max(0, delayMs),
    );
    t.unref();
    this.timers.set(id, t);
  }

  /** Compare-and-set claim of a row whose `next_attempt_at` was seen as `seen`. */
  private async claim(id: string, seen: bigint): Promise<bigint | null> {
    const lease = this.leaseUntil();
    const r = await this.db
      .updateTable('alert_deliveries')
      .set({ next_attempt_at: lease })
      .where('id', '=', id)
      .where('next_attempt_at', '=', seen)
      .executeTakeFirst();
    return r.numUpdatedRows === 1n ? lease : null;
  }

  private async attempt(id: string, seen: bigint, held: boolean): Promise<void> {
    if (this.stopping || this.running.has(id)) return;
    this.running.add(id);
    try {
      const lease = held ? seen : await this.claim(id, seen);
      if (lease == null) return;
      const row = await this.db
        .selectFrom('alert_deliveries as d')
        .innerJoin('alerts as a', 'a.id', 'd.alert_id')
        .innerJoin('alert_channels as c', 'c.id', 'd.channel_id')
        .select([
          'd.id',
          'd.alert_id',
          'd.channel_id',
          'd.attempt',
          'a.kind',
          'a.created_at',
          'a.data',
          'c.kind as channel_kind',
          'c.org_id as channel_org',
          'c.target',
          'c.secret',
          'c.disabled_at',
        ])
        .where('d.id', '=', id)
        .executeTakeFirst();
      if (!row) return;
      let outcome: Outcome;
      let outbox: Insertable<OutboxTable> | null = null;
      let retry = true;
      if (row.disabled_at != null) {
        outcome = { ok: false, statusCode: null, error: 'channel disabled' };
        retry = false;
      } else if (row.channel_kind === 'webhook') {
        let secret: string;
        try {
          secret = this.o.openSecret({ id: row.channel_id, orgId: row.channel_org, target: row.target, secret: row.secret });
        } catch (e) {
          await this.finish(row, lease, { ok: false, statusCode: null, error: `signing secret unavailable: ${(e as Error).message}` }, false, null);
          return;
        }
        outcome = await postWebhook(this.o.fetch, {
          url: row.target,
          body: webhookBody({ id: row.alert_id, kind: row.kind, created_at: row.created_at, data: row.data }),
          secret,
          eventId: row.alert_id,
          nowSec: Math.floor(this.o.clock.now() / 1000),
          timeoutMs: this.o.timeoutMs,
          signal: this.abort.signal,
        });
      } else {
        const msg = emailMessage(row.alert_id, row.kind as AlertKind, JSON.parse(row.data) as AlertData);
        if (this.o.mailer) {
          outcome = await this.o.mailer.send({ to: row.target, ...msg, headers: { 'X-Tollgate-Event-Id': row.alert_id } });
        } else {
          outbox = { id: newId('mail'), to: row.target, subject: msg.subject, text: msg.text, created_at: this.o.clock.now(), alert_id: row.alert_id };
          outcome = { ok: true, statusCode: null, error: null };
        }
      }
      if (this.stopping && outcome.error === 'aborted') {
        // Interrupted by stop(): not a real attempt; leave the row due for whoever runs next.
        await this.db
          .updateTable('alert_deliveries')
          .set({ next_attempt_at: BigInt(this.o.clock.now()) })
          .where('id', '=', id)
          .where('next_attempt_at', '=', lease)
          .execute();
        return;
      }
      await this.finish(row, lease, outcome, retry, outbox);
    } finally {
      this.running.delete(id);
    }
  }

  private async finish(
    row: { id: string; alert_id: string; channel_id: string; attempt: bigint },
    lease: bigint,
    out: Outcome,
    retry: boolean,
    outbox: Insertable<OutboxTable> | null,
  ): Promise<void> {
    const now = this.o.clock.now();
    const attempt = Number(row.attempt);
    const again = !out.ok && retry && attempt < this.o.maxAttempts;
    const delay = again ? Math.max(0, this.o.backoffMs(attempt)) : 0;
    const next = again
      ? {
          id: newId('dlv'),
          alert_id: row.alert_id,
          channel_id: row.channel_id,
          attempt: attempt + 1,
          status_code: null,
          error: null,
          next_attempt_at: BigInt(now + delay),
          delivered_at: null,
          created_at: now,
        }
      : null;
    const kept = await this.db.transaction().execute(async (trx) => {
      const r = await trx
        .updateTable('alert_deliveries')
        .set({ status_code: out.statusCode, error: out.error, delivered_at: out.ok ? now : null, next_attempt_at: null })
        .where('id', '=', row.id)
        .where('next_attempt_at', '=', lease)
        .executeTakeFirst();
      if (r.numUpdatedRows !== 1n) return false; // our lease expired and another process took the row
      if (outbox) await trx.insertInto('outbox').values(outbox).execute();
      if (next) await trx.insertInto('alert_deliveries').values(next).execute();
      return true;
    });
    const ctx = { delivery: row.id, alert: row.alert_id, channel: row.channel_id, attempt, status: out.statusCode };
    if (!kept) {
      this.o.log?.warn(ctx, 'alert delivery lease lost; outcome discarded');
      return;
    }
    if (out.ok) this.o.log?.debug(ctx, 'alert delivered');
    else if (next) this.o.log?.warn({ ...ctx, error: out.error, retryInMs: delay }, 'alert delivery failed; will retry');
    else this.o.log?.error({ ...ctx, error: out.error }, 'alert delivery failed; giving up');
    if (next) this.schedule(next.id, next.next_attempt_at, delay);
  }
}
