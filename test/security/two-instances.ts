/**
 * Two gateway instances on one database (no Redis: keys do not need it), with the default refresh
 * interval — the guarantee is the product's, not the test's — and helpers to create, revoke and use
 * keys through them. Shared by the key-propagation tests.
 */
import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config/config.ts';
import { createLogger } from '../../src/core/logger.ts';
import { startGateway, type Gateway } from '../../src/gateway.ts';
import { AccountsService } from '../../src/accounts/service.ts';
import { freshDatabase } from '../support/gateway.ts';
import { systemClock } from '../../src/core/clock.ts';

export const ADMIN = 'propagation-admin-token-0123456789';
export const op = { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' };

export interface Pair {
  gws: [Gateway, Gateway];
  env: Record<string, string>;
  orgId: string;
  close(): Promise<void>;
}

export async function startPair(): Promise<Pair> {
  const db = await freshDatabase();
  const env = {
    DATABASE_URL: db.url,
    PORT: '0',
    LOG_LEVEL: 'silent',
    TOLLGATE_ADMIN_TOKEN: ADMIN,
    TOLLGATE_FREE_CREDITS_USD: '0',
    // Every request comes from 127.0.0.1: a thousand refusals would otherwise trip the per-address throttle (tested in abuse-http.test.ts).
    TOLLGATE_AUTH_FAILURE_BURST: '0',
  };
  const gws: [Gateway, Gateway] = [
    await startGateway(loadConfig(env), { logger: createLogger('silent') }),
    await startGateway(loadConfig(env), { logger: createLogger('silent') }),
  ];
  const orgId = (await new AccountsService(gws[0].store.db, systemClock).createOrg({ name: 'Provisioning' })).org.id;
  return {
    gws,
    env,
    orgId,
    async close() {
      for (const g of gws) await g.close();
      await db.drop();
    },
  };
}

/** Creates a key through an instance's admin API. */
export async function create(g: Gateway, orgId: string, name: string): Promise<{ id: string; key: string }> {
  const r = await fetch(`${g.url}/admin/v1/orgs/${orgId}/keys`, { method: 'POST', headers: op, body: JSON.stringify({ name }) });
  assert.equal(r.status, 201);
  const j: any = await r.json();
  return { id: j.id, key: j.key };
}

/** One authenticated call to the model API surface (no upstream needed): 200, or the refusal's status. */
export async function use(g: Gateway, key: string): Promise<number> {
  const r = await fetch(`${g.url}/v1/models`, { headers: { 'x-api-key': key } });
  await r.arrayBuffer();
  return r.status;
}

/** Runs `fn` over `items`, `width` at a time. */
export async function pool<T>(items: T[], width: number, fn: (x: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i]!, i);
      }
    }),
  );
}
