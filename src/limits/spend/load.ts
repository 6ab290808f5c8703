/**
 * `reserveWithLoad`: the hot-path way to reserve when accounts may not be loaded yet.
 * It tries the reservation first (one step when everything is warm) and, only when a capped
 * account is refused as `not_loaded`, loads that account once (`ensureLoaded`) and retries.
 */
import type { ReserveRequest, ReserveResult, SpendHolds } from './types.ts';

export async function reserveWithLoad(holds: SpendHolds, req: ReserveRequest, loadUsed: (key: string) => Promise<bigint>): Promise<ReserveResult> {
  let r = await holds.reserve(req);
  // Each retry loads one more account, so at most one retry per account.
  for (let i = 0; i < req.accounts.length && !r.ok && r.reason === 'not_loaded'; i++) {
    const key = r.refusedKey;
    await holds.ensureLoaded(key, () => loadUsed(key));
    r = await holds.reserve(req);
  }
  return r;
}
