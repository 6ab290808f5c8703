/**
 * Keys take effect at once on every instance: two gateways share one database (no Redis: keys do
 * not need it) with the default refresh interval. 1,000 rounds of create-on-one, use-on-the-other
 * (zero 401s: a key unknown to an instance is looked up in the database on its first use), and
 * 1,000 rounds of revoke-on-one, then one second later use-on-the-other (zero successes). Keys are
 * created and revoked through the admin API of either instance, alternately; a few with the CLI.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config/config.ts';
import { createLogger } from '../../src/core/logger.ts';
import { startGateway, type Gateway } from '../../src/gateway.ts';
import { AccountsService } from '../../src/accounts/service.ts';
import { freshDatabase } from '../support/gateway.ts';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ADMIN = 'propagation-admin-token-0123456789';
const ROUNDS = 1000;
let gws: Gateway[] = [];
let db: Awaited<ReturnType<typeof freshDatabase>>;
let env: Record<string, string>;
let orgId: string;

before(async () => {
  db = await freshDatabase();
  // TOLLGATE_REFRESH_MS is left at its default: the guarantee is the product's, not the test's.
  env = { DATABASE_URL: db.url, PORT: '0', LOG_LEVEL: 'silent', TOLLGATE_ADMIN_TOKEN: ADMIN, TOLLGATE_FREE_CREDITS_USD: '0',
    // Every request comes from 127.0.0.1: a thousand refusals would otherwise trip the per-address throttle (tested in abuse.test.ts).
    TOLLGATE_AUTH_FAILURE_BURST: '0' };
  gws = [await startGateway(loadConfig(env), { logger: createLogger('silent') }), await startGateway(loadConfig(env), { logger: createLogger('silent') })];
  orgId = (await new AccountsService(gws[0]!.store.db, Date.now).createOrg({ name: 'Provisioning' })).org.id;
});
after(async () => { for (const g of gws) await g.close(); await db?.drop(); });

const op = { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' };
async function create(g: Gateway, i: number): Promise<{ id: string; key: string }> {
  const r = await fetch(`${g.url}/admin/v1/orgs/${orgId}/keys`, { method: 'POST', headers: op, body: JSON.stringify({ name: `k${i}` }) });
  assert.equal(r.status, 201);
  const j: any = await r.json();
  return { id: j.id, key: j.key };
}
/** One authenticated call to the model API surface (no upstream needed): 200, or the refusal status. */
async function use(g: Gateway, key: string): Promise<number> {
  const r = await fetch(`${g.url}/v1/models`, { headers: { 'x-api-key': key } });
  await r.arrayBuffer();
  return r.status;
}
async function pool<T>(items: T[], width: number, fn: (x: T, i: number) => Promise<void>) {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => { while (next < items.length) { const i = next++; await fn(items[i]!, i); } }));
}

const keys: Array<{ id: string; key: string; on: number }> = [];

test(`${ROUNDS} rounds: a key created on one instance works on the other at once (zero 401s)`, async () => {
  const statuses: number[] = [];
  await pool(Array.from({ length: ROUNDS }, (_, i) => i), 8, async (i) => {
    const on = i % 2;
    const k = await create(gws[on]!, i);
    statuses.push(await use(gws[1 - on]!, k.key));
    keys.push({ ...k, on });
  });
  assert.equal(statuses.length, ROUNDS);
  assert.deepEqual(statuses.filter((s) => s !== 200), [], 'every new key authenticated on the other instance on its first request');
});

test(`${ROUNDS} rounds: a key revoked on one instance is refused on the other one second later (zero successes)`, async () => {
  assert.equal(keys.length, ROUNDS);
  const after1s: number[] = [];
  await pool(keys, 50, async (k) => {
    const r = await fetch(`${gws[k.on]!.url}/admin/v1/keys/${k.id}/revoke`, { method: 'POST', headers: op });
    assert.equal(r.status, 200);
    await r.arrayBuffer();
    await new Promise((res) => setTimeout(res, 1000));
    after1s.push(await use(gws[1 - k.on]!, k.key));
  });
  assert.equal(after1s.length, ROUNDS);
  assert.deepEqual(after1s.filter((s) => s !== 401), [], 'no revoked key was accepted one second after its revocation');
});

test('the CLI: a key it creates works on its next request; one it revokes is refused within a second', async () => {
  const cli = async (...args: string[]) => JSON.parse((await run(process.execPath, ['bin/tollgate.mjs', ...args, '--json'], { env: { ...process.env, ...env } })).stdout);
  const k = await cli('key', 'create', '--org', orgId, '--name', 'cli');
  assert.equal(await use(gws[0]!, k.key), 200);
  assert.equal(await use(gws[1]!, k.key), 200);
  await cli('key', 'revoke', k.id);
  await new Promise((res) => setTimeout(res, 1000));
  assert.equal(await use(gws[0]!, k.key), 401);
  assert.equal(await use(gws[1]!, k.key), 401);
});
