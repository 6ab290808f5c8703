/** Operator-configured upstreams (provider credentials encrypted at rest). */
import type { Kysely } from 'kysely';
import type { Dialect } from '../connect.ts';

export async function up(db: Kysely<any>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('upstreams')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('base_url', 'text', (c) => c.notNull())
    /** AES-256-GCM sealed API key (core/secret-box.ts); null for keyless local servers. */
    .addColumn('api_key_sealed', 'text')
    /** JSON: '*' or an array of model ids. */
    .addColumn('models', 'text', (c) => c.notNull())
    /** JSON: customer model id → upstream model id. */
    .addColumn('model_map', 'text')
    .addColumn('priority', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
}
