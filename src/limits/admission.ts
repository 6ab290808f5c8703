/**
 * Admission: everything decided before a request is forwarded — rate limits and the spend
 * reservation — behind one interface, so the surfaces need not know how either works.
 */
import type { Principal } from '../accounts/key-cache.ts';
import type { Usage } from '../metering/usage.ts';
import type { ResolvedPrice } from '../pricing/price-book.ts';
import type { CatalogModel } from '../pricing/types.ts';

import type { Surface } from '../wire/surface.ts';

export interface AdmitRequest {
  requestId: string;
  principal: Principal;
  model: CatalogModel;
  price: ResolvedPrice;
  surface: Surface;
  /** Estimated input tokens (tokenizer), for rate limits. */
  estimatedInputTokens: number;
  /** A provable upper bound on input tokens (from the body size), for the spend hold. */
  maxInputTokens: number;
  /** Output ceiling (max_tokens). */
  maxOutputTokens: number;
  /** Longest cache TTL the request asks for (input may be billed as cache writes). */
  cacheTtl: '5m' | '1h' | null;
  /** Premium options the request asked for (fast mode, geo, tier, n, server tools): the hold covers them. */
  premium?: import('../pricing/premium.ts').PremiumRequest;
  /**
   * A free call (count_tokens): it takes one request from the request bucket and needs an account
   * in good standing (some headroom on the balance and every monthly cap), but holds nothing.
   */
  free?: boolean;
}

export interface Ticket {
  /** Rate-limit headers for this response, in the surface's format. */
  readonly headers: Record<string, string>;
  /**
   * When the request was admitted. Its usage belongs to this instant's month and day (the month
   * whose caps it was held against), even when it settles after midnight on the 1st.
   */
  readonly admittedAt?: number;
  /** Settles the reservation to the exact cost and records actual token use. Idempotent. */
  settle(usage: Usage, cost: bigint): void;
  /** Releases the reservation (nothing was billed). Idempotent. */
  release(): void;
}

export interface Admission {
  admit(req: AdmitRequest): Promise<Ticket> | Ticket;
  /** Rate-limit headers for a response refused before admission (bad body, unknown model…): nothing is taken. */
  peekHeaders?(principal: Principal, surface: Surface, rateClass?: string): Promise<Record<string, string>> | Record<string, string>;
}

/** Admits everything (used until limits are configured, and in unit tests). */
export const openAdmission: Admission = {
  admit: () => ({ headers: {}, settle() {}, release() {} }),
};
