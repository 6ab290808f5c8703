/**
 * Key-cache benchmark (phase `keys`): for each key count, a fresh SQLite database filled with that
 * many API keys (spread over orgs), then, in this process:
 *  - start-up load: time of `KeyCache.warm()` (paged, in the background of a serving gateway) and
 *    the heap it adds, per key (after a forced GC);
 *  - the hot path: one authentication (SHA-256 + one Map lookup) of a random known key, ns;
 *  - the miss path: first use of a key created after the load (one indexed database lookup), µs;
 *  - an incremental reload: revoke one key (with its change-log row) and apply that change to the
 *    cache, µs — the figure that must not grow with the number of keys.
 * Prints one `KEYSJSON {…}` line per key count. Run with --expose-gc.
 */
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createHash } from 'node:crypto';
import { AccountsService } from '../../src/accounts/service.ts';
import { KeyCache } from '../../src/accounts/key-cache.ts';
import { ChangeFeed, lastChangeId } from '../../src/store/change-log.ts';
import { openStore } from '../../src/store/connect.ts';
import { migrate } from '../../src/store/migrate.ts';
import { systemClock } from '../../src/core/clock.ts';

const opts = JSON.parse(process.argv[2] ?? '{}') as { dir: string; counts: number[]; keysPerOrg?: number; samples?: number };
// biome-ignore lint/suspicious/noExplicitAny: bench driver: JSON read back from child processes and tools, shapes not worth a type
const gc = (globalThis as any).gc as (() => void) | undefined;
if (!gc) throw new Error('run with --expose-gc');
const secretOf = (i: number) => `sk-tg-${i.toString(36).padStart(48, '0')}`;
const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
};
const heap = () => {
  gc!();
  gc!();
  return process.memoryUsage().heapUsed;
};

async function run(n: number) {
  const file = path.join(opts.dir, `keys-${n}.db`);
  fs.rmSync(file, { force: true });
  const store = await openStore(file);
  await migrate(store);
  const db = store.sqlite!;
  const perOrg = opts.keysPerOrg ?? 100;
  const t0 = performance.now();
  const insOrg = db.prepare("insert into orgs (id, name, created_at, billing_mode) values (?, ?, 0, 'prepaid')");
  const insWs = db.prepare('insert into workspaces (id, org_id, name, created_at) values (?, ?, ?, 0)');
  const insKey = db.prepare(
    "insert into api_keys (id, org_id, workspace_id, name, hash, hint, created_at, kind) values (?, ?, ?, 'k', ?, 'sk-tg-…', 0, 'inference')",
  );
  db.transaction(() => {
    for (let i = 0; i < n; i++) {
      const o = Math.floor(i / perOrg);
      if (i % perOrg === 0) {
        insOrg.run(`org_${o}`, `Org ${o}`);
        insWs.run(`wrkspc_${o}`, `org_${o}`, 'Default');
      }
      insKey.run(`apikey_${i}`, `org_${o}`, `wrkspc_${o}`, sha(secretOf(i)));
    }
  })();
  const fillS = (performance.now() - t0) / 1000;

  const accounts = new AccountsService(store.db, systemClock);
  const before = heap();
  const cache = new KeyCache(accounts);
  const l0 = performance.now();
  await cache.warm();
  const loadMs = performance.now() - l0;
  const after = heap();

  // Hot path: authenticate random known keys.
  const samples = opts.samples ?? 200_000;
  const secrets = Array.from({ length: 1000 }, (_, i) => secretOf(Math.floor((i * 7919) % n)));
  const now = Date.now();
  for (let i = 0; i < 20_000; i++) cache.authenticate(secrets[i % 1000], now);
  const h0 = process.hrtime.bigint();
  for (let i = 0; i < samples; i++) cache.authenticate(secrets[i % 1000], now);
  const hotNs = Number(process.hrtime.bigint() - h0) / samples;

  // Miss path: keys created after the load, first use.
  const miss: number[] = [];
  for (let i = 0; i < 300; i++) {
    const j = n + i;
    insKey.run(`apikey_${j}`, 'org_0', 'wrkspc_0', sha(secretOf(j)));
    const m0 = performance.now();
    await cache.authenticate(secretOf(j), now);
    miss.push((performance.now() - m0) * 1000);
  }

  // Incremental reload: revoke one key, apply its change.
  const feed = new ChangeFeed(store.db, await lastChangeId(store.db), systemClock);
  const apply: number[] = [];
  for (let i = 0; i < 300; i++) {
    await accounts.revokeKey(`apikey_${(i * 104_729) % n}`);
    const a0 = performance.now();
    const batch = await feed.poll();
    await cache.applyChanges(batch.changes);
    apply.push((performance.now() - a0) * 1000);
  }
  let refused = 0;
  const later = Date.now() + 1;
  for (let i = 0; i < 300; i++) {
    try {
      cache.authenticate(secretOf((i * 104_729) % n), later);
    } catch {
      refused++;
    }
  }
  await store.close();
  const size = fs.statSync(file).size;
  fs.rmSync(file, { force: true });
  fs.rmSync(`${file}-wal`, { force: true });
  fs.rmSync(`${file}-shm`, { force: true });
  return {
    keys: n,
    fill_s: +fillS.toFixed(1),
    db_mib: +(size / 2 ** 20).toFixed(1),
    load_ms: +loadMs.toFixed(0),
    heap_bytes_per_key: Math.round((after - before) / n),
    heap_mib: +((after - before) / 2 ** 20).toFixed(1),
    hot_auth_ns: Math.round(hotNs),
    miss_lookup_us: { p50: Math.round(pct(miss, 0.5)), p99: Math.round(pct(miss, 0.99)) },
    incremental_reload_us: { p50: Math.round(pct(apply, 0.5)), p99: Math.round(pct(apply, 0.99)) },
    revoked_refused: `${refused}/300`,
  };
}

fs.mkdirSync(opts.dir, { recursive: true });
for (const n of opts.counts) process.stdout.write(`KEYSJSON ${JSON.stringify(await run(n))}\n`);
