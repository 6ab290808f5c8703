/**
 * E-mail alerts end to end on a real SMTP server (127.0.0.1): once per threshold per period
 * under concurrency (one process, two instances, two processes), a new month alerts again,
 * and without SMTP the mail lands in the outbox that `tollgate outbox --json` shows.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { AlertService } from '../../src/billing/alerts/service.ts';
import type { AlertEvent } from '../../src/billing/alerts/types.ts';
import { ManualClock, systemClock } from '../../src/core/clock.ts';
import { usdToPico } from '../../src/core/money.ts';
import { usePostgres } from '../support/gateway.ts';
import { smtpSink, testStore, until } from './support.ts';

const run = promisify(execFile);
const FROM = 'Tollgate <alerts@tollgate.test>';
const at80 = (orgId: string, extra: Partial<AlertEvent> = {}): AlertEvent => ({
  orgId,
  orgName: 'Acme',
  scope: 'org',
  scopeId: orgId,
  period: '2026-11',
  kind: 'threshold',
  threshold: 80,
  spentPico: usdToPico('40'),
  limitPico: usdToPico('50'),
  ...extra,
});

test('20 concurrent notifies of one event, across two service instances, send exactly one mail', async () => {
  const ts = await testStore();
  const smtp = await smtpSink();
  // Two instances as two gateway processes would have. On PostgreSQL each has its own pool;
  // SQLite allows one writer per process, so in-process they share the connection (the
  // cross-process test below covers two SQLite connections).
  const other = usePostgres ? await ts.reopen() : ts.store;
  const a = new AlertService(ts.store.db, { clock: systemClock, smtp: { url: smtp.url, from: FROM } });
  const b = new AlertService(other.db, { clock: systemClock, smtp: { url: smtp.url, from: FROM } });
  try {
    await a.addEmail('org_acme', 'ops@acme.test');
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).notify(at80('org_acme'))));
    assert.equal(results.filter((r) => r != null).length, 1, 'exactly one notify wins');
    await Promise.all([a.idle(), b.idle()]);
    await until(() => smtp.mails.length >= 1, 5000, 'the mail');
    await new Promise((r) => setTimeout(r, 200)); // room for a wrong second mail to arrive
    assert.equal(smtp.mails.length, 1);
    const m = smtp.mails[0]!;
    assert.deepEqual(m.to, ['ops@acme.test']);
    assert.equal(m.from, 'alerts@tollgate.test');
    assert.equal(m.subject, '[Tollgate] Acme reached 80 % of its monthly limit ($40.00 of $50.00)');
    assert.match(m.text, /Spent: +\$40\.00/);
    assert.match(m.text, /Limit: +\$50\.00/);
    const ds = await a.deliveries('org_acme');
    assert.equal(ds.length, 1);
    assert.equal(ds[0]!.status, 'delivered');
    assert.equal(ds[0]!.statusCode, 250);
    assert.equal((await a.alerts('org_acme')).length, 1);
  } finally {
    await a.stop();
    await b.stop();
    await smtp.close();
    await ts.close();
  }
});

test('two gateway processes racing on the same database send exactly one mail', async () => {
  const ts = await testStore();
  const smtp = await smtpSink();
  const svc = new AlertService(ts.store.db, { clock: systemClock });
  try {
    await svc.addEmail('org_race', 'ops@acme.test');
    const child = () => run(process.execPath, ['--import', 'tsx', 'test/alerts/notify-child.ts', ts.url, smtp.url, 'org_race', '10'], { cwd: process.cwd() });
    const outs = await Promise.all([child(), child()]);
    const won = outs.flatMap((o) => JSON.parse(o.stdout) as string[]);
    assert.equal(won.length, 1, `exactly one of 20 notifies in 2 processes wins, got ${JSON.stringify(won)}`);
    await until(() => smtp.mails.length >= 1, 5000, 'the mail');
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(smtp.mails.length, 1);
    assert.equal((await svc.alerts('org_race')).length, 1);
  } finally {
    await svc.stop();
    await smtp.close();
    await ts.close();
  }
});

test('a new month (injected clock) alerts again; the same month does not', async () => {
  const ts = await testStore();
  const smtp = await smtpSink();
  const clock = new ManualClock(Date.UTC(2026, 10, 20, 9, 0, 0)); // 2026-11-20
  const svc = new AlertService(ts.store.db, { clock, smtp: { url: smtp.url, from: FROM } });
  try {
    await svc.addEmail('org_m', 'billing@acme.test');
    const ev = at80('org_m', { period: undefined }); // the period comes from the clock
    assert.ok(await svc.notify(ev));
    clock.set(Date.UTC(2026, 10, 30, 23, 59, 59, 999));
    assert.equal(await svc.notify(ev), null, 'same month: nothing');
    clock.set(Date.UTC(2026, 11, 1, 0, 0, 0)); // 00:00 UTC on Dec 1st
    assert.ok(await svc.notify(ev), 'a new month alerts again');
    assert.equal(await svc.notify(ev), null);
    await svc.idle();
    await until(() => smtp.mails.length >= 2, 5000, 'two mails');
    assert.equal(smtp.mails.length, 2);
    assert.deepEqual((await svc.alerts('org_m')).map((a) => a.period).sort(), ['2026-11', '2026-12']);
    // 50 % is a separate threshold in the same month
    assert.ok(await svc.notify({ ...ev, threshold: 50, spentPico: usdToPico('25') }));
  } finally {
    await svc.stop();
    await smtp.close();
    await ts.close();
  }
});

test('without SMTP the mail lands in the outbox, and `tollgate outbox --json` shows it', async () => {
  const ts = await testStore();
  const svc = new AlertService(ts.store.db, { clock: systemClock, smtp: { from: FROM } });
  try {
    await svc.addEmail('org_o', 'ops@acme.test');
    await svc.addEmail('org_o', 'cfo@acme.test');
    const id = await svc.notify(at80('org_o'));
    assert.ok(id);
    await svc.idle();
    const box = await svc.outbox(10);
    assert.deepEqual(box.map((m) => m.to).sort(), ['cfo@acme.test', 'ops@acme.test']);
    assert.ok(box.every((m) => m.alertId === id && m.subject === '[Tollgate] Acme reached 80 % of its monthly limit ($40.00 of $50.00)'));
    assert.ok((await svc.deliveries('org_o')).every((d) => d.status === 'delivered'));

    const env = { ...process.env, DATABASE_URL: ts.url, SMTP_URL: '', LOG_LEVEL: 'silent' };
    const { stdout } = await run(process.execPath, ['bin/tollgate.mjs', 'outbox', '--json'], { env, cwd: process.cwd() });
    const listed = JSON.parse(stdout) as Array<{ to: string; subject: string; text: string; alert_id: string }>;
    assert.equal(listed.length, 2);
    assert.ok(listed.every((m) => m.alert_id === id && /80 % of its monthly limit/.test(m.subject) && /Alert id: +alrt_/.test(m.text)));
    const one = JSON.parse((await run(process.execPath, ['bin/tollgate.mjs', 'outbox', '--limit', '1', '--json'], { env, cwd: process.cwd() })).stdout);
    assert.equal(one.length, 1);

    // The hot-path form: returns at once, does the work later, never throws.
    assert.equal(svc.enqueue(at80('org_o', { threshold: 50, spentPico: usdToPico('25') })), undefined);
    assert.equal((await svc.outbox(10)).length, 2, "nothing done in the caller's tick");
    svc.enqueue({ ...at80('org_o'), kind: 'bogus' as any }); // invalid: logged, not thrown
    await svc.idle();
    assert.equal((await svc.outbox(10)).length, 4);
    assert.equal((await svc.outbox(10, 'org_o')).length, 4);
    assert.equal((await svc.outbox(10, 'org_other')).length, 0);
  } finally {
    await svc.stop();
    await ts.close();
  }
});

test('limit reached, workspace scope and low credits read clearly; credits re-arm by period key', async () => {
  const ts = await testStore();
  const svc = new AlertService(ts.store.db, { clock: new ManualClock(Date.UTC(2026, 10, 20)), smtp: { from: FROM } });
  try {
    await svc.addEmail('org_k', 'ops@acme.test');
    await svc.notify({ ...at80('org_k'), kind: 'limit_reached', threshold: 100, spentPico: usdToPico('50') });
    await svc.notify({ ...at80('org_k'), scope: 'workspace', scopeId: 'wrkspc_1', limitPico: usdToPico('20'), spentPico: usdToPico('16') });
    const low = {
      orgId: 'org_k',
      orgName: 'Acme',
      scope: 'credits' as const,
      scopeId: 'org_k',
      kind: 'credits_low' as const,
      threshold: usdToPico('5'),
      spentPico: 0n,
      limitPico: null,
      balancePico: usdToPico('4.2'),
    };
    assert.ok(await svc.notify(low));
    assert.equal(await svc.notify(low), null, 'credits_low with the default period fires once');
    assert.ok(await svc.notify({ ...low, period: 'after:ledg_topup1' }), 'a new re-arm key fires again');
    await svc.idle();
    const subjects = (await svc.outbox(10)).map((m) => m.subject).sort();
    assert.deepEqual(subjects, [
      '[Tollgate] Acme reached its monthly limit ($50.00 of $50.00)',
      '[Tollgate] Acme workspace wrkspc_1 reached 80 % of its monthly limit ($16.00 of $20.00)',
      "[Tollgate] Acme's prepaid credits are low ($4.20 left)",
      "[Tollgate] Acme's prepaid credits are low ($4.20 left)",
    ]);
    const limitMail = (await svc.outbox(10)).find((m) => m.subject.includes('reached its monthly limit'))!;
    assert.match(limitMail.text, /refused until 2026-12-01 00:00 UTC/);
  } finally {
    await svc.stop();
    await ts.close();
  }
});
