/**
 * The Logs API's error filter: a partial index over the failed requests only (status ≥ 400), so
 * "show me the errors" is a short range scan even when an org has millions of successful requests
 * and no errors — it costs nothing on the write path of successful requests.
 */
import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../connect.ts';

export async function up(db: Kysely<any>, _dialect: Dialect): Promise<void> {
  await sql`create index usage_events_org_errors on usage_events (org_id, created_at, id) where status >= 400`.execute(db);
}
