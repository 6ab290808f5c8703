/**
 * What billing jobs and handlers need from the running billing side (implemented by
 * `runtime.ts`), and where a gateway keeps it: collections, the Stripe webhook, the auto-reload
 * provider and the admin API depend on this interface, never on the runtime module itself.
 */
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Config } from '../config/config.ts';
import type { Clock } from '../core/clock.ts';
import type { DB } from '../store/schema.ts';
import type { AlertKind } from './alerts/types.ts';
import type { BillingMailer } from './invoices/mail.ts';
import type { CloseResult, InvoiceService } from './invoices/service.ts';
import type { HoldCache } from './payments/holds.ts';
import type { BillingModes } from './modes.ts';
import type { StripePayments } from './stripe/service.ts';
import type { Reversal } from './stripe/events.ts';
import type { OperatorAlert } from './alerts/operator.ts';

export interface BillingContext {
  readonly config: Config;
  readonly db: Kysely<DB>;
  readonly clock: Clock;
  readonly log: Logger;
  readonly stripe: StripePayments | null;
  readonly invoices: InvoiceService;
  readonly mail: BillingMailer;
  readonly holds: HoldCache;
  readonly modes: BillingModes;
  alert(orgId: string, kind: AlertKind, ref: string, amount: bigint, detail: string): Promise<void>;
  closeMonth(month: string, orgId?: string): Promise<CloseResult[]>;
  onCardSaved(orgId: string): Promise<void>;
  onReversal(r: Reversal, eventType: string): Promise<void>;
  /** Tells the gateway's operator (logged always; webhook/e-mail when configured). */
  operatorAlert(a: OperatorAlert): void;
}

/** Keyed by the gateway's runtime object (this layer does not need its shape). */
const registry = new WeakMap<object, BillingContext>();

export function attachBilling(rt: object, b: BillingContext): void {
  registry.set(rt, b);
}

/** The billing side of a gateway (wired by `startGateway`). */
export function billingOf(rt: object): BillingContext {
  const b = registry.get(rt);
  if (!b) throw new Error('billing is not wired into this runtime (startGateway attaches it)');
  return b;
}
