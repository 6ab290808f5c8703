/** A gateway with two orgs and three days of deterministic usage in org A (two workspaces, three models, one discounted). */
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { insertEvents } from '../support/usage-events.ts';

export const DAY0 = Date.UTC(2026, 9, 5); // 2026-10-05T00:00:00Z
export const DAYS = 3;
export const EVENTS = 240;

export async function orgApiFixture() {
  const tg: TestGateway = await startTestGateway();
  const A = await tg.customer({ name: 'Org A' });
  const B = await tg.customer({ name: 'Org B' });
  const ws2 = (await tg.accounts.createWorkspace(A.orgId, 'Team 2')).id;
  const wsAdmin = (await tg.accounts.createKey({ orgId: A.orgId, workspaceId: ws2, kind: 'admin', adminScope: 'workspace', name: 'team 2 admin' })).key;
  const haiku = tg.gw.rt.models().resolve('claude-haiku-4-5')!.id;
  // Events every 18 minutes over three days (starting 00:07), a few more in B (which A must never see).
  await insertEvents(tg, A.orgId, EVENTS, (i) => DAY0 + 7 * 60_000 + i * 18 * 60_000, {
    workspaces: [A.workspaceId, ws2],
    keyId: A.keyId,
    seed: 7,
    discounted: haiku,
  });
  await insertEvents(tg, B.orgId, 20, (i) => DAY0 + i * 3_600_000, { workspaces: [B.workspaceId], keyId: B.keyId, seed: 9, discounted: '' });
  await tg.gw.refresh();
  const get = async (path: string, key = A.adminKey) => {
    const r = await fetch(`${tg.url}${path}`, { headers: { 'x-api-key': key, 'anthropic-version': '2023-06-01' } });
    return { status: r.status, headers: r.headers, json: (await r.json()) as any };
  };
  return { tg, A, B, ws2, wsAdmin, get };
}

/** Sum of exact decimal strings (cents), as a decimal string with 10 fractional digits. */
export function sumDecimals(xs: string[]): bigint {
  return xs.reduce((s, x) => {
    const [w, f = ''] = x.split('.');
    return s + BigInt(w!) * 10n ** 10n + BigInt((f + '0'.repeat(10)).slice(0, 10));
  }, 0n);
}
/** A `tollgate usage` cost_usd string as 10⁻¹⁰ cents. */
export const usdToCentUnits = (usd: string) => sumDecimals([usd]) * 100n;
