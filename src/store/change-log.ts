/**
 * The change log: every admin/CLI write appends a row naming the domain it touched and, where it
 * can, the row it changed (`ref`). Running servers poll for rows past the last one they saw and
 * reload just those rows (keys, orgs, limits) — a reload's cost does not grow with the number of
 * keys — or the whole domain when `ref` is null (prices, upstreams: small tables).
 */
import type { Kysely } from 'kysely';
import type { DB } from './schema.ts';

export type ChangeDomain = 'orgs' | 'keys' | 'prices' | 'limits' | 'credits' | 'upstreams';

export interface Change { id: bigint; what: string; ref: string | null }

export async function recordChange(db: Kysely<DB>, what: ChangeDomain, now = Date.now(), ref: string | null = null): Promise<void> {
  await db.insertInto('change_log').values({ at: now, what, ref }).execute();
}

/** At most `limit` changes after `afterId`, oldest first (the caller polls again for the rest). */
export async function changesSince(db: Kysely<DB>, afterId: bigint, limit = 5000): Promise<{ last: bigint; changes: Change[]; more: boolean }> {
  const rows = await db.selectFrom('change_log').select(['id', 'what', 'ref']).where('id', '>', afterId).orderBy('id').limit(limit).execute();
  const changes = rows.map((r) => ({ id: BigInt(r.id), what: r.what, ref: r.ref ?? null }));
  return { last: changes.length ? changes[changes.length - 1]!.id : afterId, changes, more: rows.length === limit };
}

export async function lastChangeId(db: Kysely<DB>): Promise<bigint> {
  const r = await db.selectFrom('change_log').select((eb) => eb.fn.max('id').as('m')).executeTakeFirst();
  return r?.m == null ? 0n : BigInt(r.m as any);
}
