/**
 * `Idempotency-Key` support: a request repeated with the same key (per API key) is answered from the
 * first response instead of reaching the upstream again, and billed once. While the first is in
 * flight a repeat gets 409 `conflict_error` (the SDKs retry 409 with backoff, then get the replay).
 * Replays are kept in memory (24 h, bounded); after a restart, or on another instance, a repeat of a
 * completed request is refused with 409 rather than run twice (the usage event's unique
 * (key, idempotency key) index is the durable record).
 *
 * A key reused with a different request (another endpoint or body) is a 422, as Stripe answers
 * it: the first request's answer would be the wrong answer to the second.
 */
import type { ServerResponse } from 'node:http';
import type { Kysely } from 'kysely';
import { GatewayError } from '../core/errors.ts';
import type { DB } from '../store/schema.ts';

interface Done { status: number; headers: Record<string, string | string[] | number>; body: Buffer; at: number; size: number }
type Entry = ({ state: 'pending' } | ({ state: 'done' } & Done)) & { fingerprint: string };

const TTL_MS = 24 * 3_600_000;
const MAX_ENTRY_BYTES = 4 * 1024 * 1024;
const MAX_TOTAL_BYTES = 64 * 1024 * 1024;

const conflict = (message: string) => new GatewayError('conflict_error', 409, message, { code: 'idempotency_conflict' });
const mismatch = () => new GatewayError('invalid_request_error', 422, 'This Idempotency-Key was already used with a different request (endpoint or body); use a new key for a new request.', { code: 'idempotency_key_reused', shouldRetry: false });

export class IdempotencyCache {
  private entries = new Map<string, Entry>();
  private bytes = 0;

  constructor(private db: Kysely<DB>, private now: () => number) {}

  /**
   * Claims the key. Returns a `finish` function to call once the response is complete, or null
   * when the response was replayed from the cache.
   */
  async claim(keyId: string, idemKey: string, res: ServerResponse, fingerprint = ''): Promise<{ finish(ok: boolean): void } | null> {
    if (idemKey.length > 255) throw new GatewayError('invalid_request_error', 400, 'Idempotency-Key must be at most 255 characters');
    const k = `${keyId}\0${idemKey}`;
    const e = this.entries.get(k);
    const live = e && (e.state === 'pending' || this.now() - e.at < TTL_MS);
    if (live && e.fingerprint !== fingerprint) throw mismatch();
    if (e?.state === 'pending') throw conflict('A request with this Idempotency-Key is still in progress; retry shortly.');
    if (e?.state === 'done' && live) {
      res.writeHead(e.status, { ...e.headers, 'idempotent-replayed': 'true' }).end(e.body);
      return null;
    }
    this.entries.set(k, { state: 'pending', fingerprint });
    const seen = await this.db.selectFrom('usage_events').select('id').where('key_id', '=', keyId).where('idempotency_key', '=', idemKey).executeTakeFirst()
      .catch((err) => { this.entries.delete(k); throw err; });
    if (seen) {
      this.entries.delete(k);
      throw conflict(`This Idempotency-Key was already used by request ${seen.id}; its response is no longer available for replay.`);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const write = res.write.bind(res);
    const end = res.end.bind(res);
    const writeHead = res.writeHead.bind(res);
    let headers: Done['headers'] = {};
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
    (res as any).write = (c: any, ...rest: any[]) => { tee(c); return write(c, ...rest); };
    (res as any).end = (c?: any, ...rest: any[]) => { tee(c); return end(c, ...rest); };
    return {
      finish: (ok: boolean) => {
        if (!ok || res.statusCode >= 500 || size > MAX_ENTRY_BYTES) { this.entries.delete(k); return; }
        this.evict(size);
        this.entries.set(k, { state: 'done', fingerprint, status: res.statusCode, headers: { ...(res.getHeaders() as Done['headers']), ...headers }, body: Buffer.concat(chunks, size), at: this.now(), size });
        this.bytes += size;
      },
    };
  }

  private evict(incoming: number) {
    const t = this.now();
    for (const [k, e] of this.entries) {
      if (e.state !== 'done') continue;
      if (this.bytes + incoming <= MAX_TOTAL_BYTES && t - e.at < TTL_MS) break;
      this.entries.delete(k);
      this.bytes -= e.size;
    }
  }
}

/** Runs `fn` under the request's Idempotency-Key (if it sent one). */
export async function withIdempotency(cache: IdempotencyCache, keyId: string, header: string | string[] | undefined, res: ServerResponse, fn: () => Promise<void>, fingerprint: () => string = () => ''): Promise<void> {
  if (typeof header !== 'string' || !header) return fn();
  const claim = await cache.claim(keyId, header, res, fingerprint());
  if (!claim) return;
  try {
    await fn();
    claim.finish(true);
  } catch (e) {
    claim.finish(false);
    throw e;
  }
}
