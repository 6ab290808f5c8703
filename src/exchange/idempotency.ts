/**
 * `Idempotency-Key` support: a request repeated with the same key (per API key) is answered from the
 * first response instead of reaching the upstream again, and billed once. While the first is in
 * flight a repeat gets 409 `conflict_error` (the SDKs retry 409 with backoff, then get the replay).
 * Replays are kept in memory (24 h, bounded); after a restart, or on another instance, a repeat of a
 * completed request is refused with 409 rather than run twice.
 *
 * A key reused with a different request (another endpoint or body) is a 422, as Stripe answers
 * it (https://docs.stripe.com/api/idempotent_requests): the first request's answer would be the
 * wrong answer to the second.
 *
 * The claim itself is shared through the database (table `idempotency_keys`, one row per API key
 * and Idempotency-Key with the request's fingerprint): the 409 and the 422 hold on every instance
 * and across restarts. A claim left 'pending' by a crashed instance is taken over after
 * `pendingTtlMs`; the usage event's unique (key, idempotency key) index still keeps a completed
 * request from running twice. Rows older than 24 h are pruned (`store/housekeeping.ts`).
 */
import type { ServerResponse } from 'node:http';
import type { Kysely } from 'kysely';
import { fail, invalidRequest } from '../core/errors.ts';
import type { DB } from '../store/schema.ts';
import { eventIdByIdempotencyKey } from '../usage/events.ts';
import type { Clock } from '../core/clock.ts';

interface Done {
  status: number;
  headers: Record<string, string | string[] | number>;
  body: Buffer;
  at: number;
  size: number;
}
type Entry = ({ state: 'pending' } | ({ state: 'done' } & Done)) & { fingerprint: string };

export const IDEMPOTENCY_TTL_MS = 24 * 3_600_000;
const TTL_MS = IDEMPOTENCY_TTL_MS;
const MAX_ENTRY_BYTES = 4 * 1024 * 1024;
const MAX_TOTAL_BYTES = 64 * 1024 * 1024;

const conflict = (message: string) => fail.idempotency_conflict(message);
const mismatch = () =>
  fail.idempotency_key_reused('This Idempotency-Key was already used with a different request (endpoint or body); use a new key for a new request.');

export class IdempotencyCache {
  private entries = new Map<string, Entry>();
  private bytes = 0;

  constructor(
    private db: Kysely<DB>,
    private clock: Clock,
    private pendingTtlMs = 15 * 60_000,
  ) {}

  /**
   * Takes the key in the shared table, or says why not: 422 for another request's key, 409 while
   * the first runs (on any instance) or once it is done (its response lives on the instance that
   * served it, or nowhere after a restart).
   */
  private async claimShared(keyId: string, idemKey: string, fingerprint: string, requestId: string): Promise<void> {
    const t = this.clock.now();
    const row = { key_id: keyId, idem_key: idemKey, fingerprint, state: 'pending', request_id: requestId, created_at: t, updated_at: t };
    const ins = await this.db
      .insertInto('idempotency_keys')
      .values(row)
      .onConflict((oc) => oc.columns(['key_id', 'idem_key']).doNothing())
      .executeTakeFirst();
    if (Number(ins.numInsertedOrUpdatedRows ?? 0n) === 1) return;
    const cur = await this.db.selectFrom('idempotency_keys').selectAll().where('key_id', '=', keyId).where('idem_key', '=', idemKey).executeTakeFirst();
    if (!cur) return this.claimShared(keyId, idemKey, fingerprint, requestId); // pruned in between
    const age = t - Number(cur.updated_at);
    const expired = cur.state === 'pending' ? age >= this.pendingTtlMs : age >= TTL_MS;
    if (!expired) {
      if (cur.fingerprint !== fingerprint) throw mismatch();
      if (cur.state === 'pending') throw conflict('A request with this Idempotency-Key is still in progress; retry shortly.');
      throw conflict(`This Idempotency-Key was already used by request ${cur.request_id}; its response is no longer available for replay.`);
    }
    // A crashed holder's claim or a day-old key: take it over, unless another request just did.
    const took = await this.db
      .updateTable('idempotency_keys')
      .set({ fingerprint, state: 'pending', request_id: requestId, created_at: t, updated_at: t })
      .where('key_id', '=', keyId)
      .where('idem_key', '=', idemKey)
      .where('updated_at', '=', cur.updated_at)
      .where('request_id', '=', cur.request_id)
      .executeTakeFirst();
    if (Number(took.numUpdatedRows) !== 1) throw conflict('A request with this Idempotency-Key is still in progress; retry shortly.');
  }

  private async releaseShared(keyId: string, idemKey: string, requestId: string, done: boolean): Promise<void> {
    const q = this.db.updateTable('idempotency_keys').set({ state: 'done', updated_at: this.clock.now() });
    // biome-ignore lint/suspicious/noExplicitAny: wraps ServerResponse methods (overloaded signatures), passing the arguments through unchanged
    const where = <T extends { where: any }>(b: T): T => b.where('key_id', '=', keyId).where('idem_key', '=', idemKey).where('request_id', '=', requestId);
    // A failed request frees its key for a retry (as the in-memory claim always did).
    if (done) await where(q).execute();
    else await where(this.db.deleteFrom('idempotency_keys')).execute();
  }

  /**
   * Claims the key. Returns a `finish` function to call once the response is complete, or null
   * when the response was replayed from the cache.
   */
  async claim(keyId: string, idemKey: string, res: ServerResponse, fingerprint = '', requestId = ''): Promise<{ finish(ok: boolean): Promise<void> } | null> {
    if (idemKey.length > 255) throw invalidRequest('Idempotency-Key must be at most 255 characters');
    const k = `${keyId}\0${idemKey}`;
    const e = this.entries.get(k);
    const live = e && (e.state === 'pending' || this.clock.now() - e.at < TTL_MS);
    if (live && e.fingerprint !== fingerprint) throw mismatch();
    if (e?.state === 'pending') throw conflict('A request with this Idempotency-Key is still in progress; retry shortly.');
    if (e?.state === 'done' && live) {
      res.writeHead(e.status, { ...e.headers, 'idempotent-replayed': 'true' }).end(e.body);
      return null;
    }
    this.entries.set(k, { state: 'pending', fingerprint });
    const rid = requestId || `${this.clock.now()}-${Math.random()}`;
    try {
      await this.claimShared(keyId, idemKey, fingerprint, rid);
    } catch (err) {
      this.entries.delete(k);
      throw err;
    }
    const seen = await eventIdByIdempotencyKey(this.db, keyId, idemKey).catch(async (err) => {
      this.entries.delete(k);
      await this.releaseShared(keyId, idemKey, rid, false).catch(() => {});
      throw err;
    });
    if (seen) {
      this.entries.delete(k);
      await this.releaseShared(keyId, idemKey, rid, true);
      throw conflict(`This Idempotency-Key was already used by request ${seen}; its response is no longer available for replay.`);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const write = res.write.bind(res);
    const end = res.end.bind(res);
    const writeHead = res.writeHead.bind(res);
    let headers: Done['headers'] = {};
    // biome-ignore lint/suspicious/noExplicitAny: wraps ServerResponse methods (overloaded signatures), passing the arguments through unchanged
    (res as any).writeHead = (status: number, ...rest: any[]) => {
      const h = rest.find((x) => x && typeof x === 'object');
      if (h) headers = { ...h };
      return writeHead(status, ...rest);
    };
    const tee = (c: unknown) => {
      if (c == null || typeof c === 'function' || size > MAX_ENTRY_BYTES) return;
      const b = Buffer.isBuffer(c) ? c : Buffer.from(c as string);
      size += b.length;
      chunks.push(b);
    };
    // biome-ignore lint/suspicious/noExplicitAny: wraps ServerResponse methods (overloaded signatures), passing the arguments through unchanged
    (res as any).write = (c: any, ...rest: any[]) => {
      tee(c);
      return write(c, ...rest);
    };
    // biome-ignore lint/suspicious/noExplicitAny: wraps ServerResponse methods (overloaded signatures), passing the arguments through unchanged
    (res as any).end = (c?: any, ...rest: any[]) => {
      tee(c);
      return end(c, ...rest);
    };
    return {
      finish: async (ok: boolean) => {
        const failed = !ok || res.statusCode >= 500;
        // The local replay first (synchronously: a repeat right after the response finds it).
        if (failed || size > MAX_ENTRY_BYTES) this.entries.delete(k);
        else {
          this.evict(size);
          this.entries.set(k, {
            state: 'done',
            fingerprint,
            status: res.statusCode,
            headers: { ...(res.getHeaders() as Done['headers']), ...headers },
            body: Buffer.concat(chunks, size),
            at: this.clock.now(),
            size,
          });
          this.bytes += size;
        }
        await this.releaseShared(keyId, idemKey, rid, !failed).catch(() => {
          /* the claim expires after pendingTtlMs */
        });
      },
    };
  }

  private evict(incoming: number) {
    const t = this.clock.now();
    for (const [k, e] of this.entries) {
      if (e.state !== 'done') continue;
      if (this.bytes + incoming <= MAX_TOTAL_BYTES && t - e.at < TTL_MS) break;
      this.entries.delete(k);
      this.bytes -= e.size;
    }
  }
}

/** Runs `fn` under the request's Idempotency-Key (if it sent one). */
export async function withIdempotency(
  cache: IdempotencyCache,
  keyId: string,
  header: string | string[] | undefined,
  res: ServerResponse,
  fn: () => Promise<void>,
  fingerprint: () => string = () => '',
  requestId = '',
): Promise<void> {
  if (typeof header !== 'string' || !header) return fn();
  const claim = await cache.claim(keyId, header, res, fingerprint(), requestId);
  if (!claim) return;
  try {
    await fn();
  } catch (e) {
    await claim.finish(false);
    throw e;
  }
  await claim.finish(true);
}
