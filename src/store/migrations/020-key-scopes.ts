/**
 * Key scopes and incremental reloads: API keys get a kind (inference | admin), an admin key's
 * reach (the whole org or one workspace) and the key that created it; change-log rows name the
 * row they changed (`ref`), so running gateways reload that row instead of every row.
 */
import type { Kysely } from 'kysely';
import type { Dialect } from '../connect.ts';

export async function up(db: Kysely<any>, _dialect: Dialect): Promise<void> {
  await db.schema
    .alterTable('api_keys')
    .addColumn('kind', 'text', (c) => c.notNull().defaultTo('inference'))
    .execute();
  /** Admin keys only: 'org' (the whole org) or 'workspace' (the key's workspace_id); null for inference keys. */
  await db.schema.alterTable('api_keys').addColumn('admin_scope', 'text').execute();
  /** The admin key that created this key (null: the operator or the CLI). */
  await db.schema.alterTable('api_keys').addColumn('created_by', 'text').execute();
  await db.schema.createIndex('api_keys_created_by').on('api_keys').column('created_by').execute();
  /** The id of the changed row ('org_…', 'apikey_…', 'key:apikey_…' for a limit…), or null for "reload everything". */
  await db.schema.alterTable('change_log').addColumn('ref', 'text').execute();
}
