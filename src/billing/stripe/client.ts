/**
 * The official `stripe` SDK, configured from the config object: `STRIPE_API_BASE` points it at
 * another host (tests use a local fake of the Stripe API). Network retries reuse the SDK's
 * idempotency keys, so a retried POST never charges twice.
 */
import { createRequire } from 'node:module';
import type Stripe from 'stripe';
import type { Config } from '../../config/config.ts';

export type StripeClient = InstanceType<typeof Stripe>;

/** The SDK is loaded on first use only (a gateway or CLI without Stripe never pays its start-up cost). */
let sdk: typeof Stripe | undefined;
const stripeSdk = (): typeof Stripe => (sdk ??= createRequire(import.meta.url)('stripe') as typeof Stripe);

export function createStripeClient(cfg: Config['stripe']): StripeClient | null {
  if (!cfg.secretKey) return null;
  const u = new URL(cfg.apiBase);
  const protocol = u.protocol === 'http:' ? 'http' : 'https';
  const Sdk = stripeSdk();
  return new Sdk(cfg.secretKey, {
    host: u.hostname,
    port: u.port || (protocol === 'http' ? 80 : 443),
    protocol,
    maxNetworkRetries: 2,
    timeout: 20_000,
    telemetry: false,
    appInfo: { name: 'Tollgate' },
  });
}

/** Verifies a webhook with the SDK's own signature code; throws Stripe's SignatureVerificationError. */
export function constructWebhookEvent(raw: Buffer, header: string | undefined, secret: string, toleranceSec: number, nowMs: number): Stripe.Event {
  return stripeSdk().webhooks.constructEvent(raw, header ?? '', secret, toleranceSec, undefined, nowMs);
}
