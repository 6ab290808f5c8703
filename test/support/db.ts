/** Direct reads of a gateway's database, as an operator's SQL client would see it. */
import { openStore } from '../../src/store/connect.ts';

export async function usageEvents(databaseUrl: string, where: { orgId?: string } = {}) {
  const s = await openStore(databaseUrl);
  try {
    let q = s.db.selectFrom('usage_events').selectAll().orderBy('created_at');
    if (where.orgId) q = q.where('org_id', '=', where.orgId);
    return await q.execute();
  } finally {
    await s.close();
  }
}
