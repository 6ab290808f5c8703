/**
 * The change log: every admin/CLI write appends a row naming the domain it touched; running
 * servers poll the highest id and reload that domain's in-memory state (keys, prices, limits…)
 * within one refresh interval.
 */
import type { Kysely } from 'kysely';
import type { DB } from './schema.ts';

export type ChangeDomain = 'orgs' | 'keys' | 'prices' | 'limits' | 'credits' | 'upstreams' | 'billing';

export async function recordChange(db: Kysely<DB>, what: ChangeDomain, now = Date.now()): Promise<void> {
  await db.insertInto('change_log').values({ at: now, what }).execute();
}

export async function changesSince(db: Kysely<DB>, afterId: bigint): Promise<{ last: bigint; domains: Set<string> }> {
  const rows = await db.selectFrom('change_log').select(['id', 'what']).where('id', '>', afterId).orderBy('id').execute();
  const domains = new Set(rows.map((r) => r.what));
  return { last: rows.length ? rows[rows.length - 1]!.id : afterId, domains };
}

export async function lastChangeId(db: Kysely<DB>): Promise<bigint> {
  const r = await db.selectFrom('change_log').select((eb) => eb.fn.max('id').as('m')).executeTakeFirst();
  return r?.m == null ? 0n : BigInt(r.m as any);
}
