/**
 * Graceful shutdown of a real gateway process: on SIGTERM it stops accepting connections, lets an
 * open stream finish, writes its usage event and exits 0; past the grace deadline an open stream
 * is cut — and still billed — and the process still exits 0.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { startFakeUpstream, type FakeUpstream } from '../support/fake-upstream.ts';
import { freshDatabase } from '../support/gateway.ts';
import { seedCustomer, startGatewayProcess } from '../support/gateway-process.ts';
import { usageEvents } from '../support/db.ts';

const children: ChildProcess[] = [];
const cleanups: Array<() => Promise<void>> = [];
let fake: FakeUpstream;
after(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await fake?.close();
  for (const c of cleanups) await c();
});

async function gateway(extra: Record<string, string> = {}) {
  fake ??= await startFakeUpstream();
  const db = await freshDatabase();
  cleanups.push(db.drop);
  const c = await seedCustomer(db.url, 'Drain');
  const g = await startGatewayProcess({
    DATABASE_URL: db.url,
    PORT: '0',
    LOG_LEVEL: 'info',
    ANTHROPIC_API_KEY: 'sk-ant-x',
    ANTHROPIC_BASE_URL: fake.url,
    TOLLGATE_FREE_CREDITS_USD: '0',
    ...extra,
  });
  children.push(g.proc);
  return { ...g, ...c, databaseUrl: db.url };
}

function openStream(url: string, key: string) {
  return fetch(`${url}/v1/messages`, {
    method: 'POST',
    headers: { 'x-api-key': key, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'claude-haiku-4-5', max_tokens: 40, stream: true, messages: [{ role: 'user', content: 'tell me a story' }] }),
  });
}

test('SIGTERM: new connections are refused, the open stream finishes and is billed, exit code 0', async () => {
  const g = await gateway();
  fake.script({ kind: 'delay', betweenEventsMs: 60 }); // ~20 events: over a second of streaming
  const res = await openStream(g.url, g.key);
  assert.equal(res.status, 200);
  const requestId = res.headers.get('request-id')!;
  const reader = res.body!.getReader();
  const first = await reader.read();
  assert.ok(!first.done);

  const t0 = Date.now();
  g.proc.kill('SIGTERM');
  const exited = once(g.proc, 'exit');
  // Wait until the listener is gone, then a new connection must fail.
  let refused = false;
  for (let i = 0; i < 40 && !refused; i++) {
    await new Promise((r) => setTimeout(r, 25));
    refused = await fetch(`${g.url}/healthz`).then(
      () => false,
      () => true,
    );
  }
  assert.ok(refused, 'a draining gateway accepts no new connection');

  let text = new TextDecoder().decode(first.value);
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    text += new TextDecoder().decode(value);
  }
  assert.match(text, /event: message_stop/, 'the open stream ran to its end');
  assert.ok(Date.now() - t0 > 300, 'the stream was still running when the signal came');
  const [code] = await exited;
  assert.equal(code, 0);
  assert.match(g.output(), /shutting down/);
  const ev = await usageEvents(g.databaseUrl, { orgId: g.orgId });
  const mine = ev.find((e) => e.id === requestId);
  assert.ok(mine, "the stream's usage event was written before exit");
  assert.equal(mine!.outcome, 'ok');
  assert.ok(Number(mine!.output_tokens) > 0);
});

test('SIGTERM past the grace deadline: the stream is cut, billed for what it produced, exit code 0', async () => {
  const g = await gateway({ TOLLGATE_SHUTDOWN_GRACE_MS: '300' });
  fake.script({ kind: 'delay', betweenEventsMs: 400 }); // far longer than the grace period
  const res = await openStream(g.url, g.key);
  const requestId = res.headers.get('request-id')!;
  const reader = res.body!.getReader();
  let text = '';
  // Read until some text has arrived, so there is something to bill.
  while (!text.includes('content_block_delta')) {
    const { value, done } = await reader.read();
    if (done) break;
    text += new TextDecoder().decode(value);
  }
  g.proc.kill('SIGTERM');
  const [code] = await once(g.proc, 'exit');
  assert.equal(code, 0);
  for (;;) {
    const r = await reader.read().catch(() => ({ done: true, value: undefined }));
    if (r.done) break;
    text += new TextDecoder().decode(r.value);
  }
  assert.doesNotMatch(text, /event: message_stop/, 'the stream was cut before its end');
  assert.match(g.output(), /shutdown deadline passed/);
  const ev = await usageEvents(g.databaseUrl, { orgId: g.orgId });
  const mine = ev.find((e) => e.id === requestId);
  assert.ok(mine, 'the cut stream is billed');
  assert.notEqual(mine!.outcome, 'ok');
  assert.ok(Number(mine!.input_tokens) > 0);
});
