/**
 * The Logs API's index: keyset pagination over one org's usage events, newest first, walks
 * `(org_id, created_at, id)` — each page is one index range scan whatever its depth.
 */
import type { Kysely } from 'kysely';
import type { Dialect } from '../connect.ts';

export async function up(db: Kysely<any>, _dialect: Dialect): Promise<void> {
  await db.schema.createIndex('usage_events_org_time_id').on('usage_events').columns(['org_id', 'created_at', 'id']).execute();
}
