/**
 * The audit log: one row per change to orgs, keys, limits, credits, prices, upstreams, tiers and
 * alert channels — who (actor kind and id), what (action, target), before and after (JSON), when.
 * Append-only: triggers refuse UPDATE and DELETE on both backends.
 */
import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../connect.ts';

export async function up(db: Kysely<any>, dialect: Dialect): Promise<void> {
  let t = db.schema.createTable('audit_log');
  t = dialect === 'postgres' ? t.addColumn('id', 'bigserial', (c) => c.primaryKey()) : t.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
  await t
    .addColumn('at', 'bigint', (c) => c.notNull())
    /** The org the change belongs to; null for gateway-wide changes (prices, upstreams). */
    .addColumn('org_id', 'text')
    /** 'operator' | 'admin_key' | 'cli' | 'system' (later: 'user'). */
    .addColumn('actor_kind', 'text', (c) => c.notNull())
    /** Admin key id, OS user of the CLI, 'admin-token', or the subsystem. */
    .addColumn('actor_id', 'text', (c) => c.notNull())
    /** e.g. 'key.create', 'limit.set', 'credits.grant'. */
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('target_type', 'text', (c) => c.notNull())
    .addColumn('target_id', 'text', (c) => c.notNull())
    .addColumn('before', 'text')
    .addColumn('after', 'text')
    /** The admin API request that made the change, and the client address it came from. */
    .addColumn('request_id', 'text')
    .addColumn('client_ip', 'text')
    .execute();
  await db.schema.createIndex('audit_log_org').on('audit_log').columns(['org_id', 'id']).execute();
  if (dialect === 'postgres') {
    await sql`create or replace function tollgate_audit_append_only() returns trigger language plpgsql as $$
      begin raise exception 'audit_log is append-only'; end $$`.execute(db);
    await sql`create trigger audit_log_append_only before update or delete on audit_log
      for each row execute function tollgate_audit_append_only()`.execute(db);
  } else {
    await sql`create trigger audit_log_no_update before update on audit_log
      begin select raise(abort, 'audit_log is append-only'); end`.execute(db);
    await sql`create trigger audit_log_no_delete before delete on audit_log
      begin select raise(abort, 'audit_log is append-only'); end`.execute(db);
  }
}
