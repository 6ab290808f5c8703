/**
 * The alert engine. `notify(event)` records the alert once per (org, scope, scope id, period,
 * kind, threshold) — a UNIQUE constraint decides races between processes — and queues one
 * delivery per enabled channel of the org in the same transaction; delivery (signed webhook,
 * SMTP mail or the outbox) then runs in the background with persisted retries. The spend path
 * calls `enqueue(event)` (never waits, never throws) or `void notify(event)`.
 *
 * @example
 * const alerts = new AlertService(store.db, { clock: systemClock, log, smtp: config.smtp });
 * alerts.start(); // resume retries left by a previous process
 * for (const t of crossedThresholds(before, after, limit, [50, 80]))
 *   alerts.enqueue({ orgId, orgName, scope: 'org', scopeId: orgId, kind: 'threshold', threshold: t, spentPico: after, limitPico: limit });
 */
import type { Kysely } from 'kysely';
import { monthKey, nextMonthStart } from '../../core/clock.ts';
import { invalidRequest, notFound } from '../../core/errors.ts';
import { base62, newId } from '../../core/ids.ts';
import { isSealed, rowBinding, SecretBoxError } from '../../core/secret-box.ts';
import { SYSTEM } from '../../audit/actor.ts';
import { recordAudit } from '../../audit/log.ts';
import { DeliveryWorker } from './delivery.ts';
import { buildData } from './message.ts';
import type { AlertTables } from '../../store/tables/alerts.ts';
import type { DB, RowOf } from '../../store/schema.ts';
import { Mailer } from './transport.ts';
import type { AlertEvent, AlertServiceOptions, AlertView, ChannelKind, ChannelView, DeliveryView, OutboxMail } from './types.ts';

const SCOPES = new Set(['org', 'workspace', 'key', 'credits']);
const KINDS = new Set(['threshold', 'limit_reached', 'credits_low', 'payment_failed', 'invoice_overdue', 'billing_suspended']);
const num = (v: bigint | number | null) => (v == null ? null : Number(v));

export const defaultBackoffMs = (attempt: number) => Math.min(1000 * 2 ** Math.max(0, attempt - 1), 3_600_000);

const toChannel = (r: RowOf<AlertTables['alert_channels'], 'id' | 'org_id' | 'kind' | 'target' | 'created_at' | 'disabled_at'>): ChannelView => ({
  id: r.id,
  orgId: r.org_id,
  kind: r.kind as ChannelKind,
  target: r.target,
  createdAt: Number(r.created_at),
  disabledAt: num(r.disabled_at),
});

export class AlertService {
  private db: Kysely<DB>;
  private worker: DeliveryWorker;

  constructor(
    db: Kysely<DB>,
    private opts: AlertServiceOptions,
  ) {
    this.db = db;
    this.worker = new DeliveryWorker(this.db, {
      clock: opts.clock,
      log: opts.log,
      mailer: opts.smtp?.url ? new Mailer(opts.smtp.url, opts.smtp.from) : null,
      fetch: opts.fetch ?? globalThis.fetch,
      maxAttempts: Math.max(1, opts.maxAttempts ?? 6),
      backoffMs: opts.backoffMs ?? defaultBackoffMs,
      timeoutMs: opts.timeoutMs ?? 10_000,
      leaseMs: opts.leaseMs ?? 60_000,
      pollMs: opts.pollMs ?? 1_000,
      openSecret: (c) => this.openSecret(c),
    });
  }

  /** A webhook channel's plain signing secret (sealed at rest, bound to the channel's id, org and URL). */
  private openSecret(c: { id: string; orgId: string; target: string; secret: string | null }): string {
    if (!c.secret) throw new SecretBoxError('the channel has no signing secret');
    if (!isSealed(c.secret)) return c.secret; // stored before secrets were sealed; re-sealed at start-up when a master key is set
    if (!this.opts.box) throw new SecretBoxError('the signing secret is sealed but TOLLGATE_MASTER_KEY is not set');
    return this.opts.box.open(c.secret, webhookBinding(c.id, c.orgId, c.target));
  }

  /**
   * Start-up: seals webhook secrets stored in the clear (before secrets were sealed) when a master
   * key is set, then checks every sealed secret opens. Throws when sealed secrets exist and the
   * master key is missing or does not open them.
   */
  async prepareSecrets(): Promise<{ sealed: number; plain: number }> {
    const rows = await this.db
      .selectFrom('alert_channels')
      .select(['id', 'org_id', 'target', 'secret'])
      .where('kind', '=', 'webhook')
      .where('secret', 'is not', null)
      .execute();
    const box = this.opts.box;
    let sealed = 0;
    let plain = 0;
    for (const r of rows) {
      if (isSealed(r.secret)) {
        if (!box) throw new SecretBoxError(`webhook signing secrets are sealed in the database (channel ${r.id}) but TOLLGATE_MASTER_KEY is not set`);
        try {
          box.open(r.secret!, webhookBinding(r.id, r.org_id, r.target));
        } catch (e) {
          throw new SecretBoxError(`TOLLGATE_MASTER_KEY does not open the signing secret of webhook channel ${r.id}: ${(e as Error).message}`);
        }
      } else if (box) {
        await this.db
          .updateTable('alert_channels')
          .set({ secret: box.seal(r.secret!, webhookBinding(r.id, r.org_id, r.target)) })
          .where('id', '=', r.id)
          .execute();
        sealed++;
      } else plain++;
    }
    return { sealed, plain };
  }

  /**
   * Records the alert and queues its deliveries; resolves with the alert id, or null when this
   * alert was already recorded (by this or any other process) — then nothing is delivered.
   * Resolves before any delivery happens: it waits only for one short transaction.
   */
  async notify(ev: AlertEvent): Promise<string | null> {
    if (!SCOPES.has(ev.scope)) throw invalidRequest(`alert scope must be org, workspace, key or credits, got ${ev.scope}`);
    if (!KINDS.has(ev.kind)) throw invalidRequest(`alert kind must be one of ${[...KINDS].join(', ')}, got ${ev.kind}`);
    if (ev.kind !== 'credits_low' && (typeof ev.threshold !== 'number' || !Number.isSafeInteger(ev.threshold) || ev.threshold <= 0)) {
      throw invalidRequest(`alert threshold must be a positive integer percent, got ${ev.threshold}`);
    }
    if (ev.kind === 'credits_low' && typeof ev.threshold === 'number' && !Number.isSafeInteger(ev.threshold))
      throw invalidRequest('credits_low threshold must be an integer pico-USD amount');
    const now = this.opts.clock.now();
    const period = ev.period ?? (ev.kind === 'credits_low' ? '' : monthKey(now));
    const resumesAt = ev.kind !== 'limit_reached' ? null : (ev.resumesAt ?? periodEnd(period) ?? nextMonthStart(now));
    const id = newId('alrt');
    const accepting = this.worker.accepting;
    const lease = accepting ? this.worker.leaseUntil() : BigInt(now);
    const held = await this.db.transaction().execute(async (trx) => {
      // The insert comes first: on SQLite it takes the write lock before any read (no stale-snapshot upgrade).
      const won = await trx
        .insertInto('alerts')
        .values({
          id,
          org_id: ev.orgId,
          scope: ev.scope,
          scope_id: ev.scopeId,
          period,
          kind: ev.kind,
          threshold: BigInt(ev.threshold),
          amount: ev.spentPico,
          limit_amount: ev.limitPico,
          balance: ev.balancePico ?? null,
          data: JSON.stringify(buildData(ev, period, resumesAt)),
          created_at: now,
        })
        .onConflict((oc) => oc.columns(['org_id', 'scope', 'scope_id', 'period', 'kind', 'threshold']).doNothing())
        .returning('id')
        .executeTakeFirst();
      if (!won) return null;
      const channels = await trx
        .selectFrom('alert_channels')
        .select('id')
        .where('org_id', '=', ev.orgId)
        .where('disabled_at', 'is', null)
        .orderBy('created_at')
        .execute();
      const rows = channels.map((c) => ({
        id: newId('dlv'),
        alert_id: id,
        channel_id: c.id,
        attempt: 1,
        status_code: null,
        error: null,
        next_attempt_at: lease,
        delivered_at: null,
        created_at: now,
      }));
      if (rows.length) await trx.insertInto('alert_deliveries').values(rows).execute();
      return rows.map((r) => r.id);
    });
    if (held == null) return null;
    this.opts.log?.info(
      { alert: id, org: ev.orgId, scope: ev.scope, scopeId: ev.scopeId, period, kind: ev.kind, threshold: String(ev.threshold), channels: held.length },
      'alert fired',
    );
    if (accepting) for (const d of held) this.worker.runHeld(d, lease);
    return id;
  }

  /**
   * Fire-and-forget notify for the hot path: returns at once and does no work in the caller's
   * tick (not even the insert); failures are logged, never thrown. idle() waits for it.
   */
  enqueue(ev: AlertEvent): void {
    this.worker.track(new Promise<void>((r) => setImmediate(r)).then(() => this.notify(ev)));
  }

  /** Starts resuming due deliveries (left by this or a previous process); the timer is unref'd. */
  start(): void {
    this.worker.start();
  }

  /** Stops timers, hands back interrupted webhook attempts and waits for work in flight. */
  stop(): Promise<void> {
    return this.worker.stop();
  }

  /** Resolves when this instance has nothing in flight or scheduled (tests, graceful shutdown). */
  idle(): Promise<void> {
    return this.worker.idle();
  }

  /** Adds a webhook recipient; the signing secret is returned here only (it is stored sealed). */
  async addWebhook(orgId: string, url: string): Promise<ChannelView & { secret: string }> {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      throw invalidRequest(`webhook URL is not a URL: ${JSON.stringify(url.slice(0, 200))}`);
    }
    if (u.protocol !== 'https:' && u.protocol !== 'http:') throw invalidRequest('webhook URL must be http:// or https://');
    if (!this.opts.box) throw invalidRequest('webhook signing secrets are stored sealed: set TOLLGATE_MASTER_KEY (32 bytes, hex or base64) to add a webhook');
    const secret = `whsec_${base62(32)}`;
    const id = newId('alch');
    const target = u.toString();
    const row = {
      id,
      org_id: orgId,
      kind: 'webhook',
      target,
      secret: this.opts.box.seal(secret, webhookBinding(id, orgId, target)),
      created_at: this.opts.clock.now(),
      disabled_at: null,
    };
    await this.db.transaction().execute(async (trx) => {
      await trx.insertInto('alert_channels').values(row).execute();
      await this.audit(trx, orgId, 'alert_channel.add', id, undefined, toChannel(row));
    });
    return { ...toChannel(row), secret };
  }

  /** Adds an e-mail recipient. */
  async addEmail(orgId: string, address: string): Promise<ChannelView> {
    const a = address.trim();
    if (!/^[^\s@<>,;"]+@[^\s@<>,;"]+\.[^\s@<>,;"]+$/.test(a)) throw invalidRequest(`not an e-mail address: ${JSON.stringify(address.slice(0, 200))}`);
    const row = { id: newId('alch'), org_id: orgId, kind: 'email', target: a, secret: null, created_at: this.opts.clock.now(), disabled_at: null };
    await this.db.transaction().execute(async (trx) => {
      await trx.insertInto('alert_channels').values(row).execute();
      await this.audit(trx, orgId, 'alert_channel.add', row.id, undefined, toChannel(row));
    });
    return toChannel(row);
  }

  private async audit(db: Kysely<DB>, orgId: string, action: string, id: string, before: ChannelView | undefined, after: ChannelView | undefined) {
    await recordAudit(db, this.opts.actor ?? SYSTEM, this.opts.clock.now(), { orgId, action, targetType: 'alert_channel', targetId: id, before, after });
  }

  /** An org's channels, oldest first, never with their secrets. */
  async listChannels(orgId: string): Promise<ChannelView[]> {
    const rows = await this.db
      .selectFrom('alert_channels')
      .select(['id', 'org_id', 'kind', 'target', 'created_at', 'disabled_at'])
      .where('org_id', '=', orgId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(toChannel);
  }

  /** Disables a channel: no new deliveries, and its pending retries fail as "channel disabled". */
  async disableChannel(id: string): Promise<ChannelView> {
    const cols = ['id', 'org_id', 'kind', 'target', 'created_at', 'disabled_at'] as const;
    return this.db.transaction().execute(async (trx) => {
      const before = await trx.selectFrom('alert_channels').select(cols).where('id', '=', id).executeTakeFirst();
      if (!before) throw notFound(`alert channel ${id} not found`);
      if (before.disabled_at != null) return toChannel(before);
      await trx.updateTable('alert_channels').set({ disabled_at: this.opts.clock.now() }).where('id', '=', id).where('disabled_at', 'is', null).execute();
      const r = await trx.selectFrom('alert_channels').select(cols).where('id', '=', id).executeTakeFirstOrThrow();
      await this.audit(trx, r.org_id, 'alert_channel.disable', id, toChannel(before), toChannel(r));
      return toChannel(r);
    });
  }

  /** An org's most recent alerts, newest first. */
  async alerts(orgId: string, limit = 20): Promise<AlertView[]> {
    const rows = await this.db.selectFrom('alerts').selectAll().where('org_id', '=', orgId).orderBy('created_at', 'desc').orderBy('id').limit(limit).execute();
    return rows.map((r) => ({
      id: r.id,
      orgId: r.org_id,
      scope: r.scope as AlertView['scope'],
      scopeId: r.scope_id,
      period: r.period,
      kind: r.kind as AlertView['kind'],
      threshold: r.threshold,
      amountPico: r.amount,
      limitPico: r.limit_amount,
      balancePico: r.balance,
      createdAt: Number(r.created_at),
    }));
  }

  /** Delivery attempts of an org's alerts, newest first (one row per attempt). */
  async deliveries(orgId: string, limit = 100): Promise<DeliveryView[]> {
    const rows = await this.db
      .selectFrom('alert_deliveries as d')
      .innerJoin('alerts as a', 'a.id', 'd.alert_id')
      .selectAll('d')
      .where('a.org_id', '=', orgId)
      .orderBy('d.created_at', 'desc')
      .orderBy('d.attempt', 'desc')
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      id: r.id,
      alertId: r.alert_id,
      channelId: r.channel_id,
      attempt: Number(r.attempt),
      statusCode: num(r.status_code),
      error: r.error,
      nextAttemptAt: num(r.next_attempt_at),
      deliveredAt: num(r.delivered_at),
      createdAt: Number(r.created_at),
      status: r.delivered_at != null ? 'delivered' : r.next_attempt_at != null ? 'pending' : 'failed',
    }));
  }

  /** Mail written instead of sent (no SMTP configured), newest first; optionally one org's only. */
  async outbox(limit = 50, orgId?: string): Promise<OutboxMail[]> {
    let q = this.db.selectFrom('outbox').selectAll('outbox').orderBy('outbox.created_at', 'desc').orderBy('outbox.id').limit(limit);
    // An org's mail: its alerts, and its billing mail (filed under the billing mail's id).
    if (orgId)
      q = q.where((eb) =>
        eb.or([
          eb('outbox.alert_id', 'in', this.db.selectFrom('alerts').select('id').where('org_id', '=', orgId)),
          eb('outbox.id', 'in', this.db.selectFrom('billing_mail').select('id').where('org_id', '=', orgId)),
        ]),
      );
    const rows = await q.execute();
    return rows.map((r) => ({ id: r.id, to: r.to, subject: r.subject, text: r.text, createdAt: Number(r.created_at), alertId: r.alert_id }));
  }
}

/** The associated data a webhook's signing secret is sealed with. */
export const webhookBinding = (id: string, orgId: string, target: string) => rowBinding('webhook', id, orgId, target);

/** 00:00 UTC on the 1st after a 'YYYY-MM' period, or null for any other period key. */
function periodEnd(period: string): number | null {
  const m = /^(\d{4})-(\d{2})$/.exec(period);
  return m ? Date.UTC(Number(m[1]), Number(m[2]), 1) : null;
}
