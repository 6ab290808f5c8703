/**
 * A local fake of the Stripe API — only the endpoints Tollgate uses, with Stripe's request
 * encoding (form-encoded, bracketed keys), response shapes, error envelope (402 `card_error` with
 * the failed PaymentIntent), `Idempotency-Key` replays (same key + same body → the first response;
 * other body → 400 `idempotency_error`) and bearer-key authentication. The official `stripe` SDK
 * talks to it through `STRIPE_API_BASE`.
 *
 * Test helpers play the customer and Stripe's back office: complete a Checkout session (card or
 * async method), refund or dispute a charge; each returns the events Stripe would send, which
 * `deliver()` signs with the SDK's own `webhooks.generateTestHeaderString` and POSTs.
 *
 * Shapes follow the API reference (https://docs.stripe.com/api/checkout/sessions/object,
 * /payment_intents/object, /charges/object, /setup_intents/object, /payment_methods/object,
 * /disputes/object, /events/object, /errors).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import Stripe from 'stripe';

export const FAKE_STRIPE_KEY = 'sk_test_tollgate_fake_0123456789';
export const WEBHOOK_SECRET = 'whsec_tollgate_test_secret_abcdef0123456789';
const API_VERSION = '2026-10-28.endive';

type Obj = Record<string, any>;
const rid = (p: string) => `${p}_${randomBytes(12).toString('base64url').replace(/[-_]/g, 'x')}`;

/** Parses Stripe's form encoding (`a[b][0][c]=v`) into nested objects and arrays. */
export function parseForm(body: string): Obj {
  const out: Obj = {};
  for (const [k, v] of new URLSearchParams(body)) {
    const path = k.replace(/\]/g, '').split('[');
    let o: any = out;
    path.forEach((seg, i) => {
      const last = i === path.length - 1;
      const nextIsIndex = !last && /^\d+$/.test(path[i + 1]!);
      if (last) o[seg] = v;
      else o = o[seg] ??= nextIsIndex ? [] : {};
    });
  }
  return out;
}

const CARDS: Record<string, { brand: string; last4: string; declines: boolean }> = {
  ok: { brand: 'visa', last4: '4242', declines: false },
  declines: { brand: 'visa', last4: '0341', declines: true },
  mastercard: { brand: 'mastercard', last4: '4444', declines: false },
};

export interface FakeStripe {
  url: string;
  requests: Array<{ method: string; path: string; body: Obj; idempotencyKey: string | undefined }>;
  sessions: Map<string, Obj>;
  intents: Map<string, Obj>;
  charges: Map<string, Obj>;
  /** The customer pays the session (card), or starts an async payment (`async: true`); returns Stripe's events in Stripe's order. */
  completeCheckout(sessionId: string, opts?: { async?: boolean; card?: keyof typeof CARDS }): Obj[];
  /** An async payment of a session finished. */
  finishAsync(sessionId: string, ok: boolean): Obj[];
  expire(sessionId: string): Obj[];
  refunds: Map<string, Obj>;
  /** The operator refunds part of a charge in the Dashboard: Stripe's charge.refunded (cumulative amount, no refund list) and refund.created. */
  refund(chargeId: string, cents: number): Obj[];
  /** A refund fails later (card closed…): refund.failed and refund.updated. */
  failRefund(refundId: string): Obj[];
  dispute(chargeId: string, cents: number): Obj[];
  closeDispute(disputeId: string, status: 'won' | 'lost'): Obj[];
  /** Events caused by API calls (refunds Tollgate made), in Stripe's order; drains them. */
  apiEvents(): Obj[];
  /** Makes the card on file of a customer decline from now on (or stop declining). */
  setDeclines(paymentMethodId: string, declines: boolean): void;
  close(): Promise<void>;
}

export async function startFakeStripe(): Promise<FakeStripe> {
  const customers = new Map<string, Obj>();
  const sessions = new Map<string, Obj>();
  const intents = new Map<string, Obj>();
  const charges = new Map<string, Obj>();
  const setups = new Map<string, Obj>();
  const methods = new Map<string, Obj>();
  const disputes = new Map<string, Obj>();
  const refunds = new Map<string, Obj>();
  const declining = new Set<string>();
  const idem = new Map<string, { body: string; status: number; json: string }>();
  const requests: FakeStripe['requests'] = [];
  const now = () => Math.floor(Date.now() / 1000);
  let base = '';

  const event = (type: string, object: Obj): Obj => ({
    id: rid('evt'),
    object: 'event',
    api_version: API_VERSION,
    created: now(),
    data: { object: structuredClone(object) },
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
  });
  const error = (status: number, e: Obj) => ({
    status,
    json: {
      error: { ...e, doc_url: `https://docs.stripe.com/error-codes/${e.code ?? ''}`, request_log_url: 'https://dashboard.stripe.com/test/logs/req_fake' },
    },
  });

  const newMethod = (card: keyof typeof CARDS, customer: string | null) => {
    const c = CARDS[card]!;
    const pm = {
      id: rid('pm'),
      object: 'payment_method',
      type: 'card',
      created: now(),
      customer,
      livemode: false,
      metadata: {},
      billing_details: {
        address: { city: null, country: null, line1: null, line2: null, postal_code: null, state: null },
        email: null,
        name: null,
        phone: null,
      },
      card: { brand: c.brand, last4: c.last4, exp_month: 12, exp_year: 2030, funding: 'credit', country: 'US', checks: { cvc_check: 'pass' } },
    };
    methods.set(pm.id, pm);
    if (c.declines) declining.add(pm.id);
    return pm;
  };
  const newCharge = (pi: Obj) => {
    const ch = {
      id: rid('ch'),
      object: 'charge',
      amount: pi.amount,
      amount_captured: pi.amount,
      amount_refunded: 0,
      captured: true,
      currency: pi.currency,
      customer: pi.customer,
      paid: true,
      payment_intent: pi.id,
      payment_method: pi.payment_method,
      refunded: false,
      disputed: false,
      status: 'succeeded',
      metadata: {},
      created: now(),
      livemode: false,
      description: pi.description ?? null,
    };
    charges.set(ch.id, ch);
    return ch;
  };
  const newIntent = (p: Obj) => {
    const pi: Obj = {
      id: rid('pi'),
      object: 'payment_intent',
      amount: Number(p.amount),
      amount_received: 0,
      currency: p.currency,
      customer: p.customer ?? null,
      payment_method: p.payment_method ?? null,
      status: 'requires_payment_method',
      latest_charge: null,
      metadata: p.metadata ?? {},
      description: p.description ?? null,
      capture_method: 'automatic',
      confirmation_method: 'automatic',
      created: now(),
      last_payment_error: null,
      livemode: false,
      client_secret: `${rid('pi')}_secret_x`,
    };
    intents.set(pi.id, pi);
    return pi;
  };

  function route(method: string, path: string, p: Obj): { status: number; json: Obj } {
    let m: RegExpExecArray | null;
    if (method === 'POST' && path === '/v1/customers') {
      const c = {
        id: rid('cus'),
        object: 'customer',
        created: now(),
        name: p.name ?? null,
        email: p.email ?? null,
        metadata: p.metadata ?? {},
        livemode: false,
        invoice_settings: { default_payment_method: null, custom_fields: null, footer: null, rendering_options: null },
      };
      customers.set(c.id, c);
      return { status: 200, json: c };
    }
    if (method === 'POST' && (m = /^\/v1\/customers\/([^/]+)$/.exec(path))) {
      const c = customers.get(m[1]!);
      if (!c) return error(404, { type: 'invalid_request_error', code: 'resource_missing', message: `No such customer: '${m[1]}'`, param: 'id' });
      if (p.invoice_settings?.default_payment_method) c.invoice_settings.default_payment_method = p.invoice_settings.default_payment_method;
      return { status: 200, json: c };
    }
    if (method === 'POST' && path === '/v1/checkout/sessions') {
      if (!p.success_url && p.ui_mode !== 'embedded')
        return error(400, { type: 'invalid_request_error', code: 'parameter_missing', message: 'Missing required param: success_url.', param: 'success_url' });
      if (p.customer && !customers.has(p.customer))
        return error(400, { type: 'invalid_request_error', code: 'resource_missing', message: `No such customer: '${p.customer}'`, param: 'customer' });
      const amount =
        p.mode === 'payment' ? (p.line_items ?? []).reduce((s: number, li: Obj) => s + Number(li.price_data.unit_amount) * Number(li.quantity ?? 1), 0) : null;
      const id = `cs_test_${randomBytes(24).toString('base64url').replace(/[-_]/g, 'a')}`;
      const s: Obj = {
        id,
        object: 'checkout.session',
        mode: p.mode,
        status: 'open',
        payment_status: p.mode === 'setup' ? 'no_payment_required' : 'unpaid',
        amount_subtotal: amount,
        amount_total: amount,
        currency: p.currency ?? p.line_items?.[0]?.price_data?.currency ?? null,
        customer: p.customer ?? null,
        client_reference_id: p.client_reference_id ?? null,
        metadata: p.metadata ?? {},
        payment_intent: null,
        setup_intent: null,
        success_url: p.success_url,
        cancel_url: p.cancel_url ?? null,
        created: now(),
        expires_at: now() + 86_400,
        livemode: false,
        url: `${base}/c/pay/${id}`,
        _pi_meta: p.payment_intent_data?.metadata ?? {},
        _si_meta: p.setup_intent_data?.metadata ?? {},
      };
      if (p.mode === 'setup') {
        const si = {
          id: rid('seti'),
          object: 'setup_intent',
          customer: s.customer,
          payment_method: null,
          status: 'requires_payment_method',
          usage: 'off_session',
          metadata: s._si_meta,
          created: now(),
          livemode: false,
        };
        setups.set(si.id, si);
        s.setup_intent = si.id;
      }
      sessions.set(id, s);
      return { status: 200, json: publicSession(s) };
    }
    if (method === 'GET' && (m = /^\/v1\/checkout\/sessions\/([^/]+)$/.exec(path))) {
      const s = sessions.get(m[1]!);
      return s
        ? { status: 200, json: publicSession(s) }
        : error(404, { type: 'invalid_request_error', code: 'resource_missing', message: `No such checkout.session: '${m[1]}'`, param: 'session' });
    }
    if (method === 'GET' && (m = /^\/v1\/setup_intents\/([^/]+)$/.exec(path))) {
      const si = setups.get(m[1]!);
      if (!si) return error(404, { type: 'invalid_request_error', code: 'resource_missing', message: `No such setupintent: '${m[1]}'`, param: 'intent' });
      const expand: string[] = p.expand ?? [];
      return {
        status: 200,
        json: { ...si, payment_method: expand.includes('payment_method') && si.payment_method ? methods.get(si.payment_method) : si.payment_method },
      };
    }
    if (method === 'GET' && (m = /^\/v1\/payment_methods\/([^/]+)$/.exec(path))) {
      const pm = methods.get(m[1]!);
      return pm
        ? { status: 200, json: pm }
        : error(404, { type: 'invalid_request_error', code: 'resource_missing', message: `No such PaymentMethod: '${m[1]}'`, param: 'payment_method' });
    }
    if (method === 'POST' && path === '/v1/payment_intents') {
      if (!p.amount || !p.currency)
        return error(400, { type: 'invalid_request_error', code: 'parameter_missing', message: 'Missing required param: amount.', param: 'amount' });
      const pi = newIntent(p);
      if (p.confirm === 'true') {
        if (!pi.payment_method || !methods.has(pi.payment_method))
          return error(400, {
            type: 'invalid_request_error',
            code: 'resource_missing',
            message: `No such PaymentMethod: '${pi.payment_method}'`,
            param: 'payment_method',
          });
        if (declining.has(pi.payment_method)) {
          const ch = {
            ...newCharge(pi),
            paid: false,
            status: 'failed',
            amount_captured: 0,
            captured: false,
            failure_code: 'card_declined',
            failure_message: 'Your card was declined.',
          };
          charges.set(ch.id, ch);
          const lpe = {
            type: 'card_error',
            code: 'card_declined',
            decline_code: 'generic_decline',
            message: 'Your card was declined.',
            charge: ch.id,
            payment_method: methods.get(pi.payment_method),
          };
          Object.assign(pi, { status: 'requires_payment_method', latest_charge: ch.id, last_payment_error: lpe });
          return error(402, {
            type: 'card_error',
            code: 'card_declined',
            decline_code: 'generic_decline',
            message: 'Your card was declined.',
            charge: ch.id,
            payment_intent: pi,
            payment_method: methods.get(pi.payment_method),
          });
        }
        const ch = newCharge(pi);
        Object.assign(pi, { status: 'succeeded', amount_received: pi.amount, latest_charge: ch.id });
      }
      return { status: 200, json: pi };
    }
    if (method === 'POST' && path === '/v1/refunds') {
      const pi = p.payment_intent ? intents.get(p.payment_intent) : undefined;
      const ch = charges.get(p.charge ?? pi?.latest_charge ?? '');
      if (!ch)
        return error(400, {
          type: 'invalid_request_error',
          code: 'resource_missing',
          message: `No such charge: '${p.charge ?? p.payment_intent}'`,
          param: p.charge ? 'charge' : 'payment_intent',
        });
      const amount = p.amount === undefined ? ch.amount - ch.amount_refunded : Number(p.amount);
      if (amount > ch.amount - ch.amount_refunded)
        return error(400, {
          type: 'invalid_request_error',
          code: 'amount_too_large',
          message: `Refund amount ($${(amount / 100).toFixed(2)}) is greater than unrefunded amount on charge ($${((ch.amount - ch.amount_refunded) / 100).toFixed(2)})`,
          param: 'amount',
        });
      const re = newRefund(ch, amount, p.metadata ?? {}, p.reason ?? null);
      return { status: 200, json: re };
    }
    if (method === 'GET' && path === '/v1/refunds') {
      const data = [...refunds.values()]
        .filter((r) => (!p.charge || r.charge === p.charge) && (!p.payment_intent || r.payment_intent === p.payment_intent))
        .sort((a, b) => b.created - a.created);
      return { status: 200, json: { object: 'list', data: structuredClone(data), has_more: false, url: '/v1/refunds' } };
    }
    return error(404, { type: 'invalid_request_error', code: 'resource_missing', message: `Unrecognized request URL (${method}: ${path}).` });
  }

  /** https://docs.stripe.com/api/refunds/object — a card refund succeeds at once; the charge's amount_refunded is cumulative. */
  function newRefund(ch: Obj, amount: number, metadata: Obj, reason: string | null): Obj {
    ch.amount_refunded += amount;
    ch.refunded = ch.amount_refunded >= ch.amount;
    const re = {
      id: rid('re'),
      object: 'refund',
      amount,
      balance_transaction: rid('txn'),
      charge: ch.id,
      created: now(),
      currency: ch.currency,
      metadata,
      payment_intent: ch.payment_intent,
      reason,
      receipt_number: null,
      source_transfer_reversal: null,
      status: 'succeeded',
      transfer_reversal: null,
      destination_details: { card: { reference_status: 'pending', reference_type: 'acquirer_reference_number', type: 'refund' }, type: 'card' },
    };
    refunds.set(re.id, re);
    pendingEvents.push(event('charge.refunded', ch), event('refund.created', re));
    return re;
  }
  /** Events Stripe would send about refunds made through the API (drained by `refundEvents`). */
  const pendingEvents: Obj[] = [];

  const publicSession = (s: Obj) => {
    const { _pi_meta, _si_meta, ...rest } = s;
    return structuredClone(rest);
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const url = new URL(req.url!, 'http://x');
      const send = (status: number, json: unknown, extra: Record<string, string> = {}) => {
        const body = typeof json === 'string' ? json : JSON.stringify(json);
        res.writeHead(status, { 'content-type': 'application/json', 'request-id': rid('req'), 'stripe-version': API_VERSION, ...extra }).end(body);
      };
      if (url.pathname.startsWith('/c/pay/')) {
        res.writeHead(200, { 'content-type': 'text/html' }).end('<h1>Fake Stripe Checkout</h1>');
        return;
      }
      if (req.headers.authorization !== `Bearer ${FAKE_STRIPE_KEY}`) {
        send(401, { error: { type: 'invalid_request_error', message: 'Invalid API Key provided: sk_test_****' } });
        return;
      }
      const params = req.method === 'GET' ? parseForm(url.search.slice(1)) : parseForm(raw);
      const key = req.headers['idempotency-key'] as string | undefined;
      requests.push({ method: req.method!, path: url.pathname, body: params, idempotencyKey: key });
      if (key && req.method === 'POST') {
        const prev = idem.get(key);
        if (prev) {
          if (prev.body !== raw) {
            send(400, {
              error: {
                type: 'idempotency_error',
                message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
              },
            });
            return;
          }
          send(prev.status, prev.json, { 'idempotent-replayed': 'true', 'idempotency-key': key });
          return;
        }
      }
      const r = route(req.method!, url.pathname, params);
      const json = JSON.stringify(r.json);
      if (key && req.method === 'POST') idem.set(key, { body: raw, status: r.status, json });
      send(r.status, json, key ? { 'idempotency-key': key } : {});
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: base,
    requests,
    sessions,
    intents,
    charges,
    completeCheckout(id, opts = {}) {
      const s = sessions.get(id);
      if (!s) throw new Error(`no session ${id}`);
      if (s.mode === 'setup') {
        const pm = newMethod(opts.card ?? 'ok', s.customer);
        Object.assign(setups.get(s.setup_intent)!, { payment_method: pm.id, status: 'succeeded' });
        s.status = 'complete';
        return [event('setup_intent.succeeded', setups.get(s.setup_intent)!), event('checkout.session.completed', publicSession(s))];
      }
      const pm = newMethod(opts.card ?? 'ok', s.customer);
      const pi = newIntent({ amount: s.amount_total, currency: s.currency, customer: s.customer, payment_method: pm.id, metadata: s._pi_meta });
      s.payment_intent = pi.id;
      s.status = 'complete';
      if (opts.async) {
        pi.status = 'processing';
        return [event('checkout.session.completed', publicSession(s))];
      }
      const ch = newCharge(pi);
      Object.assign(pi, { status: 'succeeded', amount_received: pi.amount, latest_charge: ch.id });
      s.payment_status = 'paid';
      return [event('charge.succeeded', ch), event('payment_intent.succeeded', pi), event('checkout.session.completed', publicSession(s))];
    },
    finishAsync(id, ok) {
      const s = sessions.get(id)!;
      const pi = intents.get(s.payment_intent)!;
      if (!ok) {
        pi.status = 'requires_payment_method';
        return [event('payment_intent.payment_failed', pi), event('checkout.session.async_payment_failed', publicSession(s))];
      }
      const ch = newCharge(pi);
      Object.assign(pi, { status: 'succeeded', amount_received: pi.amount, latest_charge: ch.id });
      s.payment_status = 'paid';
      return [event('payment_intent.succeeded', pi), event('checkout.session.async_payment_succeeded', publicSession(s))];
    },
    expire(id) {
      const s = sessions.get(id)!;
      s.status = 'expired';
      return [event('checkout.session.expired', publicSession(s))];
    },
    refunds,
    refund(chargeId, cents) {
      newRefund(charges.get(chargeId)!, cents, {}, 'requested_by_customer');
      return pendingEvents.splice(0);
    },
    failRefund(refundId) {
      const re = refunds.get(refundId)!;
      const ch = charges.get(re.charge)!;
      ch.amount_refunded -= re.amount;
      ch.refunded = false;
      Object.assign(re, { status: 'failed', failure_reason: 'expired_or_canceled_card' });
      return [event('refund.failed', re), event('refund.updated', re)];
    },
    apiEvents: () => pendingEvents.splice(0),
    dispute(chargeId, cents) {
      const ch = charges.get(chargeId)!;
      ch.disputed = true;
      const dp = {
        id: rid('dp'),
        object: 'dispute',
        amount: cents,
        charge: ch.id,
        currency: ch.currency,
        payment_intent: ch.payment_intent,
        reason: 'fraudulent',
        status: 'needs_response',
        created: now(),
        livemode: false,
        metadata: {},
      };
      disputes.set(dp.id, dp);
      return [event('charge.dispute.created', dp)];
    },
    closeDispute(id, status) {
      const dp = disputes.get(id)!;
      dp.status = status;
      return [event('charge.dispute.closed', dp)];
    },
    setDeclines(pm, d) {
      if (d) declining.add(pm);
      else declining.delete(pm);
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** Signs an event the way Stripe does (the SDK's own test signer) and POSTs it to the gateway. */
export async function deliver(
  gatewayUrl: string,
  ev: Obj,
  opts: { secret?: string; timestamp?: number; tamper?: (body: string) => string } = {},
): Promise<{ status: number; body: any }> {
  const payload = JSON.stringify(ev, null, 2);
  const header = Stripe.webhooks.generateTestHeaderString({ payload, secret: opts.secret ?? WEBHOOK_SECRET, timestamp: opts.timestamp });
  const res = await fetch(`${gatewayUrl}/webhooks/stripe`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'stripe-signature': header },
    body: opts.tamper ? opts.tamper(payload) : payload,
  });
  return { status: res.status, body: await res.json().catch(() => null) };
}

export const stripeEnv = (fake: FakeStripe): Record<string, string> => ({
  STRIPE_SECRET_KEY: FAKE_STRIPE_KEY,
  STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
  STRIPE_API_BASE: fake.url,
});
