/**
 * Secrets at rest: sealed upstream keys are bound to their row (a ciphertext copied into a row
 * whose base URL points elsewhere does not open, and the gateway refuses to start rather than call
 * an upstream without its key); a missing or wrong master key is refused at start; `upstream add`
 * without --api-key keeps the key; webhook signing secrets are sealed; SQLite files are created
 * readable by their owner only.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ConfigError, loadConfig } from '../../src/config/config.ts';
import { createLogger } from '../../src/core/logger.ts';
import { startGateway } from '../../src/gateway.ts';
import { openStore } from '../../src/store/connect.ts';
import { migrate } from '../../src/store/migrate.ts';
import { SecretBox } from '../../src/core/secret-box.ts';
import { UpstreamService } from '../../src/providers/service.ts';
import { startFakeUpstream, type FakeUpstream } from '../support/fake-upstream.ts';
import { freshDatabase, startTestGateway, type TestGateway } from '../support/gateway.ts';
import { systemClock } from '../../src/core/clock.ts';

const run = promisify(execFile);
const MASTER = 'd'.repeat(64);
let fake: FakeUpstream;
let tg: TestGateway;

before(async () => {
  fake = await startFakeUpstream();
  tg = await startTestGateway({ env: { TOLLGATE_MASTER_KEY: MASTER } });
});
after(async () => {
  await tg?.close();
  await fake?.close();
});

async function startFails(databaseUrl: string, masterKey?: string): Promise<string> {
  const env: Record<string, string> = { DATABASE_URL: databaseUrl, PORT: '0', LOG_LEVEL: 'silent', ...(masterKey ? { TOLLGATE_MASTER_KEY: masterKey } : {}) };
  try {
    const g = await startGateway(loadConfig(env), { logger: createLogger('silent') });
    await g.close();
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    return e.message;
  }
  assert.fail('the gateway started');
}

test('upstream add without --api-key keeps the key; moving a kept key needs --keep-key', async () => {
  await tg.cli('upstream', 'add', '--name', 'claude', '--kind', 'anthropic', '--base-url', fake.url, '--api-key', 'sk-ant-the-real-one');
  const again = await tg.cli('upstream', 'add', '--name', 'claude', '--kind', 'anthropic', '--base-url', fake.url);
  assert.equal(again.has_key, true);
  await tg.gw.refresh();
  const c = await tg.customer();
  const n = fake.requests.length;
  await new Anthropic({ baseURL: tg.url, apiKey: c.key, maxRetries: 0 }).messages.create({
    model: 'claude-haiku-4-5',
    max_tokens: 5,
    messages: [{ role: 'user', content: 'hi' }],
  });
  assert.equal(fake.requests[n]!.headers['x-api-key'], 'sk-ant-the-real-one', 'the kept key is the one sent');
  await assert.rejects(tg.cli('upstream', 'add', '--name', 'claude', '--kind', 'anthropic', '--base-url', 'http://127.0.0.1:9/elsewhere'), /--keep-key/);
  const moved = await tg.cli('upstream', 'add', '--name', 'claude', '--kind', 'anthropic', '--base-url', `${fake.url}/`, '--keep-key');
  assert.equal(moved.has_key, true);
  const audit = await tg.cli('audit', '--limit', '5');
  assert.ok(audit.some((e: any) => e.action === 'upstream.update' && e.target.id === 'claude' && e.actor.kind === 'cli'));
  assert.ok(!JSON.stringify(audit).includes('sk-ant-the-real-one'), 'the audit log never holds the key');
});

test("a sealed key copied into another upstream's row does not open: the gateway refuses to start", async () => {
  const db = await freshDatabase();
  try {
    const s = await openStore(db.url);
    try {
      await migrate(s);
      const ups = new UpstreamService(s.db, new SecretBox(MASTER), systemClock);
      await ups.add({ name: 'good', kind: 'anthropic', baseUrl: fake.url, apiKey: 'sk-ant-good', models: '*' });
      await ups.add({ name: 'evil', kind: 'anthropic', baseUrl: 'http://127.0.0.1:9/attacker', apiKey: 'sk-ant-decoy', models: '*' });
      const good = await s.db.selectFrom('upstreams').select('api_key_sealed').where('name', '=', 'good').executeTakeFirstOrThrow();
      await s.db.updateTable('upstreams').set({ api_key_sealed: good.api_key_sealed }).where('name', '=', 'evil').execute();
    } finally {
      await s.close();
    }
    assert.match(await startFails(db.url, MASTER), /upstream evil/);
    assert.match(await startFails(db.url), /sealed .* not set/, 'no master key: refused, not served without credentials');
    assert.match(await startFails(db.url, 'e'.repeat(64)), /does not open/, 'a wrong master key: refused');
  } finally {
    await db.drop();
  }
});

test('webhook signing secrets are sealed (and need the master key)', async () => {
  const c = await tg.customer();
  const hook = await tg.cli('alerts', 'webhook', 'add', '--org', c.orgId, '--url', 'https://hooks.example.test/tollgate');
  assert.match(hook.secret, /^whsec_/);
  const row = await tg.gw.store.db.selectFrom('alert_channels').select('secret').where('id', '=', hook.id).executeTakeFirstOrThrow();
  assert.match(row.secret!, /^v2:/);
  assert.ok(!row.secret!.includes(hook.secret.slice(6)));
  const noKey = await run(process.execPath, ['bin/tollgate.mjs', 'alerts', 'webhook', 'add', '--org', c.orgId, '--url', 'https://x.test/', '--json'], {
    env: { ...process.env, ...tg.env, TOLLGATE_MASTER_KEY: '' },
  }).catch((e) => e);
  assert.match(String(noKey.stderr), /TOLLGATE_MASTER_KEY/);
});

test('a new SQLite database is readable by its owner only', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-perm-'));
  try {
    const file = join(dir, 'sub', 'tollgate.db');
    const s = await openStore(file);
    await s.db
      .selectFrom('sqlite_master' as any)
      .selectAll()
      .execute();
    await s.close();
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(statSync(join(dir, 'sub')).mode & 0o777, 0o700);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
