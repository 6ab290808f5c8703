/**
 * The books under database and limiter faults, driven through the running gateway: a row the
 * database refuses goes to the dead-letter table without blocking anyone (and is replayed by the
 * CLI); while the database takes no usage at all, the request in flight is spooled to disk and new
 * requests get a 503 in their surface's envelope, until the database is back; an unreachable Redis
 * fails closed with a 503. Runs on SQLite, or PostgreSQL with DATABASE_URL.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { startFakeUpstream, type FakeUpstream } from '../support/fake-upstream.ts';
import { startTestGateway, usePostgres, type TestGateway } from '../support/gateway.ts';
import { usageEvents } from '../support/db.ts';

let fake: FakeUpstream;
let tg: TestGateway;
const spoolDir = mkdtempSync(join(tmpdir(), 'tollgate-spool-'));
before(async () => {
  fake = await startFakeUpstream({ textChars: 200 });
  tg = await startTestGateway({ upstreamUrl: fake.url, openaiUpstreamUrl: fake.url, env: { TOLLGATE_SPOOL_DIR: spoolDir } });
});
after(async () => {
  await tg?.close();
  await fake?.close();
  rmSync(spoolDir, { recursive: true, force: true });
});

const ask = { model: 'claude-haiku-4-5', max_tokens: 50, messages: [{ role: 'user' as const, content: 'hi' }] };

/** Makes the database refuse inserts into `table` when `condition` (SQL on NEW) holds. */
async function refuse(name: string, table: string, condition: string): Promise<() => Promise<void>> {
  const db = tg.gw.store.db;
  if (usePostgres) {
    await sql
      .raw(
        `create function ${name}() returns trigger language plpgsql as $$ begin if ${condition} then raise exception 'refused by the test (${name})'; end if; return new; end $$`,
      )
      .execute(db);
    await sql.raw(`create trigger ${name} before insert on ${table} for each row execute function ${name}()`).execute(db);
    return async () => {
      await sql.raw(`drop trigger ${name} on ${table}`).execute(db);
      await sql.raw(`drop function ${name}()`).execute(db);
    };
  }
  await sql
    .raw(`create trigger ${name} before insert on ${table} when ${condition} begin select raise(abort, 'refused by the test (${name})'); end`)
    .execute(db);
  return async () => {
    await sql.raw(`drop trigger ${name}`).execute(db);
  };
}

test('a row the database refuses is dead-lettered; everyone else is billed; the CLI lists and replays it', async () => {
  const good = await tg.customer();
  const bad = await tg.customer();
  const unrefuse = await refuse('tg_refuse_one', 'usage_events', `new.key_id = '${bad.keyId}'`);
  try {
    const g = new Anthropic({ baseURL: tg.url, apiKey: good.key, maxRetries: 0 });
    const b = new Anthropic({ baseURL: tg.url, apiKey: bad.key, maxRetries: 0 });
    const t0 = Date.now();
    const [res] = await Promise.all([Promise.all(Array.from({ length: 20 }, (_, i) => (i === 7 ? b.messages.create(ask) : g.messages.create(ask))))]);
    assert.ok(Date.now() - t0 < 5000, 'nothing stalls');
    const badId = res[7]!._request_id!;
    assert.equal((await usageEvents(tg.databaseUrl, { orgId: good.orgId })).length, 19);
    assert.equal((await usageEvents(tg.databaseUrl, { orgId: bad.orgId })).length, 0);
    const listed = await tg.cli('usage', 'dead-letters');
    assert.deepEqual(
      listed.map((d: any) => d.id),
      [badId],
    );
    assert.match(listed[0].error, /refused by the test/);
    assert.equal(listed[0].event.org_id, bad.orgId);
    // Still refused: the replay reports it and keeps it.
    await assert.rejects(tg.cli('usage', 'dead-letters', '--replay'));
  } finally {
    await unrefuse();
  }
  const r = await tg.cli('usage', 'dead-letters', '--replay');
  assert.equal(r.replayed.length, 1);
  const ev = await usageEvents(tg.databaseUrl, { orgId: bad.orgId });
  assert.equal(ev.length, 1);
  assert.ok(ev[0]!.cost > 0n);
  assert.deepEqual(await tg.cli('usage', 'dead-letters'), []);
  // Replaying again is harmless (idempotent by request id).
  assert.equal((await tg.cli('usage', 'dead-letters', '--replay')).replayed.length, 0);
});

test('while the database takes no usage: the request in flight is spooled, new ones get 503 in each envelope, then service resumes', async () => {
  const c = await tg.customer();
  const a = new Anthropic({ baseURL: tg.url, apiKey: c.key, maxRetries: 0 });
  const o = new OpenAI({ baseURL: `${tg.url}/v1`, apiKey: c.key, maxRetries: 0 });
  const un1 = await refuse('tg_refuse_all', 'usage_events', '1 = 1');
  const un2 = await refuse('tg_refuse_dl', 'usage_dead_letters', '1 = 1');
  let served: string;
  try {
    const m = await a.messages.create(ask);
    served = m._request_id!;
    assert.equal(m.type, 'message', 'admitted before the outage was known: served, and kept on disk');
    const files = readdirSync(spoolDir).filter((f) => f.endsWith('.jsonl'));
    assert.equal(files.length, 1);
    await assert.rejects(a.messages.create(ask), (e: any) => e.status === 503 && e.error?.error?.type === 'overloaded_error');
    await assert.rejects(
      o.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }),
      (e: any) => e.status === 503 && e.error?.type === 'server_error' && e.code === 'usage_store_unavailable',
    );
  } finally {
    await un1();
    await un2();
  }
  // The writer's retry lands the spooled event; then requests are served again.
  let ok = false;
  for (let i = 0; i < 100 && !ok; i++) {
    await new Promise((r) => setTimeout(r, 100));
    ok = tg.gw.rt.usage.durable;
  }
  assert.ok(ok, 'durable again');
  const again = await a.messages.create(ask);
  // The spool is replayed by the writer once the database answers: wait (bounded) for it to land.
  let ids = new Set<string>();
  for (let i = 0; i < 100; i++) {
    ids = new Set((await usageEvents(tg.databaseUrl, { orgId: c.orgId })).map((e) => e.id));
    if (ids.size >= 2 && readdirSync(spoolDir).filter((f) => f.endsWith('.jsonl')).length === 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.deepEqual(ids, new Set([served, again._request_id!]));
  assert.equal(readdirSync(spoolDir).filter((f) => f.endsWith('.jsonl')).length, 0, 'spool emptied');
});

test('Redis unreachable: fail closed with 503 (overloaded_error / server_error), nothing billed', async () => {
  const g = await startTestGateway({
    upstreamUrl: fake.url,
    openaiUpstreamUrl: fake.url,
    env: { REDIS_URL: 'redis://127.0.0.1:1', TOLLGATE_SPOOL_DIR: spoolDir },
  });
  try {
    const c = await g.customer();
    const before = fake.requests.length;
    await assert.rejects(
      new Anthropic({ baseURL: g.url, apiKey: c.key, maxRetries: 0 }).messages.create(ask),
      (e: any) => e.status === 503 && e.error?.error?.type === 'overloaded_error',
    );
    await assert.rejects(
      new OpenAI({ baseURL: `${g.url}/v1`, apiKey: c.key, maxRetries: 0 }).chat.completions.create({
        model: 'gpt-4o',
        messages: [{ role: 'user', content: 'hi' }],
      }),
      (e: any) => e.status === 503 && e.code === 'limiter_unavailable',
    );
    assert.equal(fake.requests.length, before, 'nothing reached the upstream');
    assert.equal((await usageEvents(g.databaseUrl, { orgId: c.orgId })).length, 0);
  } finally {
    await g.close();
  }
  assert.ok(!existsSync(join(spoolDir, 'missing')));
});
