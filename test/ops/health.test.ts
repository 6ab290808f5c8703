/** `/healthz` and `/readyz` on a running gateway: what they report, and that readiness fails for real reasons. */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { readiness } from '../../src/http/health.ts';

let tg: TestGateway | undefined;
after(async () => {
  await tg?.close();
});

test('healthz is alive; readyz lists its checks and turns 503 when a migration is missing', async () => {
  tg = await startTestGateway({ env: { REDIS_URL: process.env.REDIS_TEST ? 'redis://127.0.0.1:6379' : '' } });
  const h = await fetch(`${tg.url}/healthz`);
  assert.equal(h.status, 200);
  assert.deepEqual(await h.json(), { ok: true });

  const r = await fetch(`${tg.url}/readyz`);
  const body = (await r.json()) as any;
  assert.equal(r.status, 200, JSON.stringify(body));
  assert.equal(body.ready, true);
  assert.deepEqual(Object.keys(body.checks).sort(), ['accepting', 'database', 'migrations', 'redis', 'upstreams', 'usage_writer']);
  assert.equal(body.checks.database.ok, true);
  assert.equal(body.checks.upstreams.ok, true);
  assert.equal(body.checks.redis.detail, process.env.REDIS_TEST ? undefined : 'not configured');
  assert.equal(r.headers.get('cache-control'), 'no-store');

  // An operator rolled back a migration row (or pointed an old database at a new build).
  await sql`delete from tollgate_migrations where name = ${'022-audit-log'}`.execute(tg.gw.store.db);
  const bad = await fetch(`${tg.url}/readyz`);
  const b = (await bad.json()) as any;
  assert.equal(bad.status, 503);
  assert.equal(b.ready, false);
  assert.equal(b.checks.migrations.ok, false);
  assert.match(b.checks.migrations.detail, /022-audit-log/);
  assert.equal(b.checks.database.ok, true);
  // Liveness does not depend on readiness.
  assert.equal((await fetch(`${tg.url}/healthz`)).status, 200);
});

test('readiness: a failing or hanging dependency is reported by name, without its error message (it may carry a URL)', async () => {
  const probe = {
    draining: () => false,
    database: async () => {
      throw Object.assign(new Error('connect ECONNREFUSED postgres://user:secret@db:5432'), { code: 'ECONNREFUSED' });
    },
    redis: () => new Promise<void>(() => {}),
    missingMigrations: async () => [],
    upstreams: () => ({ count: 0, simulated: false }),
    usage: () => ({ pending: 12, failing: true }),
  };
  const t0 = Date.now();
  const r = await readiness(probe);
  assert.ok(Date.now() - t0 < 4_000, 'a hanging check times out');
  assert.equal(r.ready, false);
  assert.equal(r.checks.database!.detail, 'ECONNREFUSED');
  assert.equal(r.checks.redis!.detail, 'timed out');
  assert.equal(r.checks.upstreams!.ok, false);
  assert.equal(r.checks.usage_writer!.ok, false);
  assert.doesNotMatch(JSON.stringify(r), /secret|postgres:/);
  const draining = await readiness({ ...probe, draining: () => true, database: async () => {}, redis: async () => {} });
  assert.equal(draining.checks.accepting!.ok, false);
});
