/**
 * Usage the upstream reported that could not be believed (out of bounds, negative, fractional,
 * missing) is billed at a conservative bound and flagged: `anomaly` lists the reasons
 * (comma-separated, e.g. `output_out_of_bounds,invalid:total_tokens`); null for a sound event.
 */
import type { Kysely } from 'kysely';
import type { Dialect } from '../connect.ts';

export async function up(db: Kysely<any>, _dialect: Dialect): Promise<void> {
  await db.schema.alterTable('usage_events').addColumn('anomaly', 'text').execute();
}
