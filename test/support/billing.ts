/** Billing test helpers shared by the payment tests: signed delivery at the test clock, a saved card. */
import assert from 'node:assert/strict';
import type { Clock } from '../../src/core/clock.ts';
import type { TestGateway } from './gateway.ts';
import { deliver, type FakeStripe } from './fake-stripe.ts';

/** Delivers events in order, signed at the test clock's time; returns their outcomes. */
export async function sendAll(tg: TestGateway, clock: Clock, events: any[]): Promise<string[]> {
  const out: string[] = [];
  for (const ev of events) {
    const r = await deliver(tg.url, ev, { timestamp: Math.floor(clock.now() / 1000) });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    out.push(r.body.duplicate ? 'duplicate' : r.body.outcome);
  }
  return out;
}

/** Saves a card for the org through Checkout in setup mode (the fake plays the customer). */
export async function saveCard(tg: TestGateway, clock: Clock, fake: FakeStripe, org: { id: string; name: string }) {
  const s = await tg.gw.billing.stripe!.setupCheckout(org);
  await sendAll(tg, clock, fake.completeCheckout(s.id, { card: 'ok' }));
}
