/**
 * The tail both surfaces share once a request is parsed and routed: bound and estimate its input,
 * honour its Idempotency-Key, admit it (rate limits + spend hold), run the exchange, and make sure
 * the hold is released on every path that did not settle (release after settle is a no-op).
 */
import { inspectInput, maxInputTokensUpperBound, type ModelFamily } from '../metering/estimate.ts';
import { sha256Hex } from '../core/ids.ts';
import { codes, fail, GatewayError } from '../core/errors.ts';
import { withIdempotency } from './idempotency.ts';
import { runExchange } from './run.ts';
import type { Exchange } from './types.ts';
import type { Ticket } from '../limits/admission.ts';
import type { PremiumRequest } from '../pricing/premium.ts';

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

const unavailable = (code: 'usage_store_unavailable' | 'limiter_unavailable', message: string, cause?: unknown) =>
  fail[code](message, { details: { error_code: code }, headers: { 'retry-after': '5' }, cause });

/** Choices a request asks for (OpenAI `n`); 1 when absent or not a positive integer. */
export function choicesOf(body: Record<string, unknown>): number {
  const n = body.n;
  return typeof n === 'number' && Number.isSafeInteger(n) && n > 1 ? n : 1;
}

export async function admitAndRun(x: Omit<Exchange, 'ticket' | 'idempotencyKey' | 'estimatedInputTokens' | 'limits' | 'family'>, a: AdmitInput): Promise<void> {
  // A pool that mixes wire formats may send a larger output ceiling to a fallback: hold for the largest.
  for (const other of x.rt.router.otherWires(x.model, x.adapter.wire)) {
    const p = x.plan(other);
    if (p.maxOutputTokens > a.maxOutputTokens) a = { ...a, maxOutputTokens: p.maxOutputTokens };
    if (p.cacheTtl === '1h' || (p.cacheTtl && !a.cacheTtl)) a = { ...a, cacheTtl: p.cacheTtl };
  }
  const input = inspectInput(a.body, a.family);
  // Documents (PDF pages) have no byte bound: reserve up to the context window.
  const maxInputTokens = input.documents ? (x.model.contextWindow ?? 1_000_000) : maxInputTokensUpperBound(a.bodyBytes, input.images);
  const window = x.model.contextWindow;
  const limits = {
    inputBound: window ? Math.min(maxInputTokens, window) : maxInputTokens,
    maxInput: Math.max(window ?? 0, maxInputTokens),
    outputBound: a.maxOutputTokens * choicesOf(a.body),
  };
  const idem = x.req.headers['idempotency-key'];
  const tm = x.rt.telemetry;
  tm?.routed(x.res, x.model.id, x.adapter.name, x.model.provider, x.stream, x.requestId, x.principal.org.id, () => a.body.messages);
  await withIdempotency(
    x.rt.idempotency,
    x.principal.key.id,
    idem,
    x.res,
    async () => {
      // Nothing is served that cannot be billed: while usage cannot be made durable, refuse (503).
      if (!x.rt.usage.durable)
        throw unavailable(codes.usage_store_unavailable, 'The gateway cannot record usage right now (its database is unreachable); retry shortly.');
      const req = {
        requestId: x.requestId,
        principal: x.principal,
        model: x.model,
        price: x.price,
        surface: x.surface,
        estimatedInputTokens: input.tokens,
        maxInputTokens,
        maxOutputTokens: a.maxOutputTokens,
        cacheTtl: a.cacheTtl,
        premium: a.premium,
      };
      let ticket: Ticket;
      try {
        ticket = await x.rt.admission().admit(req);
      } catch (e) {
        if (e instanceof GatewayError) throw e;
        // The shared limiter (Redis) or the spend store is unreachable: fail closed (default) or, when the
        // operator chose `redisFailMode: open`, admit on this instance's own limits.
        const fallback = x.rt.admissionFallback?.();
        if (!fallback) {
          x.rt.log.error({ requestId: x.requestId, err: { message: (e as Error).message } }, 'admission failed: limiter unreachable');
          throw unavailable(codes.limiter_unavailable, 'The gateway cannot check rate and spend limits right now; retry shortly.', e);
        }
        x.rt.log.warn({ requestId: x.requestId, err: { message: (e as Error).message } }, 'limiter unreachable: admitted on local limits');
        ticket = await fallback.admit(req);
      }
      tm?.holdTaken();
      try {
        await runExchange({
          ...x,
          ticket,
          idempotencyKey: typeof idem === 'string' ? idem : null,
          estimatedInputTokens: input.tokens,
          limits,
          family: a.family,
          cacheTtl: a.cacheTtl,
        });
      } finally {
        ticket.release();
        tm?.holdReleased();
      }
    },
    () => sha256Hex(`${x.surface}\0${JSON.stringify(a.body)}`),
    x.requestId,
  );
}
