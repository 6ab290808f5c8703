/**
 * Gapless invoice numbers per issuer: the next number is taken inside the transaction that
 * inserts the document, by incrementing the issuer's counter row (a row lock on PostgreSQL,
 * the write lock on SQLite), so concurrent closes get consecutive numbers and a rolled-back
 * transaction gives its number back. Invoices are `<CODE>-000001`, credit notes `<CODE>-CN-000001`.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../../store/schema.ts';

export type Series = 'invoice' | 'credit_note';

export async function nextNumber(trx: Kysely<DB>, issuer: string, series: Series): Promise<string> {
  await trx
    .insertInto('invoice_sequences')
    .values({ issuer, series, last_number: 0n })
    .onConflict((oc) => oc.columns(['issuer', 'series']).doNothing())
    .execute();
  await trx
    .updateTable('invoice_sequences')
    .set((eb) => ({ last_number: eb('last_number', '+', 1n) }))
    .where('issuer', '=', issuer)
    .where('series', '=', series)
    .execute();
  const r = await trx.selectFrom('invoice_sequences').select('last_number').where('issuer', '=', issuer).where('series', '=', series).executeTakeFirstOrThrow();
  return `${issuer}${series === 'credit_note' ? '-CN' : ''}-${String(r.last_number).padStart(6, '0')}`;
}
