/** `tollgate outbox --org ORG` lists that org's billing mail (invoices, payment notices) beside its alert mail — and no other org's. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestGateway } from '../support/gateway.ts';

test("outbox --org shows the org's billing mail, not another org's", async () => {
  const tg = await startTestGateway();
  try {
    const a = await tg.customer({ name: 'A', credits: '0' });
    const b = await tg.customer({ name: 'B', credits: '0' });
    await tg.gw.billing.invoices.profiles.addContact(a.orgId, 'ap@a.test');
    await tg.gw.billing.invoices.profiles.addContact(b.orgId, 'ap@b.test');
    await tg.gw.billing.mail.queue(a.orgId, 'test', 'Invoice A-1 is ready', 'hello A');
    await tg.gw.billing.mail.queue(b.orgId, 'test', 'Invoice B-1 is ready', 'hello B');
    await tg.gw.billing.mail.flush();
    const mails = await tg.cli('outbox', '--org', a.orgId);
    const text = JSON.stringify(mails);
    assert.match(text, /Invoice A-1 is ready/);
    assert.doesNotMatch(text, /Invoice B-1|ap@b\.test/);
  } finally {
    await tg.close();
  }
});
