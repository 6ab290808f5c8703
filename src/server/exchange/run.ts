/**
 * Runs one admitted exchange: try the upstream pool until one answers (attempts.ts), then answer
 * (JSON or stream). The client closing the connection aborts the upstream request. Paths that
 * bill nothing leave the hold to the caller (admit-and-run.ts releases it once the exchange is
 * over; a settled ticket ignores the release).
 */
import { attemptUpstreams } from './attempts.ts';
import { respondJson } from './respond-json.ts';
import { respondStream } from './respond-stream.ts';
import type { Exchange } from './types.ts';

export function requestIdHeader(surface: 'anthropic' | 'openai'): string {
  return surface === 'anthropic' ? 'request-id' : 'x-request-id';
}

export async function runExchange(x0: Exchange): Promise<void> {
  const ac = new AbortController();
  const state = { clientGone: false };
  x0.res.once('close', () => {
    if (!x0.res.writableFinished) { state.clientGone = true; ac.abort(); }
  });
  const baseHeaders: Record<string, string> = { ...x0.ticket.headers, [requestIdHeader(x0.surface)]: x0.requestId };

  const served = await attemptUpstreams(x0, ac.signal, state);
  if (!served) return; // the client went away before any upstream answered
  const { x, up } = served;
  try {
    if (x.stream) await respondStream(x, up, baseHeaders, state);
    else await respondJson(x, up, baseHeaders);
  } finally {
    served.done();
  }
}
