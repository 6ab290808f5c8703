/**
 * Spend limits in two layers: `monthly` is the operator's ceiling (CLI, admin token), the new
 * `tenant_monthly` is the org's own limit (admin keys), and the cap in force is the lower of the
 * two. `tenant_level` says which tenant credential set it: 'org' (an org-wide admin key) or
 * 'workspace' (a workspace-scoped one, which may lower but never raise an org admin's value).
 * Existing rows keep their value as the operator's ceiling.
 */
import type { Kysely } from 'kysely';
import type { Dialect } from '../connect.ts';

export async function up(db: Kysely<any>, _dialect: Dialect): Promise<void> {
  await db.schema.alterTable('spend_limits').addColumn('tenant_monthly', 'bigint').execute();
  await db.schema.alterTable('spend_limits').addColumn('tenant_level', 'text').execute();
}
