/**
 * Runs one admitted exchange: forward, then answer (JSON or stream). The client closing the
 * connection aborts the upstream request. Paths that bill nothing leave the hold to the caller
 * (admit-and-run.ts releases it once the exchange is over; a settled ticket ignores the release).
 */
import { forward } from './forward.ts';
import { respondJson } from './respond-json.ts';
import { respondStream } from './respond-stream.ts';
import { retryHeaders, upstreamError } from './upstream-error.ts';
import type { Exchange } from './types.ts';
import { isSimulatedUpstream } from '../../config/config.ts';

export function requestIdHeader(surface: 'anthropic' | 'openai'): string {
  return surface === 'anthropic' ? 'request-id' : 'x-request-id';
}

export async function runExchange(x: Exchange): Promise<void> {
  const ac = new AbortController();
  const state = { clientGone: false };
  x.res.once('close', () => {
    if (!x.res.writableFinished) { state.clientGone = true; ac.abort(); }
  });
  const baseHeaders: Record<string, string> = { ...x.ticket.headers, [requestIdHeader(x.surface)]: x.requestId };
  // A simulated answer says so: it is fake, and reports never count it as revenue.
  if (isSimulatedUpstream(x.adapter.name)) baseHeaders['tollgate-upstream'] = 'simulator';

  let up;
  try {
    up = await forward(x, ac.signal);
  } catch (e) {
    if (state.clientGone) return;
    throw e;
  }

  if (up.statusCode < 200 || up.statusCode >= 300) {
    let text = '';
    try { text = await up.text(); } catch { /* cut error body */ }
    x.rt.telemetry?.upstreamError(x.res, x.adapter.name, String(up.statusCode));
    const log = (fields: Record<string, unknown>, msg: string) => x.rt.log.warn({ requestId: x.requestId, upstream: x.adapter.name, ...fields }, msg);
    throw upstreamError(up.statusCode, text, x.adapter.wire, { ...x.ticket.headers, ...retryHeaders(up.headers) }, log);
  }

  if (x.stream) await respondStream(x, up, baseHeaders, state);
  else await respondJson(x, up, baseHeaders);
}
