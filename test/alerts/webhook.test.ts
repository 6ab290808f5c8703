/**
 * Webhook alerts end to end on a real HTTP receiver (127.0.0.1): valid signatures, retries with
 * backoff and one log row per attempt, and deliveries that survive a stop ("crash") or a
 * process that dies mid-request (lease expiry), resumed by a new service on the same database.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AlertService } from '../../src/billing/alerts/service.ts';
import { verifySignature } from '../../src/billing/alerts/signature.ts';
import type { AlertEvent } from '../../src/billing/alerts/types.ts';
import { systemClock } from '../../src/core/clock.ts';
import { usdToPico } from '../../src/core/money.ts';
import { SecretBox } from '../../src/core/secret-box.ts';
import { receiver, testStore, until } from './support.ts';

/** Webhook signing secrets are sealed at rest under the master key. */
const box = new SecretBox('7'.repeat(64));

const at80 = (orgId: string): AlertEvent => ({
  orgId,
  orgName: 'Acme',
  scope: 'org',
  scopeId: orgId,
  period: '2026-11',
  kind: 'threshold',
  threshold: 80,
  spentPico: usdToPico('40'),
  limitPico: usdToPico('50'),
});
const nowSec = () => Math.floor(Date.now() / 1000);

test('the receiver gets one signed POST it can verify', async () => {
  const ts = await testStore();
  const rx = await receiver([200]);
  const svc = new AlertService(ts.store.db, { clock: systemClock, box });
  try {
    const hook = await svc.addWebhook('org_w', rx.url);
    assert.match(hook.secret, /^whsec_[0-9A-Za-z]{32}$/);
    const listed = await svc.listChannels('org_w');
    assert.equal(listed.length, 1);
    assert.ok(!('secret' in listed[0]!), 'listChannels never returns secrets');
    assert.ok(!JSON.stringify(listed).includes(hook.secret));

    const id = await svc.notify(at80('org_w'));
    await svc.idle();
    assert.equal(rx.received.length, 1);
    const r = rx.received[0]!;
    assert.equal(r.headers['content-type'], 'application/json');
    assert.equal(r.headers['tollgate-event-id'], id);
    assert.equal(verifySignature(r.headers['tollgate-signature'] as string, r.body, hook.secret, nowSec()), true);
    assert.equal(verifySignature(r.headers['tollgate-signature'] as string, r.body, 'whsec_wrong', nowSec()), false);
    const body = JSON.parse(r.body);
    assert.equal(body.id, id);
    assert.equal(body.type, 'spend.threshold');
    assert.ok(!Number.isNaN(Date.parse(body.created_at)));
    assert.deepEqual(body.data, {
      org_id: 'org_w',
      org_name: 'Acme',
      scope: 'org',
      scope_id: 'org_w',
      period: '2026-11',
      threshold: 80,
      spent_usd: '40',
      limit_usd: '50',
      balance_usd: null,
      resumes_at: null,
    });
    const ds = await svc.deliveries('org_w');
    assert.deepEqual(
      ds.map((d) => [d.attempt, d.statusCode, d.status]),
      [[1, 200, 'delivered']],
    );
    // a repeat of the same alert delivers nothing
    assert.equal(await svc.notify(at80('org_w')), null);
    await svc.idle();
    assert.equal(rx.received.length, 1);
  } finally {
    await svc.stop();
    await rx.close();
    await ts.close();
  }
});

test('500, 500, then 200: three attempts logged with backoff, one success, same body and event id', async () => {
  const ts = await testStore();
  const rx = await receiver([500, 500, 200]);
  const waits: number[] = [];
  const svc = new AlertService(ts.store.db, {
    clock: systemClock,
    box,
    backoffMs: (n) => {
      waits.push(n);
      return 30 * 2 ** (n - 1);
    },
  });
  try {
    const hook = await svc.addWebhook('org_r', rx.url);
    const id = await svc.notify(at80('org_r'));
    await svc.idle();
    assert.equal(rx.received.length, 3);
    assert.deepEqual(waits, [1, 2]);
    assert.ok(rx.received[2]!.at - rx.received[1]!.at >= 55, 'second retry waited ~60 ms');
    for (const r of rx.received) {
      assert.equal(r.body, rx.received[0]!.body, 'every attempt sends the same bytes');
      assert.equal(r.headers['tollgate-event-id'], id);
      assert.equal(verifySignature(r.headers['tollgate-signature'] as string, r.body, hook.secret, nowSec()), true);
    }
    const ds = (await svc.deliveries('org_r')).sort((a, b) => a.attempt - b.attempt);
    assert.deepEqual(
      ds.map((d) => [d.attempt, d.statusCode, d.error, d.status]),
      [
        [1, 500, 'HTTP 500', 'failed'],
        [2, 500, 'HTTP 500', 'failed'],
        [3, 200, null, 'delivered'],
      ],
    );
    assert.equal(ds.filter((d) => d.deliveredAt != null).length, 1);
  } finally {
    await svc.stop();
    await rx.close();
    await ts.close();
  }
});

test('network errors are retried up to maxAttempts, then the delivery is failed', async () => {
  const ts = await testStore();
  const rx = await receiver([200]);
  const dead = rx.url; // closed below: connection refused
  await rx.close();
  const svc = new AlertService(ts.store.db, { clock: systemClock, box, maxAttempts: 3, backoffMs: () => 5 });
  try {
    await svc.addWebhook('org_n', dead);
    await svc.notify(at80('org_n'));
    await svc.idle();
    const ds = (await svc.deliveries('org_n')).sort((a, b) => a.attempt - b.attempt);
    assert.deepEqual(
      ds.map((d) => [d.attempt, d.statusCode, d.status]),
      [
        [1, null, 'failed'],
        [2, null, 'failed'],
        [3, null, 'failed'],
      ],
    );
    assert.match(ds[0]!.error!, /ECONNREFUSED/);
    assert.ok(!ds.some((d) => d.error!.includes('/hooks/tollgate')), 'errors do not carry the URL');
  } finally {
    await svc.stop();
    await ts.close();
  }
});

test('a retry pending at a crash (stop) is resumed by a new service on the same database', async () => {
  const ts = await testStore();
  const rx = await receiver([500, 200]);
  const first = new AlertService(ts.store.db, { clock: systemClock, box, backoffMs: () => 400 });
  const hook = await first.addWebhook('org_c', rx.url);
  const id = await first.notify(at80('org_c'));
  await until(async () => (await first.deliveries('org_c')).some((d) => d.attempt === 2 && d.status === 'pending'), 5000, 'retry scheduled');
  await first.stop(); // the process goes away with attempt 2 persisted, not yet run
  assert.equal(rx.received.length, 1);

  const db2 = await ts.reopen();
  const second = new AlertService(db2.db, { clock: systemClock, box, pollMs: 25 });
  try {
    second.start();
    await until(() => rx.received.length >= 2, 5000, 'the resumed attempt');
    await until(async () => (await second.deliveries('org_c')).some((d) => d.status === 'delivered'), 5000, 'delivered');
    const r = rx.received[1]!;
    assert.equal(r.headers['tollgate-event-id'], id);
    assert.equal(verifySignature(r.headers['tollgate-signature'] as string, r.body, hook.secret, nowSec()), true);
    const ds = (await second.deliveries('org_c')).sort((a, b) => a.attempt - b.attempt);
    assert.deepEqual(
      ds.map((d) => [d.attempt, d.statusCode, d.status]),
      [
        [1, 500, 'failed'],
        [2, 200, 'delivered'],
      ],
    );
    await new Promise((res) => setTimeout(res, 100));
    assert.equal(rx.received.length, 2, 'no duplicate after delivery');
  } finally {
    await second.stop();
    await rx.close();
    await ts.close();
  }
});

test('an attempt in flight when its process dies is taken over after the lease expires', async () => {
  const ts = await testStore();
  const rx = await receiver(['hang', 200]);
  // `dead` claims attempt 1 with a short lease, then never finishes: its request hangs.
  const dead = new AlertService(ts.store.db, { clock: systemClock, box, leaseMs: 300, timeoutMs: 30_000 });
  await dead.addWebhook('org_l', rx.url);
  const id = await dead.notify(at80('org_l'));
  await until(() => rx.received.length === 1, 5000, 'the first request');

  const db2 = await ts.reopen();
  const live = new AlertService(db2.db, { clock: systemClock, box, pollMs: 25 });
  try {
    live.start();
    await until(() => rx.received.length >= 2, 5000, 'the take-over request');
    await until(async () => (await live.deliveries('org_l')).some((d) => d.status === 'delivered'), 5000, 'delivered');
    assert.equal(rx.received[1]!.headers['tollgate-event-id'], id, 'same event id: receivers can dedupe');
    await rx.close(); // the hung request finally fails; its stale outcome must not overwrite the row
    await dead.stop();
    const ds = await live.deliveries('org_l');
    assert.deepEqual(
      ds.map((d) => [d.attempt, d.statusCode, d.status]),
      [[1, 200, 'delivered']],
    );
  } finally {
    await live.stop();
    await dead.stop();
    await rx.close().catch(() => {});
    await ts.close();
  }
});

test('disabled channels get nothing; notify resolves before delivery finishes', async () => {
  const ts = await testStore();
  const rx = await receiver(['hang']);
  const svc = new AlertService(ts.store.db, { clock: systemClock, box, timeoutMs: 60_000 });
  try {
    const off = await svc.addWebhook('org_d', rx.url.replace('/hooks/', '/off/'));
    await svc.disableChannel(off.id);
    await svc.addWebhook('org_d', rx.url);
    const t0 = Date.now();
    const id = await svc.notify(at80('org_d')); // the receiver hangs: notify must not wait for it
    assert.ok(id);
    assert.ok(Date.now() - t0 < 1000, 'notify does not wait on delivery');
    await until(() => rx.received.length === 1, 5000, 'the POST');
    assert.ok(rx.received[0]!.headers['tollgate-signature']);
    const ds = await svc.deliveries('org_d');
    assert.equal(ds.length, 1, 'no delivery row for the disabled channel');
    assert.equal(ds[0]!.status, 'pending');
    await assert.rejects(svc.disableChannel('alch_nope'), /not found/);
  } finally {
    await svc.stop();
    await rx.close();
    await ts.close();
  }
});
