/**
 * `POST /webhooks/stripe`: Stripe's signed events. The signature is checked by the SDK's own
 * `webhooks.constructEvent` over the raw body bytes, against `STRIPE_WEBHOOK_SECRET`, with the
 * injectable clock and `STRIPE_WEBHOOK_TOLERANCE_SEC`: a missing, forged or stale signature is a
 * 400 and changes nothing. A verified event is handled once (its id is recorded with the
 * outcome); a redelivery answers 200 at once. A failure while handling (Stripe's API unreachable
 * while saving a card…) is a 500, so Stripe delivers the event again later.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type Stripe from 'stripe';
import { fail, notFound } from '../core/errors.ts';
import { readBody } from '../http/body.ts';
import type { Route } from '../http/server.ts';
import type { Runtime } from '../exchange/runtime.ts';
import { billingOf, type BillingContext as BillingRuntime } from '../billing/context.ts';
import { constructWebhookEvent } from '../billing/stripe/client.ts';
import { handleEvent, type Handled } from '../billing/stripe/events.ts';

const MAX_EVENT_BYTES = 1024 * 1024;

function reply(res: ServerResponse, status: number, body: unknown): void {
  const s = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(s)), 'cache-control': 'no-store' });
  res.end(s);
}

export async function receiveStripeEvent(b: BillingRuntime, raw: Buffer, signature: string | undefined): Promise<{ status: number; body: unknown }> {
  if (!b.stripe || !b.config.stripe.webhookSecret) throw notFound('Stripe is not configured on this gateway');
  let ev: Stripe.Event;
  try {
    ev = constructWebhookEvent(raw, signature, b.config.stripe.webhookSecret, b.config.stripe.webhookToleranceSec, b.clock.now());
  } catch (e) {
    b.log.warn({ err: { message: (e as Error).message?.split('\n')[0] } }, 'stripe webhook refused: bad signature');
    throw fail.invalid_signature(`invalid Stripe signature: ${(e as Error).message?.split('\n')[0]}`);
  }
  const seen = await b.db.selectFrom('payment_events').select(['outcome']).where('id', '=', ev.id).executeTakeFirst();
  if (seen && seen.outcome !== 'parked') return { status: 200, body: { received: true, duplicate: true } };
  const h = await process(b, ev);
  if (h.settledPaymentId) await replayParked(b);
  return { status: 200, body: { received: true, outcome: h.outcome } };
}

async function process(b: BillingRuntime, ev: Stripe.Event): Promise<Handled> {
  const now = b.clock.now();
  const h = await handleEvent(b.stripe!, now, ev);
  const obj = ev.data.object as { id?: string };
  const row = {
    id: ev.id,
    provider: 'stripe',
    type: ev.type,
    object_id: obj.id ?? null,
    created: BigInt(ev.created),
    received_at: now,
    outcome: h.outcome,
    payload: JSON.stringify(ev),
  };
  await b.db
    .insertInto('payment_events')
    .values(row)
    .onConflict((oc) => oc.column('id').doUpdateSet({ outcome: h.outcome, received_at: now }))
    .execute();
  b.log.info({ event: ev.id, type: ev.type, outcome: h.outcome, note: h.note }, 'stripe event');
  for (const r of [...(h.reversal ? [h.reversal] : []), ...(h.reversals ?? [])]) await b.onReversal(r, ev.type);
  if (h.foreignCurrency) {
    const f = h.foreignCurrency;
    b.operatorAlert({
      kind: 'payment_foreign_currency',
      orgId: f.orgId ?? '-',
      requestId: ev.id,
      detail: `Stripe event ${ev.type} (${f.object}) is in ${f.currency.toUpperCase()}; Tollgate bills in USD only, so it was ignored and nothing was credited or reversed. Check the Stripe account's settings.`,
    });
  }
  if (h.cardSavedOrg) await b.onCardSaved(h.cardSavedOrg);
  return h;
}

/** Events that arrived before the payment they refer to had settled: handled now, in arrival order. */
async function replayParked(b: BillingRuntime): Promise<void> {
  const parked = await b.db
    .selectFrom('payment_events')
    .select(['id', 'payload'])
    .where('outcome', '=', 'parked')
    .where('received_at', '>', BigInt(b.clock.now() - 7 * 86_400_000))
    .orderBy('received_at')
    .orderBy('id')
    .execute();
  for (const p of parked) await process(b, JSON.parse(p.payload) as Stripe.Event);
}

export function stripeWebhookRoutes(): Route[] {
  return [
    {
      method: 'POST',
      path: '/webhooks/stripe',
      surface: 'plain',
      handler: async (rt: Runtime, req: IncomingMessage, res: ServerResponse) => {
        const b = billingOf(rt);
        const raw = await readBody(req, MAX_EVENT_BYTES);
        const sig = req.headers['stripe-signature'];
        const r = await receiveStripeEvent(b, raw, typeof sig === 'string' ? sig : undefined);
        reply(res, r.status, r.body);
      },
    },
  ];
}
