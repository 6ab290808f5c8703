/**
 * Price variants: a price row may be the standard one ('') or a variant that replaces it when the
 * upstream reports the request ran that way — 'fast' (Anthropic fast mode), 'priority' / 'flex'
 * (OpenAI service tiers), 'long-context' (every token of a prompt above `above_input_tokens`).
 * Still effective-dated, still never edited in place.
 */
import type { Kysely } from 'kysely';
import type { Dialect } from '../connect.ts';

export async function up(db: Kysely<any>, _dialect: Dialect): Promise<void> {
  await db.schema
    .alterTable('prices')
    .addColumn('variant', 'text', (c) => c.notNull().defaultTo(''))
    .execute();
  await db.schema.alterTable('prices').addColumn('above_input_tokens', 'bigint').execute();
}
