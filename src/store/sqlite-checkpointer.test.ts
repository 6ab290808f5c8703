import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, statSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from './connect.ts';
import { migrate } from './migrate.ts';

test('background checkpoints keep the WAL bounded while commits never checkpoint on the request thread', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tg-ckpt-'));
  const s = await openStore(join(dir, 'db.sqlite'), { backgroundCheckpoints: true });
  try {
    await migrate(s);
    assert.equal(s.sqlite!.pragma('wal_autocheckpoint', { simple: true }), 0n);
    const ins = s.sqlite!.prepare('insert into change_log (at, what) values (?, ?)');
    for (let i = 0; i < 20; i++)
      s.sqlite!.transaction(() => {
        for (let j = 0; j < 500; j++) ins.run(i * 500 + j, 'x'.repeat(200));
      })();
    const grown = statSync(join(dir, 'db.sqlite-wal')).size;
    await new Promise((r) => setTimeout(r, 2_500));
    ins.run(1, 'after the checkpoint the next writer restarts the WAL from the top');
    const after = statSync(join(dir, 'db.sqlite-wal')).size;
    const rows = s.sqlite!.prepare('select count(*) as n from change_log').get() as { n: bigint };
    assert.equal(rows.n, 10_001n);
    assert.ok(grown > 1_000_000, `the WAL grew (${grown})`);
    assert.ok(statSync(join(dir, 'db.sqlite')).size > 1_000_000, 'pages were copied into the database file');
    assert.ok(after <= grown, `WAL ${after} ≤ ${grown}`);
  } finally {
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
