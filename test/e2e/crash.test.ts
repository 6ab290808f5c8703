/**
 * What a crash can and cannot lose (README "Durable before delivered"): the gateway process is
 * killed with SIGKILL under load; every response a client received in full is in the database,
 * and the restarted gateway serves on the same database.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import Anthropic from '@anthropic-ai/sdk';
import { startFakeUpstream, type FakeUpstream } from '../support/fake-upstream.ts';
import { freshDatabase } from '../support/gateway.ts';
import { startGatewayProcess } from '../support/gateway-process.ts';
import { usageEvents } from '../support/db.ts';
import { openStore } from '../../src/store/connect.ts';
import { migrate } from '../../src/store/migrate.ts';
import { AccountsService } from '../../src/accounts/service.ts';
import { Ledger } from '../../src/billing/ledger.ts';
import { usdToPico } from '../../src/core/money.ts';
import { systemClock } from '../../src/core/clock.ts';

let fake: FakeUpstream | undefined;
let child: ChildProcess | undefined;
let dropDb: (() => Promise<void>) | undefined;
after(async () => {
  child?.kill('SIGKILL');
  await fake?.close();
  await dropDb?.();
});

test('SIGKILL under load loses no delivered response; the gateway restarts on the same database', async () => {
  fake = await startFakeUpstream();
  fake.setDefault({ kind: 'delay', headersMs: 5 });
  const db = await freshDatabase();
  dropDb = db.drop;
  const s = await openStore(db.url);
  await migrate(s);
  const accounts = new AccountsService(s.db, systemClock);
  const { org } = await accounts.createOrg({ name: 'Crash' });
  await new Ledger(s.db, systemClock).append({ orgId: org.id, kind: 'purchase', amount: usdToPico('100') });
  await accounts.updateOrg(org.id, { rateLimits: JSON.stringify({ rpm: 100000, itpm: 100000000, otpm: 100000000 }) });
  const { key } = await accounts.createKey({ orgId: org.id });
  await s.close();

  const env = {
    DATABASE_URL: db.url,
    PORT: '0',
    LOG_LEVEL: 'info',
    ANTHROPIC_API_KEY: 'sk-ant-x',
    ANTHROPIC_BASE_URL: fake.url,
    TOLLGATE_FREE_CREDITS_USD: '0',
  };
  const g = await startGatewayProcess(env);
  child = g.proc;
  const client = new Anthropic({ baseURL: g.url, apiKey: key, maxRetries: 0 });
  const delivered: string[] = [];
  let stop = false;
  const worker = async () => {
    while (!stop) {
      try {
        const m = await client.messages.create({ model: 'claude-haiku-4-5', max_tokens: 20, messages: [{ role: 'user', content: 'ping' }] });
        delivered.push(m._request_id!);
      } catch {
        return;
      }
    }
  };
  const workers = Array.from({ length: 8 }, worker);
  while (delivered.length < 60) await new Promise((r) => setTimeout(r, 10));
  g.proc.kill('SIGKILL');
  stop = true;
  await once(g.proc, 'exit');
  await Promise.all(workers);

  const ev = await usageEvents(db.url, { orgId: org.id });
  const recorded = new Set(ev.map((e) => e.id));
  const missing = delivered.filter((id) => !recorded.has(id));
  assert.deepEqual(missing, [], `${missing.length} delivered responses were not recorded`);
  assert.ok(ev.length >= delivered.length);

  const g2 = await startGatewayProcess(env);
  child = g2.proc;
  const again = await new Anthropic({ baseURL: g2.url, apiKey: key, maxRetries: 0 }).messages.create({
    model: 'claude-haiku-4-5',
    max_tokens: 20,
    messages: [{ role: 'user', content: 'after restart' }],
  });
  assert.equal(again.type, 'message');
  g2.proc.kill('SIGTERM');
  await once(g2.proc, 'exit');
  const after2 = await usageEvents(db.url, { orgId: org.id });
  assert.ok(
    after2.some((e) => e.id === again._request_id),
    'graceful stop drains the usage queue',
  );
});
