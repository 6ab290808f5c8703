/**
 * Runs one admitted exchange: forward, then answer (JSON or stream). A client that goes away does
 * not stop the upstream at once: its reply is still read, bounded (client-watch.ts), so the usage
 * it reports is billed exactly. Paths that bill nothing leave the hold to the caller
 * (admit-and-run.ts releases it once the exchange is over; a settled ticket ignores the release).
 */
import { forward } from './forward.ts';
import { ClientWatch } from './client-watch.ts';
import { respondJson } from './respond-json.ts';
import { respondStream } from './respond-stream.ts';
import { billUnseen } from './unseen.ts';
import { retryHeaders, upstreamError } from './upstream-error.ts';
import type { Exchange } from './types.ts';

export function requestIdHeader(surface: 'anthropic' | 'openai'): string {
  return surface === 'anthropic' ? 'request-id' : 'x-request-id';
}

export async function runExchange(x: Exchange): Promise<void> {
  // Gone before anything was sent upstream: nothing to run, nothing to bill.
  if (x.res.destroyed || x.req.socket?.destroyed) return;
  const watch = new ClientWatch(x.res, x.rt.config.abortDrain);
  try {
    await run(x, watch);
  } finally {
    watch.done();
  }
}

async function run(x: Exchange, watch: ClientWatch): Promise<void> {
  const baseHeaders: Record<string, string> = { ...x.ticket.headers, [requestIdHeader(x.surface)]: x.requestId };

  let up;
  try {
    up = await forward(x, watch.signal);
  } catch (e) {
    // The client left and the upstream had not answered within the drain bound: it may have run.
    if (watch.cut) { await billUnseen(x); return; }
    if (watch.gone) return;
    throw e;
  }

  if (up.statusCode < 200 || up.statusCode >= 300) {
    let text = '';
    try { text = await up.text(); } catch { /* cut error body */ }
    const log = (fields: Record<string, unknown>, msg: string) => x.rt.log.warn({ requestId: x.requestId, upstream: x.adapter.name, ...fields }, msg);
    throw upstreamError(up.statusCode, text, x.adapter.wire, { ...x.ticket.headers, ...retryHeaders(up.headers) }, log);
  }

  if (x.stream) await respondStream(x, up, baseHeaders, watch);
  else await respondJson(x, up, baseHeaders, watch);
}
