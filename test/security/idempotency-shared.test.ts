/**
 * Idempotency-Keys hold across instances and restarts: an attacker (or a buggy client) that
 * reuses a key with another body on another instance, or after a restart, gets the 422, not a
 * fresh run; a repeat while the first request still runs on another instance is a 409, never a
 * second upstream call. And the housekeeping: the change log and old idempotency claims are
 * pruned after their retention without ever losing the newest change.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config/config.ts';
import { createLogger } from '../../src/core/logger.ts';
import { startGateway, type Gateway } from '../../src/gateway.ts';
import { recordChange, lastChangeId } from '../../src/store/change-log.ts';
import { housekeeping } from '../../src/store/housekeeping.ts';
import { startFakeUpstream, type FakeUpstream } from '../support/fake-upstream.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { usageEvents } from '../support/db.ts';

let fake: FakeUpstream;
let tg: TestGateway;
let b: Gateway;
before(async () => {
  fake = await startFakeUpstream();
  tg = await startTestGateway({ upstreamUrl: fake.url });
  b = await startGateway(loadConfig(tg.env), { logger: createLogger('silent') });
});
after(async () => {
  await b?.close();
  await tg?.close();
  await fake?.close();
});

const ask = (max = 20) => ({ model: 'claude-haiku-4-5', max_tokens: max, messages: [{ role: 'user', content: 'hi' }] });
async function post(base: string, key: string, idem: string, body: unknown) {
  const r = await fetch(`${base}/v1/messages`, {
    method: 'POST',
    headers: { 'x-api-key': key, 'anthropic-version': '2023-06-01', 'content-type': 'application/json', 'idempotency-key': idem },
    body: JSON.stringify(body),
  });
  const text = await r.text();
  return { status: r.status, text, json: JSON.parse(text), replayed: r.headers.get('idempotent-replayed') };
}

test('a key reused with another body is a 422 on every instance and after a restart; a repeat elsewhere is a 409, never a second run', async () => {
  const c = await tg.customer();
  await b.refresh();
  const first = await post(tg.url, c.key, 'order-1', ask());
  assert.equal(first.status, 200);
  const upstreamCalls = fake.requests.length;

  const otherBody = await post(b.url, c.key, 'order-1', ask(21));
  assert.equal(otherBody.status, 422, otherBody.text);
  assert.equal(otherBody.json.error.type, 'invalid_request_error');
  const sameBody = await post(b.url, c.key, 'order-1', ask());
  assert.equal(sameBody.status, 409, 'the other instance cannot replay, and must not run it again');
  assert.equal(sameBody.json.error.type, 'conflict_error');
  const replay = await post(tg.url, c.key, 'order-1', ask());
  assert.equal(replay.replayed, 'true');
  assert.equal(replay.text, first.text);
  assert.equal(fake.requests.length, upstreamCalls, 'no second upstream call anywhere');

  // A restart forgets the in-memory replay, not the claim.
  const restarted = await startGateway(loadConfig(tg.env), { logger: createLogger('silent') });
  try {
    assert.equal((await post(restarted.url, c.key, 'order-1', ask(22))).status, 422);
    assert.equal((await post(restarted.url, c.key, 'order-1', ask())).status, 409);
  } finally {
    await restarted.close();
  }
  assert.equal(fake.requests.length, upstreamCalls);
  assert.equal((await usageEvents(tg.databaseUrl, { orgId: c.orgId })).length, 1, 'billed once');

  // While the first runs on instance A, instance B refuses the same key (409) and another body (422).
  fake.script({ kind: 'delay', headersMs: 1500 });
  const slow = post(tg.url, c.key, 'order-2', ask());
  await fake.waitFor(() => fake.requests.length === upstreamCalls + 1, 5000, 'first request reached the upstream');
  assert.equal((await post(b.url, c.key, 'order-2', ask())).status, 409);
  assert.equal((await post(b.url, c.key, 'order-2', ask(30))).status, 422);
  assert.equal((await slow).status, 200);
  assert.equal(fake.requests.length, upstreamCalls + 1);

  // A request that failed (upstream 500) frees its key for a retry, on any instance.
  fake.script({ kind: 'json', status: 500 });
  assert.equal((await post(tg.url, c.key, 'order-3', ask())).status, 500);
  assert.equal((await post(b.url, c.key, 'order-3', ask())).status, 200);
});

test('housekeeping prunes old change-log rows and claims, never the newest change', async () => {
  const db = tg.gw.store.db;
  const now = Date.now();
  const day = 86_400_000;
  for (let i = 0; i < 5; i++) await recordChange(db, 'prices', now - 3 * day + i);
  await db
    .insertInto('idempotency_keys')
    .values({
      key_id: 'apikey_x',
      idem_key: 'old',
      fingerprint: 'f',
      state: 'done',
      request_id: 'req_old',
      created_at: now - 2 * day,
      updated_at: now - 2 * day,
    })
    .execute();
  const newest = await lastChangeId(db);
  const r = await housekeeping(db, now, { changeLogRetentionMs: day, idempotencyTtlMs: day });
  assert.ok(r.changes >= 4, `pruned ${r.changes}`);
  assert.equal(r.idempotencyKeys, 1);
  const left = await db.selectFrom('change_log').select(['id', 'at']).execute();
  assert.ok(
    left.some((x) => BigInt(x.id) === newest),
    'the newest row stays (ids keep increasing)',
  );
  assert.ok(left.every((x) => BigInt(x.id) === newest || Number(x.at) >= now - day));
  // Everything older than the retention, the newest included: still one row left.
  await housekeeping(db, now + 10 * day, { changeLogRetentionMs: day, idempotencyTtlMs: day });
  assert.equal((await db.selectFrom('change_log').select('id').execute()).length, 1);
  // Running servers still follow the log: a key created now works on the other instance at once.
  const c = await tg.customer();
  const k = await tg.accounts.createKey({ orgId: c.orgId });
  const res = await fetch(`${b.url}/v1/models`, { headers: { 'x-api-key': k.key } });
  assert.equal(res.status, 200);
  assert.ok((await lastChangeId(db)) > newest);
});
