/** Sends the upstream request on the pooled connection; connection failures become 502s. */
import type { AbortLike } from '../core/cancel.ts';
import { GatewayError, upstreamUnavailable } from '../core/errors.ts';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Telemetry } from '../telemetry/telemetry.ts';
import type { UpstreamRouter } from './router.ts';
import type { Operation, UpstreamAdapter } from './types.ts';
import { callUpstream, type UpstreamReply } from './upstream-call.ts';

/** What sending one attempt needs from the request in flight (the pipeline's exchange has all of it). */
export interface ForwardInput {
  rt: { router: Pick<UpstreamRouter, 'pool'>; log: Logger; telemetry?: Pick<Telemetry, 'upstreamStarted' | 'upstreamError'> };
  req: { headers: IncomingHttpHeaders };
  res: ServerResponse;
  requestId: string;
  model: { id: string };
  adapter: UpstreamAdapter;
  op: Operation;
  upstreamBody: string | Buffer;
}

export async function forward(x: ForwardInput, signal: AbortLike): Promise<UpstreamReply> {
  const pool = x.rt.router.pool(x.adapter.origin);
  x.rt.telemetry?.upstreamStarted(x.res);
  try {
    return await callUpstream(
      pool,
      {
        path: x.adapter.path(x.op),
        method: 'POST',
        headers: x.adapter.headers(x.op, x.req.headers),
        body: x.upstreamBody,
      },
      signal,
    );
  } catch (e) {
    if (e instanceof GatewayError) throw e;
    const err = e as Error & { code?: string };
    if (err.name === 'AbortError' || err.code === 'UND_ERR_ABORTED') throw e;
    x.rt.log.warn({ requestId: x.requestId, upstream: x.adapter.name, err: { message: err.message, code: err.code } }, 'upstream request failed');
    x.rt.telemetry?.upstreamError(x.res, x.adapter.name, 'connect');
    throw upstreamUnavailable(`The upstream for ${x.model.id} is unavailable (${err.code ?? err.name}). Please retry.`, { cause: e });
  }
}
