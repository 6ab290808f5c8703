/**
 * Keys take effect at once on every instance: 1,000 rounds of create-on-one, use-on-the-other
 * through two gateways sharing a database — zero 401s (an instance looks a key it does not know up
 * in the database on its first use) — and a key made with the CLI works on both at once.
 * (Revocation: key-revocation.test.ts.)
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { create, pool, startPair, use, type Pair } from './two-instances.ts';

const run = promisify(execFile);
const ROUNDS = 1000;
let p: Pair;
before(async () => {
  p = await startPair();
});
after(async () => {
  await p?.close();
});

test(`${ROUNDS} rounds: a key created on one instance works on the other at once (zero 401s)`, async () => {
  const statuses: number[] = [];
  await pool(
    Array.from({ length: ROUNDS }, (_, i) => i),
    8,
    async (i) => {
      const k = await create(p.gws[i % 2]!, p.orgId, `k${i}`);
      statuses.push(await use(p.gws[1 - (i % 2)]!, k.key));
    },
  );
  assert.equal(statuses.length, ROUNDS);
  assert.deepEqual(
    statuses.filter((s) => s !== 200),
    [],
    'every new key authenticated on the other instance on its first request',
  );
});

test('a key created with the CLI works on both instances on its first request', async () => {
  const { stdout } = await run(process.execPath, ['bin/tollgate.mjs', 'key', 'create', '--org', p.orgId, '--name', 'cli', '--json'], {
    env: { ...process.env, ...p.env },
  });
  const k = JSON.parse(stdout);
  assert.equal(await use(p.gws[0], k.key), 200);
  assert.equal(await use(p.gws[1], k.key), 200);
});
