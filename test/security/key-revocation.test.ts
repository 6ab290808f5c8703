/**
 * A revoked key is refused everywhere within a second: 1,000 keys, each known to (cached by) both
 * gateways sharing a database, revoked through the admin API of one, then used on the other exactly
 * one second later — zero successes. Both instances run the default refresh interval.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { AccountsService } from '../../src/accounts/service.ts';
import { op, pool, startPair, use, type Pair } from './two-instances.ts';
import { systemClock } from '../../src/core/clock.ts';

const ROUNDS = 1000;
let p: Pair;
before(async () => {
  p = await startPair();
});
after(async () => {
  await p?.close();
});

test(`${ROUNDS} rounds: a key revoked on one instance is refused on the other one second later (zero successes)`, async () => {
  const accounts = new AccountsService(p.gws[0].store.db, systemClock);
  const keys: Array<{ id: string; key: string; on: number }> = [];
  await pool(
    Array.from({ length: ROUNDS }, (_, i) => i),
    8,
    async (i) => {
      keys.push({ ...(await accounts.createKey({ orgId: p.orgId, name: `r${i}` })), on: i % 2 });
    },
  );
  // Both instances know every key (cached), so the refusal has to come from the propagated revocation.
  await pool(keys, 32, async (k) => {
    assert.equal(await use(p.gws[0], k.key), 200);
    assert.equal(await use(p.gws[1], k.key), 200);
  });
  const after1s: number[] = [];
  await pool(keys, 100, async (k) => {
    const r = await fetch(`${p.gws[k.on]!.url}/admin/v1/keys/${k.id}/revoke`, { method: 'POST', headers: op });
    assert.equal(r.status, 200);
    await r.arrayBuffer();
    await new Promise((res) => setTimeout(res, 1000));
    after1s.push(await use(p.gws[1 - k.on]!, k.key));
  });
  assert.equal(after1s.length, ROUNDS);
  assert.deepEqual(
    after1s.filter((s) => s !== 401),
    [],
    'no revoked key was accepted one second after its revocation',
  );
});
