/**
 * The tail both surfaces share once a request is parsed and routed: bound and estimate its input,
 * honour its Idempotency-Key, admit it (rate limits + spend hold), run the exchange, and make sure
 * the hold is released on every path that did not settle (release after settle is a no-op).
 */
import { inspectInput, maxInputTokensUpperBound, type ModelFamily } from '../../metering/estimate.ts';
import { sha256Hex } from '../../core/ids.ts';
import { withIdempotency } from '../idempotency.ts';
import { runExchange } from './run.ts';
import type { Exchange } from './types.ts';
import type { PremiumRequest } from '../../pricing/premium.ts';

export interface AdmitInput {
  /** The parsed body (either wire format) and its size in bytes. */
  body: Record<string, unknown>;
  bodyBytes: number;
  family: ModelFamily;
  maxOutputTokens: number;
  cacheTtl: '5m' | '1h' | null;
  /** Premium options the request asked for (surfaces/options): the hold covers them. */
  premium?: PremiumRequest;
}

export async function admitAndRun(x: Omit<Exchange, 'ticket' | 'idempotencyKey' | 'estimatedInputTokens'>, a: AdmitInput): Promise<void> {
  // A pool that mixes wire formats may send a larger output ceiling to a fallback: hold for the largest.
  for (const other of x.rt.router.otherWires(x.model, x.adapter.wire)) {
    const p = x.plan(other);
    if (p.maxOutputTokens > a.maxOutputTokens) a = { ...a, maxOutputTokens: p.maxOutputTokens };
    if (p.cacheTtl === '1h' || (p.cacheTtl && !a.cacheTtl)) a = { ...a, cacheTtl: p.cacheTtl };
  }
  const input = inspectInput(a.body as any, a.family);
  // Documents (PDF pages) have no byte bound: reserve up to the context window.
  const maxInputTokens = input.documents ? (x.model.contextWindow ?? 1_000_000) : maxInputTokensUpperBound(a.bodyBytes, input.images);
  const idem = x.req.headers['idempotency-key'];
  const tm = x.rt.telemetry;
  tm?.routed(x.res, x.model.id, x.adapter.name, x.model.provider, x.stream, x.requestId, x.principal.org.id, () => a.body.messages);
  await withIdempotency(x.rt.idempotency, x.principal.key.id, idem, x.res, async () => {
    const ticket = await x.rt.admission().admit({
      requestId: x.requestId, principal: x.principal, model: x.model, price: x.price, surface: x.surface,
      estimatedInputTokens: input.tokens, maxInputTokens, maxOutputTokens: a.maxOutputTokens, cacheTtl: a.cacheTtl, premium: a.premium,
    });
    tm?.holdTaken();
    try {
      await runExchange({ ...x, ticket, idempotencyKey: typeof idem === 'string' ? idem : null, estimatedInputTokens: input.tokens });
    } finally {
      ticket.release();
      tm?.holdReleased();
    }
  }, () => sha256Hex(`${x.surface}\0${JSON.stringify(a.body)}`));
}
