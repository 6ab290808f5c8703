/**
 * A separate gateway process for the cross-process test: opens the database, fires the same
 * 80 % alert N times concurrently, waits for its deliveries and prints the ids it won (JSON).
 * Usage: node --import tsx test/alerts/notify-child.ts <database-url> <smtp-url> <org-id> <n>
 */
import { openStore } from '../../src/store/connect.ts';
import { systemClock } from '../../src/core/clock.ts';
import { AlertService } from '../../src/billing/alerts/service.ts';
import { usdToPico } from '../../src/core/money.ts';

const [url, smtpUrl, orgId, n] = process.argv.slice(2) as [string, string, string, string];
const store = await openStore(url);
const svc = new AlertService(store.db, { clock: systemClock, smtp: { url: smtpUrl, from: 'Tollgate <alerts@tollgate.test>' } });
const ev = {
  orgId,
  orgName: 'Acme',
  scope: 'org' as const,
  scopeId: orgId,
  period: '2026-11',
  kind: 'threshold' as const,
  threshold: 80,
  spentPico: usdToPico('40'),
  limitPico: usdToPico('50'),
};
const ids = await Promise.all(Array.from({ length: Number(n) }, () => svc.notify(ev)));
await svc.idle();
await svc.stop();
await store.close();
process.stdout.write(JSON.stringify(ids.filter((x) => x != null)));
