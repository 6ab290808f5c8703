/**
 * Named reads of the usage events (`usage_events`, one row per billed request) for the other
 * domains: they ask here rather than query the table. The sinks write the events; the reports
 * (report.ts, logs.ts, export.ts) read them within this domain.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../store/schema.ts';
import { sumExact } from '../store/wide-money.ts';

/** The id of the request an API key already made with this Idempotency-Key, if any. */
export async function eventIdByIdempotencyKey(db: Kysely<DB>, keyId: string, idempotencyKey: string): Promise<string | undefined> {
  const r = await db.selectFrom('usage_events').select('id').where('key_id', '=', keyId).where('idempotency_key', '=', idempotencyKey).executeTakeFirst();
  return r?.id;
}

/** The models an org used since `sinceMs` (distinct, as the clients named them). */
export async function modelsUsedSince(db: Kysely<DB>, orgId: string, sinceMs: number): Promise<string[]> {
  const r = await db.selectFrom('usage_events').select('model').distinct().where('org_id', '=', orgId).where('created_at', '>', BigInt(sinceMs)).execute();
  return r.map((x) => x.model);
}

/** Σ cost of an org's events admitted in [fromMs, toMs) (from the start without `fromMs`). */
export async function costBetween(db: Kysely<DB>, orgId: string, fromMs: number | null, toMs: number): Promise<bigint> {
  let q = db.selectFrom('usage_events').select(sumExact('cost').as('total')).where('org_id', '=', orgId).where('created_at', '<', BigInt(toMs));
  if (fromMs !== null) q = q.where('created_at', '>=', BigInt(fromMs));
  const r = await q.executeTakeFirst();
  return BigInt(r?.total ?? 0n);
}
